"""Load files (txt, md, html, pdf) into ``Document``s with one canonical text.

The canonical text (see ``canonicalize``) is computed once here; every offset any later
stage stores points into it. trafilatura and pypdf are imported inside the functions
that need them.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import DecodeError, EmptyInputError, InputError, UnsupportedTypeError
from .models import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}
TITLE_CHARS = 120
MIN_HTML_WORDS = 4  # a page with no line this long is navigation, not a document
MAX_CONTROL_RATIO = 0.05  # decoded text with more control characters than this is binary

_NEWLINES = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
# C0/C1 controls except \t and \n, the BOM (zero-width no-break space), lone surrogates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")
_ODD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff]")
_BLANK_RUNS = re.compile(r"\n{3,}")
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_START = re.compile(rb"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_MD_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)


def canonicalize(text: str) -> str:
    """The one normal form of a text; idempotent.

    Newlines (\\r\\n, \\r, \\v, \\f, NEL, U+2028/9) become \\n; control characters
    other than \\n and \\t, every BOM and lone surrogates are removed; Unicode NFC;
    trailing whitespace is stripped from each line; three or more newlines collapse to
    one blank line; leading/trailing whitespace of the whole text is removed.
    Indentation is kept.
    """
    if _ODD_CHARS.search(text):  # most texts have none: skip the slower passes
        text = _CONTROLS.sub("", _NEWLINES.sub("\n", text))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def doc_id_for(text: str) -> str:
    """Stable id: the first 16 hex digits of sha256 of the canonical text (UTF-8)."""
    return _content_hash(canonicalize(text))


def _content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ decoding


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Bytes to text, returning ``(text, encoding)``.

    Policy: a UTF-16/32 BOM decodes as that; otherwise NUL bytes mean binary; then UTF-8
    (a BOM is allowed), then cp1252 (legacy Windows/Latin-1 text). Text whose share of
    control characters exceeds ``MAX_CONTROL_RATIO`` is binary. Raises ``DecodeError``.
    """
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):  # fmt: skip
        if data.startswith(bom):
            try:
                return _check_text(data.decode(codec), source), codec
            except UnicodeDecodeError:
                raise DecodeError(f"{source}: invalid {codec.upper()} text") from None
    if b"\x00" in data:
        raise DecodeError(f"{source}: binary data (NUL bytes), not text")
    for codec in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return _check_text(text, source), "utf-8" if codec == "utf-8-sig" else codec
    raise DecodeError(f"{source}: not text (neither UTF-8 nor cp1252)")


def _check_text(text: str, source: str) -> str:
    sample = text[:65536]
    if _BINARY_CONTROLS.search(sample) and len(
        _BINARY_CONTROLS.findall(sample)
    ) > MAX_CONTROL_RATIO * len(sample):
        raise DecodeError(f"{source}: binary data (control characters), not text")
    return text


def sniff_suffix(data: bytes) -> str:
    """Guess a suffix for bytes with no name (stdin): .pdf, .html or .txt."""
    head = data[:1024].removeprefix(b"\xef\xbb\xbf")
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if _HTML_START.match(head):
        return ".html"
    return ".txt"


# ------------------------------------------------------------------ loading


