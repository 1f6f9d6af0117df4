"""Loading files into documents: canonical text, ids, titles, formats, errors, paths."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.documents import (
    SUPPORTED_SUFFIXES,
    canonicalize,
    doc_id_for,
    iter_paths,
    load_bytes,
    load_path,
    sniff_suffix,
)
from agent.errors import DecodeError, EmptyInputError, InputError, UnsupportedTypeError

DATA = Path(__file__).parent / "data"

# Text full of the characters canonicalize touches.
messy_text = st.text(
    alphabet=st.sampled_from(
        list("ab .,\n\t\r é\u0301e\u0301\ufeff\x00\x07\x0b\x0c\x85\u2028\u00a0\u3000 \x7f\x9f")
    )
    | st.characters(),
    max_size=200,
)


def make_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def one_line(exc: pytest.ExceptionInfo[BaseException], path: Path | str) -> None:
    message = str(exc.value)
    assert "\n" not in message
    assert str(path) in message


# ------------------------------------------------------------------ canonical text


def test_canonicalize_normalizes_once() -> None:
    raw = "\ufeffTitle \r\nline\r two\t \n\n\n\n\nca\u0301fe\x00 end\x07\n  indented\n\n"
    assert canonicalize(raw) == "Title\nline\n two\n\ncáfe end\n  indented"


def test_canonicalize_nfc_after_removing_controls() -> None:
    assert canonicalize("e\x00\u0301") == "\u00e9"


@given(messy_text)
def test_canonicalize_is_idempotent(text: str) -> None:
    once = canonicalize(text)
    assert canonicalize(once) == once
    assert "\r" not in once and "\x00" not in once and "\ufeff" not in once
    assert "\n\n\n" not in once
    assert once == once.strip()


@given(messy_text)
def test_doc_id_is_hash_of_canonical_text(text: str) -> None:
    doc_id = doc_id_for(text)
    assert len(doc_id) == 16 and int(doc_id, 16) >= 0
    assert doc_id == doc_id_for(canonicalize(text))


def test_same_content_same_id_across_newline_styles() -> None:
    a = load_bytes(b"One.\r\nTwo.\r\n", source="a", suffix=".txt")
    b = load_bytes(b"\xef\xbb\xbfOne.\nTwo.\n", source="b", suffix=".txt")
    assert a.id == b.id and a.text == b.text == "One.\nTwo."


# ------------------------------------------------------------------ formats


def test_txt_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("\n\n  First line is the title  \nBody with 12 items.\n", encoding="utf-8")
    doc = load_path(path)
    assert doc.title == "First line is the title"
    assert doc.source == str(path.absolute())
    assert doc.media_type == "text/plain"
    assert doc.text == "First line is the title\nBody with 12 items."
    assert doc.id == doc_id_for(doc.text)


def test_long_title_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 100, encoding="utf-8")
    title = load_path(path).title
    assert len(title) <= 120 and title.endswith("…")


def test_markdown_title_from_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    text = "Intro line before the heading.\n\n## Not this\n\n# The real title #\n\nBody *text*."
    path.write_text(text, encoding="utf-8")
    doc = load_path(path)
    assert doc.title == "The real title"
    assert doc.text == text  # markdown is kept as written
    assert doc.media_type == "text/markdown"


def test_markdown_without_h1_uses_first_line(tmp_path: Path) -> None:
    path = tmp_path / "x.markdown"
    path.write_text("## Section\n\nText.", encoding="utf-8")
    assert load_path(path).title == "Section"


def test_html_main_text_drops_boilerplate() -> None:
    doc = load_path(DATA / "article.html")
    assert doc.title == "Budget vote delayed again"
    assert doc.media_type == "text/html"
    text = doc.text
    for kept in (
        "raise spending by 4.2% to $1.3 billion",
        "review 17 amendments",
        "about 12,000 employees",
        "Schools: $420 million",
        "last year’s figures",
    ):
        assert kept in text
    for dropped in (
        "Sign in",
        "Home",
        "Celebrity",
        "winter gardening",
        "Copyright",
        "Privacy policy",
        "Cookie",
    ):
        assert dropped not in text
    # paragraphs are separated by blank lines; the <br> stays a line break
    assert "on Tuesday. The plan would raise spending by 4.2% to $1.3 billion.\n\nCouncil" in text
    assert "17 amendments.\nShe expects" in text
    assert text == canonicalize(text)


def test_html_without_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>x</title></head><body>  </body></html>")
    with pytest.raises(EmptyInputError) as exc:
        load_path(path)
    one_line(exc, path)


def test_html_legacy_encoding(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    html = "<html><body><p>Le café coûte 5 €, dit-il à 9 h.</p></body></html>"
    path.write_bytes(html.encode("cp1252"))
    doc = load_path(path)
    assert "Le café coûte 5 €" in doc.text
    assert doc.metadata["encoding"] == "cp1252"


def test_pdf_pages_are_exact(tmp_path: Path) -> None:
    pages = [
        "Quarterly report\n\nSales rose 12% to $4.5 million in Q3. Costs fell.",
        "",
        "Page three says 1,200 units shipped.\nEnd of report.",
    ]
    path = make_pdf(tmp_path / "report.pdf", pages, title="Q3 report")
    doc = load_path(path)
    assert doc.title == "Q3 report"
    assert doc.media_type == "application/pdf"
    spans = doc.metadata["pages"]
    assert len(spans) == 3
    assert doc.text == canonicalize(doc.text)
    first, blank, third = (doc.text[s:e] for s, e in spans)
    assert first.startswith("Quarterly report") and first.endswith("Costs fell.")
    assert blank == "" and spans[1] == [spans[0][1], spans[0][1]]
    assert third == "Page three says 1,200 units shipped.\nEnd of report."
    assert doc.text == first + "\n\n" + third
    assert spans[0][0] == 0 and spans[2][1] == len(doc.text)


def test_pdf_title_falls_back_to_first_line(tmp_path: Path) -> None:
    doc = load_path(make_pdf(tmp_path / "a.pdf", ["Annual summary\nMore text."]))
    assert doc.title == "Annual summary"


def test_pdf_without_text_is_empty(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", ["", ""])
    with pytest.raises(EmptyInputError) as exc:
        load_path(path)
    one_line(exc, path)


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_corrupt_pdf_is_decode_error(tmp_path: Path, cut: float) -> None:
    good = make_pdf(tmp_path / "good.pdf", ["Some text here."]).read_bytes()
    for name, data in (
        ("garbage.pdf", b"%PDF-1.7\n\x01\x02 not really a pdf " * 10),
        ("truncated.pdf", good[: int(len(good) * cut)]),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DecodeError) as exc:
            load_path(path)
        one_line(exc, path)


def test_stdin_bytes_are_sniffed(tmp_path: Path) -> None:
    html = (DATA / "article.html").read_bytes()
    assert sniff_suffix(html) == ".html"
    assert sniff_suffix(b"%PDF-1.4 ...") == ".pdf"
    assert sniff_suffix(b"plain words") == ".txt"
    doc = load_bytes(html, source="<stdin>")
    assert doc.media_type == "text/html" and "Celebrity" not in doc.text
    pdf = make_pdf(tmp_path / "p.pdf", ["From a pipe."]).read_bytes()
    assert load_bytes(pdf, source="<stdin>").text == "From a pipe."
    assert load_bytes(b"a <b>tag</b> in text", source="<stdin>").text == "a <b>tag</b> in text"


# ------------------------------------------------------------------ decoding


def test_encodings(tmp_path: Path) -> None:
    assert load_bytes("Hé €5".encode("utf-16"), "s", ".txt").text == "Hé €5"
    doc = load_bytes(b"caf\xe9 costs \x805", "s", ".txt")
    assert doc.text == "café costs €5" and doc.metadata["encoding"] == "cp1252"
    assert "encoding" not in load_bytes("café".encode(), "s", ".txt").metadata


# ------------------------------------------------------------------ errors


def test_missing_path(tmp_path: Path) -> None:
    for name in ("nope.txt", "nope.docx"):
        path = tmp_path / name
        with pytest.raises(InputError) as exc:
            load_path(path)
        assert type(exc.value) is InputError
        one_line(exc, path)


def test_folder_given_to_load_path(tmp_path: Path) -> None:
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    with pytest.raises(InputError) as exc:
        load_path(folder)
    one_line(exc, folder)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_path(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("hidden")
    path.chmod(0)
    try:
        with pytest.raises(InputError) as exc:
            load_path(path)
        one_line(exc, path)
        assert "permission" in str(exc.value)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("name", ["photo.png", "data.csv", "Makefile", "doc.docx"])
def test_unsupported_type(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("content")
    with pytest.raises(UnsupportedTypeError) as exc:
        load_path(path)
    one_line(exc, path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf\n", b"\n\n"])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf"])
def test_empty_inputs(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    with pytest.raises(EmptyInputError) as exc:
        load_path(path)
    one_line(exc, path)


@pytest.mark.parametrize(
    "data",
    [
        b"text\x00with NUL bytes",
        bytes(range(256)) * 4,
        b"\x81\x8d\x8f\x90\x9d not utf-8 and not cp1252",
        b"\x01\x02\x03\x04\x05\x06 mostly controls \x0e\x0f\x10\x11\x12",
        "\ufeffbroken".encode("utf-16")[:-1],
    ],
)
def test_binary_is_decode_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    with pytest.raises(DecodeError) as exc:
        load_path(path)
    one_line(exc, path)


def test_a_png_named_txt_is_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(64))
    with pytest.raises(DecodeError):
        load_path(path)


# ------------------------------------------------------------------ paths


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    files = [
        "b.txt",
        "a.md",
        "c.html",
        "d.pdf",
        "e.markdown",
        "f.htm",
        "image.png",
        "notes.csv",
        ".hidden.txt",
        ".git/config.txt",
        "sub/z.txt",
        "sub/deep/y.md",
        "drafts/old.txt",
        "node/.cache/x.txt",
    ]
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return root


def rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_folder_walk_is_sorted_and_skips_hidden(tree: Path) -> None:
    got = rel(list(iter_paths([tree])), tree)
    assert got == [
        "a.md",
        "b.txt",
        "c.html",
        "d.pdf",
        "e.markdown",
        "f.htm",
        "drafts/old.txt",
        "sub/z.txt",
        "sub/deep/y.md",
    ]
    assert all(p.endswith(SUPPORTED_SUFFIXES) for p in got)


def test_include_and_exclude(tree: Path) -> None:
    assert rel(list(iter_paths([tree], include=["*.md"])), tree) == ["a.md", "sub/deep/y.md"]
    assert rel(list(iter_paths([tree], include=["*.csv"])), tree) == ["notes.csv"]
    got = rel(list(iter_paths([tree], exclude=["drafts", "*.htm*", "sub/deep/*"])), tree)
    assert got == ["a.md", "b.txt", "d.pdf", "e.markdown", "sub/z.txt"]
    assert rel(list(iter_paths([tree], include=["sub/*"])), tree) == ["sub/z.txt", "sub/deep/y.md"]
    assert rel(list(iter_paths([tree], exclude=["**/deep/*.md"])), tree)[-1] == "sub/z.txt"


def test_files_given_by_name(tree: Path) -> None:
    png, missing = tree / "image.png", tree / "missing.txt"
    got = list(iter_paths([png, missing, tree / "a.md", tree, tree / "a.md"]))
    # named files come as given (load_path reports their errors); each file once
    assert got[:3] == [png, missing, tree / "a.md"]
    assert len(got) == len(set(got)) == 3 + 8
    assert list(iter_paths([tree / "a.md"], exclude=["a.md"])) == []


def test_pdf_lines_wrapped_inside_a_sentence_are_joined(tmp_path: Path) -> None:
    page = (
        "Annual figures\nInspections\nrose to 1,240. The inspec-\ntors visited 31 sites.\n"
        "- one\n- two"
    )
    doc = load_path(make_pdf(tmp_path / "w.pdf", [page]))
    assert "Inspections rose to 1,240." in doc.text
    assert "The inspectors visited 31 sites." in doc.text
    assert doc.text.startswith("Annual figures\n")  # a heading stays its own line
    assert "\n- one\n- two" in doc.text


def test_html_page_of_only_navigation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nav.html"
    path.write_text(
        "<html><body><nav><a href='/'>Home</a> | <a href='/a'>About</a></nav></body></html>"
    )
    with pytest.raises(EmptyInputError, match="no main text") as exc:
        load_path(path)
    one_line(exc, path)


# ---------------------------------------------------------------- offsets into the file
def test_canonical_map_reproduces_canonicalize_and_maps_back() -> None:
    from agent.documents import canonical_map

    raw = (
        "\ufeff  Cafe\u0301 prices rose 5%.  \r\n\r\n\r\n\r\nNext\x00 line here.\u2028"
        "Ha\u1100\u1161n end.\t \n"
    )
    mapped = canonical_map(raw)
    assert mapped is not None
    text, starts, ends = mapped
    assert text == canonicalize(raw) and len(starts) == len(ends) == len(text)
    first = "Café prices rose 5%."
    i = text.index(first)
    span = raw[starts[i] : ends[i + len(first) - 1]]
    assert span == "Cafe\u0301 prices rose 5%." and unicodedata.normalize("NFC", span) == first


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_citations_carry_offsets_into_the_original_file(
    cli: Any, tmp_path: Path, suffix: str
) -> None:
    lines = [
        "# Cafe\u0301 report" if suffix == ".md" else "Cafe\u0301 report",
        "",
        "The cafe\u0301 served 1,200 customers in March, its owners said on Monday.   ",
        "Prices at the café rose by 5% after the new menu was introduced in spring.",
        "",
        "",
        "",
        "Staff numbers grew from 12 to 15 people over the same three months, they said.",
        "The owners plan to open a second café in the old town next year, they added.",
    ]
    raw = "\ufeff" + "\r\n".join(lines) + "\r\n"
    path = tmp_path / f"cafe{suffix}"
    path.write_bytes(raw.encode("utf-8"))
    r = cli("summarize", str(path), "--extractive", "-n", "3", "-f", "json")
    assert r.code == 0, r
    data = json.loads(r.out)
    decoded = path.read_bytes().decode("utf-8-sig")
    cites = [c for b in data["bullets"] for c in b["citations"]]
    assert len(cites) == 3
    for c in cites:
        assert c["file_start"] is not None
        assert unicodedata.normalize("NFC", decoded[c["file_start"] : c["file_end"]]) == c["text"]
    assert any(c["file_start"] != c["start"] for c in cites)  # CRLF and NFD shift them


def test_html_and_changed_files_have_no_file_offsets(tmp_path: Path) -> None:
    from agent.documents import file_offsets

    html = tmp_path / "a.html"
    html.write_text(
        "<html><body><p>The plant employs 450 people in the town of Ohio, it said.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    assert file_offsets(load_path(html)) is None
    txt = tmp_path / "a.txt"
    txt.write_text("The plant employs 450 people in Ohio, the company said.\n", encoding="utf-8")
    doc = load_path(txt)
    assert file_offsets(doc) is not None
    txt.write_text("Changed since: the plant employs 500 people in Ohio.\n", encoding="utf-8")
    assert file_offsets(doc) is None


@given(
    st.text(
        alphabet=st.sampled_from(list("ab .\t\n\r\x00\x0b\ufeff\u2028é\u0301\u0327\u1100\u1161가")),
        max_size=60,
    )
)
def test_canonical_map_always_matches_canonicalize(raw: str) -> None:
    from agent.documents import canonical_map

    mapped = canonical_map(raw)
    assert mapped is not None and mapped[0] == canonicalize(raw)
    text, starts, ends = mapped
    for i, ch in enumerate(text):  # each character comes from where the map says
        if not ch.isspace():
            assert ch in canonicalize(raw[starts[i] : ends[i]])
