"""Sentences and overlapping chunks, as exact offsets into ``Document.text``.

Sentence boundaries come from sentencex (Wikimedia's rule-based splitter: fast, maintained,
reports character offsets); line breaks are hard boundaries too, so headlines, bullets and
bylines never merge with the next line. This is the only place text is split: later stages
cite sentences by their document-level index.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from .errors import ConfigError
from .models.documents import Chunk, Document, Sentence

MAX_SENTENCE_CHARS = 600

_LINE = re.compile(r"[^\n]+")
_NON_WS = re.compile(r"\S")
_MARKER_ONLY = re.compile(r"\(?\d{1,3}[.)]")
# A list number after a closing quote/bracket, "!", "?" or a spaced " ." (not after a
# word's dot: "on Jan. 5." keeps its day).
_TRAILING_MARKER = re.compile(r"(?:(?<=[!?'\"’”)])|(?<=\s\.))\s+(\(?\d{1,3}[.)])$")
# sentencex reads "May." (like "Feb.", "Gen.") as an abbreviation unless a common sentence
# starter follows, so "in May. Sevilla won" stays one sentence. Full month and weekday names
# are words, never abbreviations: their full stop ends a sentence when a capital, a digit or
# an opening quote follows.
_FULL_WORD_STOP = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\.(?=\s+[\"'“‘(]?[A-Z0-9])"
)
# Preferred places to cut an over-long sentence, best first: after ; or : then after a
# comma, then at any whitespace.
_CUT_CLASSES = (re.compile(r"[;:]\s"), re.compile(r",\s"), re.compile(r"\s"))


def split_sentences(
    text: str, language: str = "en", max_chars: int = MAX_SENTENCE_CHARS
) -> list[Sentence]:
    """Sentence spans of ``text``: sorted, non-overlapping, stripped of surrounding
    whitespace, together covering every non-whitespace character; none longer than
    ``max_chars`` (longer ones are cut at a clause break, a space, or hard)."""
    return list(iter_sentences(text, language, max_chars))


def iter_sentences(
    text: str, language: str = "en", max_chars: int = MAX_SENTENCE_CHARS
) -> Iterator[Sentence]:
    """``split_sentences`` one sentence at a time."""
    index = 0
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        for start, end in _line_sentences(line.group(), language):
            for s, e in _cut_long(text, line.start() + start, line.start() + end, max_chars):
                yield Sentence(index=index, start=s, end=e)
                index += 1


def _line_sentences(line: str, language: str) -> Iterator[tuple[int, int]]:
    """Stripped sentence spans within one line; the splitter only proposes cut points."""
    import sentencex

    cuts = {0, len(line)}
    try:
        for b in sentencex.get_sentence_boundaries(language, line):
            end = b.get("end_index")
            if isinstance(end, int) and 0 < end < len(line):
                cuts.add(end)
    except Exception:  # an unknown language code or a splitter bug: keep the line whole
        pass
    if language == "en":
        cuts.update(m.end() for m in _FULL_WORD_STOP.finditer(line))
    spans = [span for a, b in itertools.pairwise(sorted(cuts)) if (span := _strip(line, a, b))]
    yield from _attach_list_markers(line, spans)


def _attach_list_markers(line: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Keep inline list numbers with their item: "... trip . 1. START EARLY: ..." splits as
    "... trip ." | "1. START EARLY: ...", not "1." alone or "... delicious.' 2." | "Tip ..."."""
    carry: int | None = None
    for i, (start, end) in enumerate(spans):
        if carry is not None:
            start, carry = carry, None
        if i + 1 < len(spans):
            if _MARKER_ONLY.fullmatch(line, start, end):
                carry = start
                continue
            trailing = (
                _TRAILING_MARKER.search(line, max(start, end - 12), end)
                if line[end - 2].isdigit()
                else None
            )
            if (
                trailing
                and line[spans[i + 1][0]].isupper()
                and (head := _strip(line, start, trailing.start()))
            ):
                yield head
                carry = trailing.start(1)
                continue
        yield start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    first = _NON_WS.search(text, start, end)
    if first is None:
        return None
    start = first.start()
    while text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split ``text[start:end]`` into stripped pieces of at most ``max_chars``."""
    while end - start > max_chars:
        lo, hi = start + max_chars // 2, start + max_chars
        cut = hi
        for pattern in _CUT_CLASSES:
            found = [m.end() - 1 for m in pattern.finditer(text, lo, hi + 1)]
            if found:
                cut = found[-1]  # the whitespace after the break
                break
        piece = _strip(text, start, cut)
        if piece:
            yield piece
        rest = _strip(text, cut, end)
        if rest is None:
            return
        start = rest[0]
    yield start, end


def chunk_document(doc: Document, chunk_chars: int = 1000, overlap: int = 1) -> list[Chunk]:
    """Windows of whole consecutive sentences of at most ``chunk_chars`` characters.

    A chunk spans its first sentence's start to its last sentence's end, so
    ``chunk.text == doc.text[chunk.start:chunk.end]``; a single sentence longer than
    ``chunk_chars`` cannot occur (sentences are cut at ``min(600, chunk_chars)``).
    Neighbours share ``overlap`` sentences, fewer where a shared sentence would leave no
    room for a new one. Every sentence is in at least one chunk. Deterministic.
    """
    return list(iter_chunks(doc, chunk_chars, overlap))


def iter_chunks(doc: Document, chunk_chars: int = 1000, overlap: int = 1) -> Iterator[Chunk]:
    """``chunk_document`` one chunk at a time: sentences are split as the chunks need them,
    so a big document's sentences and chunks never all exist at once."""
    if chunk_chars < 1:
        raise ConfigError(f"chunk size must be at least 1 character, not {chunk_chars}")
    if overlap < 0:
        raise ConfigError(f"chunk overlap must be 0 or more sentences, not {overlap}")
    sentences = iter_sentences(doc.text, max_chars=min(MAX_SENTENCE_CHARS, chunk_chars))
    return _iter_windows(doc, sentences, chunk_chars, overlap)


