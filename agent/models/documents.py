"""Documents, sentences, chunks and citations: what ingestion stores and every stage cites.

Offsets are always character offsets (Python ``str`` indices) into ``Document.text``,
the canonical text, so ``doc.text[start:end]`` is the exact span.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Document(Model):
    """A loaded document. ``id`` is a hash of ``text``; every offset points into ``text``."""

    id: str
    title: str
    source: str
    text: str
    media_type: str = "text/plain"
    metadata: dict[str, Any] = Field(default_factory=dict)


class Sentence(Model):
    """A sentence span. ``index`` is its position in the document (0-based)."""

    index: int
    start: int
    end: int


class Chunk(Model):
    """An overlapping window of whole sentences."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: list[Sentence]

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.index}"


class Citation(Model):
    """An exact span of a stored document."""

    doc_id: str
    start: int
    end: int
    text: str = ""


class DocInfo(Model):
    """What the store knows about one ingested document (without its text)."""

    id: str
    title: str
    source: str
    media_type: str
    chars: int
    chunks: int
    ingested_at: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)  # every file with this content


class SearchHit(Model):
    doc_id: str
    chunk_index: int
    start: int
    end: int
    text: str
    score: float
    title: str = ""
    source: str = ""
