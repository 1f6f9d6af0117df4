"""The Chroma store, the public face of ``store_client`` (the connection, the lock, the
generation), ``store_docs`` (reading documents), ``store_search`` and ``store_records`` (the
metadata records); writing documents is here. chromadb is imported only in ``store_client``.

Three collections per store name ``N``:

- ``N`` holds chunks: the chunk text, its vector, and metadata (doc_id, chunk index, start/end
  offsets into the document text, the sentence spans inside it as JSON).
- ``N-docs`` holds one record per document (one per distinct content): the canonical text (what
  every offset points into) and its metadata, including a ``status``.
- ``N-sources`` holds one record per source path, naming the document that is its current
  version. Identical files share one document and each keeps its own source record.

The placeholder vectors of the last two are 1-d; they are never queried.

A document is *current* when it is ``complete`` and at least one source record names it; every
read (list, show, search, ask) sees current documents only. Writing a document: its record goes
in as ``pending``, then its chunks, then it is marked ``complete``, then its sources are pointed
at it (one write per source, so a source names exactly one document at every instant), then the
versions no source names any more are dropped (``superseded``, chunks deleted, record deleted).
A ``kill -9`` anywhere leaves at most invisible leftovers; ``recover()`` (run by every ingest)
removes them. Chunk ids are deterministic (``doc_id:index``): re-adding is an upsert.

Concurrency: the embedded store is guarded by an inter-process lock (``filelock``) held around
every operation, and writers (ingest, docs rm) also hold a writer lock for their whole run, so
there is one writer at a time and readers see the state between two writes. A process that
finds the store locked says so on stderr and waits up to ``VERISUM_LOCK_TIMEOUT`` seconds. After
another process wrote, a process reopens its client before reading (an embedded Chroma client
does not see other processes' vector writes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .models import Chunk, Document
from .store_client import LAYOUT, StoreClient, store_op
from .store_records import (
    COMPLETE,
    PENDING,
    SUPERSEDED,
    chunk_meta,
    source_key,
    where_in,
)
from .store_search import StoreSearch

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import Embedder
    from .settings import Settings

__all__ = [
    "ADD_BATCH",
    "COMPLETE",
    "LAYOUT",
    "PENDING",
    "SUPERSEDED",
    "Store",
    "StoreClient",
    "open_store",
]

ADD_BATCH = 1000  # chunks per Chroma call; well under Chroma's max batch size


class Store(StoreSearch):
    """Chunks and documents in Chroma, embedded or behind a server: reads and search from its
    bases, the writes (pending, chunks, complete, sources, drops) and their recovery here."""

    def _migrate(self) -> None:
        """Layout 1 kept the source only in the document record: give each source a record
        naming its newest complete document."""
        if self.sources.count() == 0 and self.docs.count():
            got = self.docs.get(where={"status": COMPLETE}, include=["metadatas"])
            newest: dict[str, tuple[str, str, str]] = {}  # key -> (stamp, doc_id, source)
            for doc_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                source = str(meta.get("source", ""))
                key = source_key(source, doc_id)
                row = (str(meta.get("ingested_at", "")), doc_id, source)
                if key not in newest or row > newest[key]:
                    newest[key] = row
            self._put_sources([(k, src, d) for k, (_, d, src) in newest.items()])
        meta = dict(self.chunks.metadata or {})
        meta["layout"] = LAYOUT
        self.chunks.modify(metadata=meta)
        self._dirty = True

    def _put_sources(self, rows: Sequence[tuple[str, str, str]]) -> None:
        for i in range(0, len(rows), ADD_BATCH):
            part = rows[i : i + ADD_BATCH]
            self.sources.upsert(
                ids=[k for k, _, _ in part],
                embeddings=[[1.0]] * len(part),
                metadatas=[{"source": s, "doc_id": d} for _, s, d in part],
            )
        self._dirty = True

    @store_op
    def begin_documents(self, docs: Sequence[Document]) -> None:
        """Write records of new documents as ``pending`` and clear any chunks an interrupted
        earlier write of them left."""
        if not docs:
            return
        self.check_model(claim=True)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        ids = [doc.id for doc in docs]
        self.docs.upsert(
            ids=ids,
            embeddings=[[1.0]] * len(ids),
            documents=[doc.text for doc in docs],
            metadatas=[
                {
                    "title": doc.title,
                    "source": doc.source,
                    "media_type": doc.media_type,
                    "chars": len(doc.text),
                    "chunks": 0,  # counted when complete
                    "ingested_at": now,
                    "extra": json.dumps(doc.metadata, ensure_ascii=False),
                    "embedding_model": self.embedder.name,
                    "status": PENDING,
                }
                for doc in docs
            ],
        )
        self.chunks.delete(where=where_in("doc_id", ids))
        self._dirty = True

    @store_op
    def write_chunks(
        self, chunks: Sequence[Chunk], vectors: np.ndarray | Sequence[Sequence[float]]
    ) -> None:
        """Upsert chunks with their vectors, at most ``ADD_BATCH`` per Chroma call."""
        import numpy as np

        if not chunks:
            return
        vecs = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1)
        for i in range(0, len(chunks), ADD_BATCH):
            part = chunks[i : i + ADD_BATCH]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vecs[i : i + ADD_BATCH],
                documents=[c.text for c in part],
                metadatas=[chunk_meta(c) for c in part],
            )
        self._dirty = True

    @store_op
    def complete_documents(self, done: Sequence[tuple[str, int]]) -> None:
        """Mark documents whose chunks are all written ``complete``, with their chunk counts."""
        if done:
            self.docs.update(
                ids=[i for i, _ in done],
                metadatas=[{"status": COMPLETE, "chunks": n} for _, n in done],
            )
            self._dirty = True

    @store_op
    def link_sources(self, links: Sequence[tuple[str, str]]) -> list[str]:
        """Make each ``(source, doc_id)`` source's current version that document, then drop
        the versions no source names any more. Returns the dropped ids."""
        if not links:
            return []
        rows = {source_key(s, d): (s, d) for s, d in links}
        before = self.sources.get(ids=list(rows), include=["metadatas"])
        old = {str(m["doc_id"]) for m in before["metadatas"] or []}
        self._put_sources([(k, s, d) for k, (s, d) in rows.items()])
        return self._collect(old - {d for _, d in links})

    def _collect(self, candidates: Iterable[str]) -> list[str]:
        """Drop the candidates no source record names."""
        ids = sorted(set(candidates))
        if not ids:
            return []
        named = set(self.sources_of(ids))
        dropped = [i for i in ids if i not in named]
        for doc_id in dropped:
            self._drop(doc_id)
        return dropped

    def add_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: np.ndarray | Sequence[Sequence[float]],
        *,
        replaces: Iterable[str] = (),
    ) -> None:
        """Store a document and its chunks; then drop the versions it replaces."""
        self.add_documents([(doc, chunks, vectors, replaces)])

    @store_op
    def add_documents(
        self,
        items: Sequence[
            tuple[Document, Sequence[Chunk], np.ndarray | Sequence[Sequence[float]], Iterable[str]]
        ],
    ) -> None:
        """Store documents with their chunks and vectors: records ``pending``, chunks, records
        ``complete``, sources pointed at them; then drop the versions replaced."""
        if not items:
            return
        self.begin_documents([doc for doc, _, _, _ in items])
        for _, chunks, vectors, _ in items:
            self.write_chunks(chunks, vectors)
        self.complete_documents([(doc.id, len(chunks)) for doc, chunks, _, _ in items])
        self.link_sources([(doc.source, doc.id) for doc, _, _, _ in items])
        self._collect(old for _, _, _, replaces in items for old in replaces)

    def _drop(self, doc_id: str) -> None:
        self.docs.update(ids=[doc_id], metadatas=[{"status": SUPERSEDED}])
        self.chunks.delete(where={"doc_id": doc_id})
        self.docs.delete(ids=[doc_id])
        self._dirty = True

    @store_op
    def delete_document(self, doc_id: str) -> str:
        doc_id = self.resolve_id(doc_id)
        keys = [k for k, _, _ in self._source_records({"doc_id": doc_id})]
        if keys:
            self.sources.delete(ids=keys)
        self._drop(doc_id)
        return doc_id

    @store_op
    def recover(self) -> list[str]:
        """Make the store consistent whatever the kill point: drop pending and superseded
        records (an interrupted write or drop), complete documents no source names (an
        interrupted replacement or removal), and source records naming no complete document."""
        dropped = list(self.docs.get(where={"status": {"$ne": COMPLETE}}, include=[])["ids"])
        for doc_id in dropped:
            self._drop(doc_id)
        complete = set(self.docs.get(where={"status": COMPLETE}, include=[])["ids"])
        records = self._source_records()
        stale = [k for k, _, d in records if d not in complete]
        if stale:
            self.sources.delete(ids=stale)
            self._dirty = True
        orphans = sorted(complete - {d for _, _, d in records})
        for doc_id in orphans:
            self._drop(doc_id)
        return dropped + orphans


def open_store(settings: Settings | None = None, embedder: Embedder | None = None) -> Store:
    from .settings import get_settings

    return Store(settings or get_settings(), embedder)
