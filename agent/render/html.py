"""One self-contained HTML report of a ``Summary``: bullets beside the highlighted source.

No external resources: inline CSS and a few lines of inline JS (the page works without it),
from ``templates/summary.html.j2`` (autoescaped: every text is escaped), ``summary.css`` and
``summary.js``; this module builds the view the template reads. Cited spans are drawn from
sorted, non-overlapping segments of each document, so a stretch cited by several bullets is
one ``<mark>`` that names all of them:

- ``<span id="cN">`` marks the start of footnote N's span; each ``<mark>`` lists the footnotes
  covering it in ``data-c``, the figure targets in ``data-f`` and the citing bullets in ``data-b``;
- after a span's end, ``<sup class="back">`` links back to each bullet citing it;
- each figure in a bullet links to ``#fI-J``, its first evidence span in the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Bullet, Document, Summary
from ..verify import FigureVerdict, Span
from .summary import (
    EXTRACTIVE_MARK,
    FLAG_MARK,
    LABEL,
    MARK,
    doc_label,
    failing,
    figure_spans,
    footer_parts,
    footnotes,
    one_line,
    verdict_counts,
)
from .templating import asset, page

# Worst first: a source stretch that is evidence for several figures shows the worst verdict.
_SEVERITY = ["contradicted", "not_found", "cited_elsewhere", "supported"]


@dataclass
class _Interval:
    start: int
    end: int
    anchor: str  # element id placed at ``start``
    fn: int = 0  # footnote number (citations)
    fig: str = ""  # figure target id (evidence)
    verdict: str = ""
    label: str = ""  # hover text of a figure target
    exact: bool = False  # the target is the source figure itself (not a whole sentence)
    bullets: list[int] = field(default_factory=list)  # 1-based bullet numbers


@dataclass
class _FigureLink:
    target: str | None  # anchor id in the source, None when the evidence is not shown
    doc_id: str | None
    span: Span | None


def _locate(span: Span, prefer: list[str], documents: dict[str, Document]) -> str | None:
    """The document whose text holds ``span`` at its offsets (cited documents first)."""
    for doc_id in [*prefer, *documents]:
        doc = documents.get(doc_id)
        if doc is not None and doc.text[span.start : span.end] == span.text and span.text:
            return doc_id
    return None


def _figure_links(
    bullets: list[Bullet], documents: dict[str, Document]
) -> list[list[tuple[int, int, FigureVerdict, _FigureLink]]]:
    out = []
    for i, b in enumerate(bullets):
        prefer = list(dict.fromkeys(c.doc_id for c in b.citations))
        row = []
        for j, (s, e, v) in enumerate(figure_spans(b)):
            link = _FigureLink(None, None, None)
            if v.evidence:
                ev = v.evidence[0]
                doc_id = _locate(ev, prefer, documents)
                if doc_id is not None:
                    link = _FigureLink(f"f{i + 1}-{j + 1}", doc_id, ev)
            row.append((s, e, v, link))
        out.append(row)
    return out


def _bullet_view(
    i: int,
    b: Bullet,
    nums: list[int],
    figs: list[tuple[int, int, FigureVerdict, _FigureLink]],
    shown: set[int],
) -> dict[str, Any]:
    cls = ["bullet", f"o-{b.origin}"]
    if not b.verified and b.origin != "extractive":
        cls.append("unverified")
    if b.flagged:
        cls.append("flagged")
    body: list[tuple[str, dict[str, Any] | None]] = []
    pos = 0
    for s, e, v, link in figs:
        body.append((b.text[pos:s], None))
        body.append((b.text[s:e], {"v": v, "target": link.target}))
        pos = e
    body.append((b.text[pos:], None))
    return {
        "pos": i + 1,
        "id": b.id,
        "cls": " ".join(cls),
        "flagged": b.flagged,
        "origin": b.origin,
        "body": body,
        "refs": [(n, n in shown) for n in nums],
        "failing": failing(b),
        "problems": b.problems,
        "model_text": b.model_text if b.model_text and b.model_text != b.text else None,
    }


def _segments(text: str, intervals: list[_Interval]) -> list[dict[str, Any]]:
    """``text`` cut at every interval boundary: plain text, ``<mark>`` segments (covered),
    anchors where intervals start and back links where citations end."""
    n = len(text)
    ivs = [iv for iv in intervals if 0 <= iv.start < iv.end <= n]
    points = sorted({0, n, *(iv.start for iv in ivs), *(iv.end for iv in ivs)})
    starts: dict[int, list[_Interval]] = {}
    ends: dict[int, list[_Interval]] = {}
    for iv in ivs:
        starts.setdefault(iv.start, []).append(iv)
        ends.setdefault(iv.end, []).append(iv)
    out: list[dict[str, Any]] = []
    for a, b in zip(points, [*points[1:], n], strict=True):
        out += [
            {"kind": "back", "fn": iv.fn, "bullets": iv.bullets} for iv in ends.get(a, []) if iv.fn
        ]
        out += [{"kind": "anchor", "id": iv.anchor} for iv in starts.get(a, [])]
        if a >= b:
            continue
        cover = [iv for iv in ivs if iv.start <= a and iv.end >= b]
        if not cover:
            out.append({"kind": "text", "text": text[a:b]})
            continue
        cites = [iv for iv in cover if iv.fn]
        figs = [iv for iv in cover if iv.fig]
        cls = []
        if cites:
            cls.append("cite" if len({k for iv in cites for k in iv.bullets}) < 2 else "cite multi")
        if figs:
            worst = min((iv.verdict for iv in figs), key=_SEVERITY.index)
            cls.append(f"ev v-{worst}")
            if any(iv.exact for iv in figs):
                cls.append("evfig")
        out.append(
            {
                "kind": "mark",
                "text": text[a:b],
                "cls": " ".join(cls),
                "cites": " ".join(str(iv.fn) for iv in cites),
                "figs": " ".join(iv.fig for iv in figs),
                "title": "; ".join(iv.label for iv in figs),
                "bullets": " ".join(map(str, sorted({k for iv in cover for k in iv.bullets}))),
            }
        )
    return out


def render_html(summary: Summary, documents: dict[str, Document]) -> str:
    """The whole report as one HTML string (UTF-8, no external resources)."""
    notes, per_bullet = footnotes(summary)
    figs = _figure_links(summary.bullets, documents)
    order = list(dict.fromkeys([d.id for d in summary.documents] + [f.doc_id for f in notes]))
    shown_docs = [d for d in order if d in documents]
    intervals: dict[str, list[_Interval]] = {d: [] for d in shown_docs}
    shown: set[int] = set()
    for fn in notes:
        if fn.doc_id in intervals and 0 <= fn.start < fn.end <= len(documents[fn.doc_id].text):
            shown.add(fn.n)
            bs = [k + 1 for k in fn.bullets]
            intervals[fn.doc_id].append(
                _Interval(fn.start, fn.end, f"c{fn.n}", fn=fn.n, bullets=bs)
            )
    for i, row in enumerate(figs):
        for _s, _e, v, link in row:
            if link.target and link.doc_id in intervals and link.span:
                iv = _Interval(
                    link.span.start, link.span.end, link.target, fig=link.target, verdict=v.verdict
                )
                iv.bullets = [i + 1]
                iv.label = f"bullet {i + 1}: “{v.figure.text}” {LABEL[v.verdict]}"
                sf = v.source_figure
                iv.exact = sf is not None and (sf.start, sf.end) == (iv.start, iv.end)
                intervals[link.doc_id].append(iv)

    title = ", ".join(doc_label(summary, d.id) for d in summary.documents) or "documents"
    parts = footer_parts(summary)
    multi = len(summary.documents) > 1
    return page(
        "summary.html.j2",
        title=title,
        verified=summary.verified,
        headline=parts[0],
        details=" · ".join(parts[2:]),
        counts=[(k, n) for k, n in verdict_counts(summary).items() if n],
        notice=summary.notice,
        bullets=[
            _bullet_view(i, b, per_bullet[i], figs[i], shown) for i, b in enumerate(summary.bullets)
        ],
        sources=[
            {
                "n": fn.n,
                "shown": fn.n in shown,
                "quote": one_line(fn.text, 240),
                "where": (f"{doc_label(summary, fn.doc_id)} · " if multi else "")
                + f"{fn.start}–{fn.end}",
                "bullets": [k + 1 for k in fn.bullets],
            }
            for fn in notes
        ],
        docs=[
            {
                "title": documents[d].title or documents[d].id,
                "source": documents[d].source,
                "size": f"{len(documents[d].text):,}",
                "segments": _segments(documents[d].text, intervals[d]),
            }
            for d in shown_docs
        ],
        css=asset("summary.css"),
        js=asset("summary.js"),
        MARK=MARK,
        LABEL=LABEL,
        FLAG_MARK=FLAG_MARK,
        QUOTED=EXTRACTIVE_MARK.strip("()"),
        one_line=one_line,
    )
