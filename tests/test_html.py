"""Structure of the HTML report, read back with the stdlib HTML parser."""

from __future__ import annotations

import importlib.util
import re
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from agent.models import Bullet, DocRef, Document, SentenceCitation, Summary
from agent.render.html import render_html
from agent.verify import Claim, verify_claims

ROOT = Path(__file__).resolve().parent.parent
VOID = {"meta", "br", "link", "img", "input", "hr", "wbr", "source", "area", "base", "col"}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "screenshot_html", ROOT / "scripts" / "screenshot_html.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------- a tiny DOM
@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def text(self, skip: set[str] = frozenset()) -> str:  # type: ignore[assignment]
        out = []
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif not (c.classes & skip):
                out.append(c.text(skip))
        return "".join(out)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
        ]


class TreeBuilder(HTMLParser):
    """Builds a Node tree; fails on an end tag that does not close the open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    tb = TreeBuilder()
    tb.feed(page)
    tb.close()
    assert [n.tag for n in tb.stack] == ["#root"], "unclosed elements"
    return tb.root


SOURCE_EXTRAS = {"back", "anchor"}  # inserted in the source text, not part of it


def doc_articles(root: Node) -> list[Node]:
    return root.find_all("article", "doc")


def source_text(article: Node) -> str:
    return next(n for n in article.iter() if "text" in n.classes).text(SOURCE_EXTRAS)


def marks_for(root: Node, attr: str, key: str) -> list[Node]:
    return [m for m in root.find_all("mark") if key in m.attrs.get(attr, "").split()]


def article_of(node: Node) -> Node:
    p: Node | None = node
    while p is not None and p.tag != "article":
        p = p.parent
    assert p is not None
    return p


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def seed() -> tuple[Summary, dict[str, Document], Node]:
    summary, docs = load_script().build_seed_summary()
    return summary, docs, parse(render_html(summary, docs))


def doc(text: str, i: int = 1) -> Document:
    return Document(id=f"d{i}", title=f"Doc {i}", source=f"doc{i}.txt", text=text)


def cite(d: Document, start: int, end: int, sentence: int = 0) -> SentenceCitation:
    return SentenceCitation(
        doc_id=d.id, start=start, end=end, text=d.text[start:end], sentence=sentence
    )


def bullet(d: Document, bid: str, text: str, cites: list[SentenceCitation], **kw: object) -> Bullet:
    claim = Claim(id=bid, text=text, citations=[(c.start, c.end) for c in cites])
    check = verify_claims(d.text, [claim]).checks[0]
    return Bullet(id=bid, text=text, citations=cites, check=check, verified=check.verified, **kw)


def summary_of(docs: list[Document], bullets: list[Bullet]) -> Summary:
    return Summary(
        documents=[DocRef(id=d.id, title=d.title, source=d.source) for d in docs],
        bullets=bullets,
        endpoint="fake",
    )


# ----------------------------------------------------------------- the seed report
def test_every_internal_link_target_exists(seed: tuple) -> None:
    _, _, root = seed
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    hrefs = [n.attrs["href"] for n in root.iter() if "href" in n.attrs]
    assert hrefs
    for h in hrefs:
        assert h.startswith("#"), h
        assert h[1:] in ids, h


def test_every_footnote_links_both_ways(seed: tuple) -> None:
    summary, _, root = seed
    for i, b in enumerate(summary.bullets):
        li = next(n for n in root.iter() if n.attrs.get("id") == f"b{i + 1}")
        fn = li.find_all("sup", "fn")[0]
        targets = [a.attrs["href"][2:] for a in fn.find_all("a")]
        assert len(targets) == len(b.citations)
        for n in targets:
            backs = [s for s in root.find_all("sup", "back") if s.attrs.get("data-c") == n]
            assert len(backs) == 1
            assert f"#b{i + 1}" in [a.attrs["href"] for a in backs[0].find_all("a")]


def test_highlighted_spans_are_the_cited_text(seed: tuple) -> None:
    summary, docs, root = seed
    n = 0
    for b in summary.bullets:
        for c in b.citations:
            n += 1
            marks = marks_for(root, "data-c", str(_footnote_no(root, c.start, c.end)))
            assert marks
            assert "".join(m.text() for m in marks) == docs[c.doc_id].text[c.start : c.end]
            assert c.text == docs[c.doc_id].text[c.start : c.end]
    assert n >= 5


def _footnote_no(root: Node, start: int, end: int) -> int:
    """The footnote number the Sources list gives to the span start–end."""
    for li in root.find_all("ol", "sources")[0].find_all("li"):
        if f"{start}–{end}" in li.text():
            return int(li.attrs["value"])
    raise AssertionError(f"no source item for {start}–{end}")


def test_source_text_is_rendered_whole(seed: tuple) -> None:
    _, docs, root = seed
    (article,) = doc_articles(root)
    (d,) = docs.values()
    assert source_text(article) == d.text


def test_figures_carry_verdict_and_link_to_evidence(seed: tuple) -> None:
    summary, docs, root = seed
    (d,) = docs.values()
    figs = [f for f in root.find_all(cls="fig") if f.tag == "a"]
    verdicts = [v for b in summary.bullets for v in (b.check.verdicts if b.check else [])]
    assert len(figs) == len(verdicts) >= 4
    assert {v.verdict for v in verdicts} >= {"supported", "contradicted"}
    for f, v in zip(figs, verdicts, strict=True):
        assert f"v-{v.verdict}" in f.classes
        assert f.text({"tip"}) == v.figure.text
        tip = f.find_all("span", "tip")[0].text()
        assert v.reason in tip
        target = f.attrs["href"][1:]
        marks = marks_for(root, "data-f", target)
        ev = v.evidence[0]
        assert "".join(m.text() for m in marks) == ev.text == d.text[ev.start : ev.end]
        assert all(f"v-{v.verdict}" in m.classes for m in marks)


def test_flagged_and_extractive_bullets_are_marked(seed: tuple) -> None:
    summary, _, root = seed
    items = root.find_all("li", "bullet")
    assert len(items) == len(summary.bullets)
    for b, li in zip(summary.bullets, items, strict=True):
        assert ("flagged" in li.classes) == b.flagged
        assert bool(li.find_all("span", "flag")) == b.flagged
        assert bool(li.find_all("span", "quoted")) == (b.origin == "extractive")
    flagged = next(li for li in items if "flagged" in li.classes)
    why = flagged.find_all("ul", "why")[0].text()
    assert "18,000" in why and "contradicted" in why and "8,000" in why


def test_self_contained(seed: tuple) -> None:
    summary, docs, root = seed
    page = render_html(summary, docs)
    for n in root.iter():
        for k in ("src", "href", "action", "data", "poster"):
            v = n.attrs.get(k, "")
            assert not re.match(r"\s*(https?:)?//", v), (n.tag, k, v)
        assert n.tag not in {"link", "img", "iframe", "object", "embed"}
        if n.tag == "script":
            assert "src" not in n.attrs
    assert not re.search(r"url\(|@import", page)
    header = root.find_all("header")[0].text()
    assert "NOT verified" in header and summary.endpoint in header


# ----------------------------------------------------------------- by hand
def test_source_markup_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    d = Document(
        id="x",
        title='<img src=x onerror="alert(2)">',
        source="evil.html",
        text=f"Intro {evil} line. The club signed 3 players & 2 coaches.",
    )
    s0 = d.text.index("The club")
    b = bullet(
        d, "1", f"The club signed 3 players {evil}", [cite(d, 6, s0 - 1), cite(d, s0, len(d.text))]
    )
    page = render_html(summary_of([d], [b]), {d.id: d})
    root = parse(page)
    assert len(root.find_all("script")) == 1  # only ours
    assert not root.find_all("img")
    (article,) = doc_articles(root)
    assert source_text(article) == d.text
    assert evil in root.find_all("li", "bullet")[0].text({"tip"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_overlapping_citations_link_to_every_citing_bullet() -> None:
    d = doc("Alpha beta gamma delta epsilon zeta eta theta.")
    a, b_ = cite(d, 0, 22), cite(d, 11, 35)  # overlap: "gamma delta"
    bullets = [
        bullet(d, "1", "Alpha and gamma.", [a]),
        bullet(d, "2", "Gamma and epsilon.", [b_]),
        bullet(d, "3", "Alpha again.", [a]),  # same span as bullet 1: same footnote
    ]
    root = parse(render_html(summary_of([d], bullets), {d.id: d}))
    assert "".join(m.text() for m in marks_for(root, "data-c", "1")) == d.text[0:22]
    assert "".join(m.text() for m in marks_for(root, "data-c", "2")) == d.text[11:35]
    both = [m for m in root.find_all("mark") if m.attrs.get("data-c") == "1 2"]
    assert [m.text() for m in both] == ["gamma delta"]
    assert both[0].attrs["data-b"] == "1 2 3"
    assert "multi" in both[0].classes
    (article,) = doc_articles(root)
    assert source_text(article) == d.text
    backs = {
        s.attrs["data-c"]: [a.attrs["href"] for a in s.find_all("a")]
        for s in root.find_all("sup", "back")
    }
    assert backs == {"1": ["#b1", "#b3"], "2": ["#b2"]}
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    assert {"c1", "c2", "b1", "b2", "b3"} <= ids
    # marks never nest
    assert all(not m.find_all("mark")[1:] for m in root.find_all("mark"))


def test_several_documents_each_in_its_section() -> None:
    d1 = doc("The plant employs 120 people. It opened in 2019.", 1)
    d2 = doc("Sales rose 12% in 2023. The plant employs 95 people.", 2)
    b1 = bullet(d1, "1", "The plant employs 120 people.", [cite(d1, 0, 29)])
    b2 = bullet(d2, "2", "Sales rose 12% in 2023.", [cite(d2, 0, 23)])
    b3 = bullet(d2, "3", "It opened in 2019.", [cite(d1, 30, len(d1.text))])  # evidence in d1
    b3 = b3.model_copy(
        update={
            "check": verify_claims(
                d1.text, [Claim(id="3", text=b3.text, citations=[(30, len(d1.text))])]
            ).checks[0]
        }
    )
    docs = {d1.id: d1, d2.id: d2}
    root = parse(render_html(summary_of([d1, d2], [b1, b2, b3]), docs))
    arts = doc_articles(root)
    assert [a.find_all("h2")[0].text() for a in arts] == ["Doc 1", "Doc 2"]
    assert [source_text(a) for a in arts] == [d1.text, d2.text]
    for f in (f for f in root.find_all("a", "fig")):
        (m, *_) = marks_for(root, "data-f", f.attrs["href"][1:])
        assert f.text({"tip"}) in m.text()
    # the 2019 figure's evidence is in document 1's section
    fig2019 = next(f for f in root.find_all("a", "fig") if f.text({"tip"}) == "2019")
    (m,) = marks_for(root, "data-f", fig2019.attrs["href"][1:])
    assert article_of(m) is arts[0]
    sources = root.find_all("ol", "sources")[0].text()
    assert "Doc 1" in sources and "Doc 2" in sources


def test_citation_of_a_missing_document_gets_no_dangling_link() -> None:
    d = doc("Revenue was $5 million.")
    ghost = SentenceCitation(doc_id="gone", start=0, end=5, text="Other", sentence=0)
    b = Bullet(id="1", text="Revenue was $5 million.", citations=[cite(d, 0, len(d.text)), ghost])
    root = parse(render_html(summary_of([d], [b]), {d.id: d}))
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    hrefs = [n.attrs["href"][1:] for n in root.iter() if "href" in n.attrs]
    assert set(hrefs) <= ids
    assert "[2]" in root.find_all("sup", "fn")[0].text()


# ----------------------------------------------------------------- looking at it
def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="chromium not installed")
def test_screenshot_in_headless_chromium(tmp_path: Path) -> None:
    mod = load_script()
    summary, docs = mod.build_seed_summary()
    page = tmp_path / "summary.html"
    page.write_text(render_html(summary, docs), encoding="utf-8")
    png = tmp_path / "shot.png"
    mod.screenshot(page, png, 900, 700)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (900, 700)