def load_path(path: Path) -> Document:
    """Load one file. ``source`` is its absolute path. Raises ``InputError`` subclasses."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file")
        if not path.exists():
            raise InputError(f"{path}: no such file")
        shown = suffix or "no suffix"
        raise UnsupportedTypeError(
            f"{path}: unsupported file type ({shown}); use {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: cannot read (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return load_bytes(data, source=os.path.abspath(path), suffix=suffix, name=str(path))


def load_bytes(
    data: bytes, source: str, suffix: str | None = None, *, name: str | None = None
) -> Document:
    """Load bytes as a document of type ``suffix`` (``None``: sniff, as for stdin).

    ``name`` is what error messages call the input (default: ``source``).
    """
    name = name or source
    suffix = (suffix or sniff_suffix(data)).lower()
    if not suffix.startswith("."):
        suffix = "." + suffix
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedTypeError(f"{name}: unsupported file type ({suffix})")
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise EmptyInputError(f"{name}: empty")
    metadata: dict[str, Any] = {}
    if suffix == ".pdf":
        text, title, pages = _pdf_text(data, name)
        metadata["pages"] = pages
    else:
        raw, encoding = decode_bytes(data, name)
        if encoding != "utf-8":
            metadata["encoding"] = encoding
        if suffix in (".html", ".htm"):
            text, title = _html_text(raw)
            if text and not any(len(line.split()) >= MIN_HTML_WORDS for line in text.split("\n")):
                raise EmptyInputError(
                    f"{name}: no main text (only {len(text.split())} words of links or labels, "
                    f"e.g. {_trim_title(text)!r})"
                )
        else:
            text = canonicalize(raw)
            title = _markdown_title(text) if suffix in (".md", ".markdown") else None
    if not text:
        what = "no extractable text" if suffix in (".pdf", ".html", ".htm") else "empty"
        raise EmptyInputError(f"{name}: {what}")
    return Document(
        id=_content_hash(text),  # text is canonical already
        title=_trim_title(title) or _first_line_title(text),
        source=source,
        text=text,
        media_type=MEDIA_TYPES[suffix],
        metadata=metadata,
    )


def _trim_title(title: str | None) -> str:
    title = " ".join((title or "")[: TITLE_CHARS * 4].split())
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[: TITLE_CHARS - 1]
    if " " in cut[TITLE_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def _first_line_title(text: str) -> str:
    for line in text.split("\n", 100):
        line = line.strip().lstrip("#").strip()
        if line:
            return _trim_title(line)
    return ""


def _markdown_title(text: str) -> str | None:
    match = _MD_H1.search(text)
    return match.group(1) if match else None


def _html_text(html: str) -> tuple[str, str | None]:
    """Main text of a page (trafilatura), one block per paragraph, and its title."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_tables=True, include_comments=False
        )
    except Exception:  # trafilatura/lxml failures on odd markup: fall back below
        doc = None
    title = getattr(doc, "title", None) if doc is not None else None
    body = getattr(doc, "body", None) if doc is not None else None
    text = canonicalize(_blocks_text(body)) if body is not None else ""
    if not text:
        text = canonicalize(trafilatura.html2txt(html) or "")
    return text, title


def _blocks_text(body: Any) -> str:
    """Text of trafilatura's XML body with a blank line between top-level blocks.

    Falls back to trafilatura's own flat text if the per-block text lost anything.
    """
    from trafilatura.xml import xmltotxt

    whole = xmltotxt(body, False) or ""
    parts = [(body.text or "").strip()]
    parts += [(xmltotxt(child, False) or "").strip() for child in body]
    blocks = "\n\n".join(p for p in parts if p)
    if "".join(blocks.split()) != "".join(whole.split()):
        return whole
    return blocks


# A PDF line wrapped mid-sentence: the next line starts with a lower-case letter. A word
# hyphenated at the wrap ("inspec-" / "tions") is joined without its hyphen.
_WRAPPED = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n[ \t]*(?=[a-z])")
_HYPHENATED = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")


def unwrap_lines(text: str) -> str:
    """Join the lines a PDF wrapped inside a sentence; keep headings, lists and blocks."""
    return _WRAPPED.sub(" ", _HYPHENATED.sub("", text))


def _pdf_text(data: bytes, name: str) -> tuple[str, str | None, list[list[int]]]:
    """Text of each page joined by blank lines, the metadata title, and page spans."""
    import io
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DecodeError(f"{name}: encrypted PDF (password needed)")
        pages = [canonicalize(unwrap_lines(page.extract_text() or "")) for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except DecodeError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise DecodeError(f"{name}: cannot read PDF ({type(exc).__name__}: {exc})") from None
    spans: list[list[int]] = []
    parts: list[str] = []
    at = 0
    for page in pages:
        if page:
            if parts:
                at += 2  # the "\n\n" joining this page to the previous one
            parts.append(page)
            spans.append([at, at + len(page)])
            at += len(page)
        else:
            spans.append([at, at])
    text = "\n\n".join(parts)
    return text, str(meta_title) if meta_title else None, spans


# ------------------------------------------------------------------ paths


def iter_paths(
    paths: Iterable[Path],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    on_error: Callable[[OSError], None] | None = None,
) -> Iterator[Path]:
    """Expand files and folders into the files to load, in a deterministic order.

    A file given by name is yielded as is (even with an unsupported type or when missing,
    so that ``load_path`` reports it), unless an exclude glob matches it. Folders are
    walked recursively in sorted order, skipping hidden files and folders; inside them
    only supported types are taken, or, with include globs, files matching one of them.
    Globs match the path relative to the folder, its file name or any parent folder
    name (``*.md``, ``drafts``, ``notes/*.txt``, ``**/old/*``). Each file comes once.
    A folder that cannot be read is passed to ``on_error`` (ignored without one).
    """
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = _walk(path, include, exclude, on_error)
        elif _matches_any(PurePosixPath(path.as_posix()), exclude):
            continue
        else:
            found = iter([path])
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                yield item


def _walk(
    root: Path,
    include: list[str] | None,
    exclude: list[str] | None,
    on_error: Callable[[OSError], None] | None = None,
) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        here = Path(dirpath)
        rel_dir = PurePosixPath(here.relative_to(root).as_posix())
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not _matches_any(rel_dir / d, exclude)
        )
        for fname in sorted(filenames):
            if fname.startswith("."):
                continue
            rel = rel_dir / fname
            if include:
                if not _matches_any(rel, include):
                    continue
            elif Path(fname).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if _matches_any(rel, exclude):
                continue
            yield here / fname


