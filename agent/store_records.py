"""How chunks, documents and sources are written into Chroma's metadata, and read back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from .models import Chunk, DocInfo, Sentence

STDIN = "<stdin>"  # the source of a document read from standard input
PENDING, COMPLETE, SUPERSEDED = "pending", "complete", "superseded"  # a document's status


def where_in(field: str, values: Sequence[str]) -> dict[str, Any]:
    vals = list(values)
    return {field: vals[0]} if len(vals) == 1 else {field: {"$in": vals}}


def source_key(source: str, doc_id: str) -> str:
    """One record per source path; stdin has no path, so each stdin document keeps its own."""
    key = f"{STDIN}\0{doc_id}" if source == STDIN else source
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def chunk_meta(c: Chunk) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id,
        "chunk_index": c.index,
        "start": c.start,
        "end": c.end,
        "sentences": json.dumps([[s.index, s.start, s.end] for s in c.sentences]),
    }


def chunk_from(meta: dict[str, Any], text: str) -> Chunk:
    return Chunk(
        doc_id=str(meta["doc_id"]),
        index=int(meta["chunk_index"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        sentences=[
            Sentence(index=i, start=s, end=e) for i, s, e in json.loads(str(meta["sentences"]))
        ],
    )


def doc_info(doc_id: str, m: dict[str, Any], sources: Sequence[str] = ()) -> DocInfo:
    return DocInfo(
        id=doc_id,
        title=str(m.get("title", "")),
        source=sources[0] if sources else str(m.get("source", "")),
        sources=list(sources) or [str(m.get("source", ""))],
        media_type=str(m.get("media_type", "")),
        chars=int(m.get("chars", 0)),
        chunks=int(m.get("chunks", 0)),
        ingested_at=str(m.get("ingested_at", "")),
        metadata=json.loads(str(m.get("extra", "{}"))),
    )
