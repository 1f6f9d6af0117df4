"""The numbered context: the sentences of one or more documents, numbered ``[S1] ...`` as the
model sees them, and the exact citations an id stands for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .models import Document, Sentence, SentenceCitation

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Source:
    """A document and its sentence spans (stored spans for ingested documents)."""

    doc: Document
    sentences: list[Sentence]


@dataclass(frozen=True)
class Unit:
    """One numbered sentence shown to the model: ``[S{sid}]``."""

    sid: int
    doc: Document
    sentence: Sentence

    @property
    def text(self) -> str:
        return self.doc.text[self.sentence.start : self.sentence.end]

    @property
    def line(self) -> str:
        return f"[S{self.sid}] " + " ".join(self.text.split())


def source_from_file(path: Path | str) -> Source:
    """Load a file (not stored) and split it into sentences."""
    from .chunking import split_sentences
    from .documents import load_path

    doc = load_path(Path(path))
    return Source(doc, split_sentences(doc.text))


def source_from_store(store: Store, doc_id: str) -> Source:
    """An ingested document with the sentence spans its chunks recorded."""
    doc = store.get_document(doc_id)
    sentences = store.sentences(doc.id)
    if not sentences:
        from .chunking import split_sentences

        sentences = split_sentences(doc.text)
    return Source(doc, sentences)


class Context:
    def __init__(self, sources: Sequence[Source]):
        self.sources = list(sources)
        self.units: list[Unit] = []
        for src in self.sources:
            for s in src.sentences:
                self.units.append(Unit(len(self.units) + 1, src.doc, s))
        self.by_sid = {u.sid: u for u in self.units}
        self.docs = {src.doc.id: src.doc for src in self.sources}
        self.spans = {src.doc.id: [(s.start, s.end) for s in src.sentences] for src in self.sources}
        self.multi = len(self.sources) > 1
        self._file_maps: dict[str, tuple[list[int], list[int]] | None] = {}

    def file_span(self, doc: Document, start: int, end: int) -> tuple[int | None, int | None]:
        """The span in the document's original file (txt/md), if known."""
        from .documents import file_offsets

        if doc.id not in self._file_maps:
            self._file_maps[doc.id] = file_offsets(doc)
        m = self._file_maps[doc.id]
        if m is None or not 0 <= start < end <= len(m[0]):
            return None, None
        return m[0][start], m[1][end - 1]

    def numbered(self, shown: dict[int, Unit]) -> str:
        """The sentences as the model sees them: ``[S{shown id}] text``, by document."""
        lines: list[str] = []
        current = None
        for i, u in shown.items():
            if self.multi and u.doc.id != current:
                current = u.doc.id
                lines.append(f"## Document {u.doc.id[:12]}: {u.doc.title or u.doc.source}")
            lines.append(f"[S{i}] " + " ".join(u.text.split()))
        return "\n".join(lines)

    def citations(self, sids: Sequence[int]) -> list[SentenceCitation]:
        out = []
        for sid in sorted(set(sids)):
            u = self.by_sid[sid]
            fs, fe = self.file_span(u.doc, u.sentence.start, u.sentence.end)
            out.append(
                SentenceCitation(
                    doc_id=u.doc.id,
                    start=u.sentence.start,
                    end=u.sentence.end,
                    text=u.text,
                    sentence=u.sentence.index,
                    file_start=fs,
                    file_end=fe,
                )
            )
        return out