def _matches_any(rel: PurePosixPath, patterns: list[str] | None) -> bool:
    if not patterns:
        return False
    candidates = {rel.as_posix(), rel.name, *(p.name for p in rel.parents if p.name)}
    candidates |= {p.as_posix() for p in rel.parents if p.name}
    for pattern in patterns:
        pattern = pattern.strip().rstrip("/")
        bare = pattern.removeprefix("**/")
        for pat in {pattern, bare}:
            if any(fnmatchcase(c, pat) for c in candidates) or (pat and rel.match(pat)):
                return True
    return False


# ------------------------------------------------------------------ offsets into the file
def _cluster_break(c: str) -> bool:
    """May NFC composition start a new unit before ``c``? (not a combining mark or jamo)"""
    o = ord(c)
    return unicodedata.combining(c) == 0 and not (0x1160 <= o <= 0x11FF)


def canonical_map(raw: str) -> tuple[str, list[int], list[int]] | None:
    """``canonicalize(raw)`` with, for each of its characters, the span of ``raw`` it came
    from: ``(canonical, starts, ends)``. So ``raw[starts[i]:ends[j - 1]]`` is what canonical
    ``[i:j]`` was made from, and ``canonicalize`` of it (NFC when no newline, control
    character or trailing space was dropped inside) equals ``canonical[i:j]``. ``None`` if
    the map does not reproduce ``canonicalize`` (never expected; callers then do without)."""
    items: list[tuple[str, int, int]] = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "\r" and i + 1 < n and raw[i + 1] == "\n":
            items.append(("\n", i, i + 2))
            i += 2
            continue
        if _NEWLINES.fullmatch(c):
            items.append(("\n", i, i + 1))
        elif not _CONTROLS.fullmatch(c):
            items.append((c, i, i + 1))
        i += 1
    # NFC, one cluster (a starter and what follows it) at a time
    out: list[tuple[str, int, int]] = []
    k = 0
    while k < len(items):
        m = k + 1
        while m < len(items) and not _cluster_break(items[m][0]):
            m += 1
        chunk = "".join(t[0] for t in items[k:m])
        if m - k == 1 or unicodedata.is_normalized("NFC", chunk):
            out.extend(items[k:m])
        else:
            s, e = items[k][1], items[m - 1][2]
            out.extend((ch, s, e) for ch in unicodedata.normalize("NFC", chunk))
        k = m
    # trailing whitespace of each line
    kept: list[tuple[str, int, int]] = []
    line: list[tuple[str, int, int]] = []
    for t in out:
        if t[0] == "\n":
            while line and line[-1][0].isspace():
                line.pop()
            kept.extend(line)
            kept.append(t)
            line = []
        else:
            line.append(t)
    while line and line[-1][0].isspace():
        line.pop()
    kept.extend(line)
    # runs of 3+ newlines -> 2, then the whole text stripped
    final: list[tuple[str, int, int]] = []
    run = 0
    for t in kept:
        run = run + 1 if t[0] == "\n" else 0
        if run <= 2:
            final.append(t)
    a, b = 0, len(final)
    while a < b and final[a][0].isspace():
        a += 1
    while b > a and final[b - 1][0].isspace():
        b -= 1
    final = final[a:b]
    text = "".join(t[0] for t in final)
    if text != canonicalize(raw):
        return None
    return text, [t[1] for t in final], [t[2] for t in final]


TEXT_MEDIA = ("text/plain", "text/markdown")


def file_offsets(doc: Document) -> tuple[list[int], list[int]] | None:
    """For a txt/md document whose file (``doc.source``) still holds the same text: per
    canonical character, its span in the file's decoded text (characters, BOM excluded).
    ``None`` for other formats, stdin, or a file that changed or is gone."""
    if doc.media_type not in TEXT_MEDIA or not doc.source or doc.source.startswith("bump:"):
        return None
    try:
        data = Path(doc.source).read_bytes()
        raw, _ = decode_bytes(data, doc.source)
    except (OSError, InputError):
        return None
    mapped = canonical_map(raw)
    if mapped is None or mapped[0] != doc.text:
        return None
    return mapped[1], mapped[2]