def chunk_sentences(
    doc: Document, sentences: list[Sentence], chunk_chars: int, overlap: int
) -> list[Chunk]:
    """Group already split ``sentences`` of ``doc`` into overlapping chunks."""
    return list(_iter_windows(doc, iter(sentences), chunk_chars, overlap))


class _Window:
    """Sentences pulled from an iterator as they are needed, forgetting the ones behind."""

    def __init__(self, it: Iterator[Sentence]):
        self.it, self.buf, self.base, self.done = it, list[Sentence](), 0, False

    def has(self, k: int) -> bool:
        while not self.done and k >= self.base + len(self.buf):
            try:
                self.buf.append(next(self.it))
            except StopIteration:
                self.done = True
        return k < self.base + len(self.buf)

    def __getitem__(self, k: int) -> Sentence:
        return self.buf[k - self.base]

    def span(self, a: int, b: int) -> list[Sentence]:
        return self.buf[a - self.base : b - self.base]

    def forget_before(self, k: int) -> None:
        if k - self.base > 256:
            del self.buf[: k - self.base]
            self.base = k


def _iter_windows(
    doc: Document, it: Iterator[Sentence], chunk_chars: int, overlap: int
) -> Iterator[Chunk]:
    sentences = _Window(it)
    first, index = 0, 0
    while sentences.has(first):
        sentences.forget_before(first)
        start = sentences[first].start
        last = first
        while sentences.has(last + 1) and sentences[last + 1].end - start <= chunk_chars:
            last += 1
        end = sentences[last].end
        yield Chunk(
            doc_id=doc.id,
            index=index,
            start=start,
            end=end,
            text=doc.text[start:end],
            sentences=sentences.span(first, last + 1),
        )
        index += 1
        if not sentences.has(last + 1):
            break
        # Share up to ``overlap`` sentences, fewer where sharing them would leave no room
        # for a new one (a chunk must never fall inside its predecessor).
        first = max(first + 1, last + 1 - overlap)
        while first <= last and sentences[last + 1].end - sentences[first].start > chunk_chars:
            first += 1
