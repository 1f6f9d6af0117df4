"""The Chroma store: the only module that imports chromadb.

Two collections per store name ``N``:

- ``N`` holds chunks: the chunk text, its vector, and metadata (doc_id, chunk index, start/end
  offsets into the document text, the sentence spans inside it as JSON).
- ``N-docs`` holds one record per document: the canonical text (what every offset points into)
  and its metadata, including a ``status``. Its vector is a 1-d placeholder; it is never queried.

Crash safety (``kill -9`` at any point leaves a store a rerun completes without duplicates):
a document record is written as ``pending`` before its chunks, and flipped to ``complete``
after all of them. A document that replaces an older version of the same source marks the old
record ``superseded`` before deleting it. ``recover()`` removes whatever a pending or superseded
record left behind; ingest calls it first. Chunk ids are deterministic (``doc_id:index``), so
re-adding is an upsert, never a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .errors import EmbeddingMismatchError, NotFoundError, StoreError
from .models import Chunk, DocInfo, Document, SearchHit, Sentence

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import Embedder
    from .settings import Settings

PENDING, COMPLETE, SUPERSEDED = "pending", "complete", "superseded"
ADD_BATCH = 1000  # chunks per Chroma call; well under Chroma's max batch size


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        where = settings.chroma_url or str(settings.chroma_path)
        raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc


class Store:
    """Chunks and documents in Chroma, embedded or behind a server."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self.client = _client(settings)
        name = settings.collection
        try:
            self.chunks = self.client.get_or_create_collection(
                name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
            self.docs = self.client.get_or_create_collection(
                f"{name}-docs", embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"cannot open collection {name!r}: {exc}") from exc

    # ------------------------------------------------------------ embedding model guard
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embeddings import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    def recorded_model(self) -> str | None:
        return (self.chunks.metadata or {}).get("embedding_model")

    def check_model(self, *, claim: bool) -> None:
        """Fail when the collection was built with another embedding model.

        With ``claim`` an unclaimed (new) collection records the configured model.
        """
        recorded = self.recorded_model()
        wanted = self.embedder.name
        if recorded is None:
            if claim:
                meta = dict(self.chunks.metadata or {})
                meta.update({"embedding_model": wanted, "embedding_dim": self.embedder.dim})
                self.chunks.modify(metadata=meta)
            return
        if recorded != wanted:
            raise EmbeddingMismatchError(
                f"collection {self.settings.collection!r} was built with {recorded}, but the "
                f"configured embedding model is {wanted}; use the same VERISUM_EMBEDDING, another "
                "VERISUM_COLLECTION, or re-ingest into an empty one"
            )

    # ------------------------------------------------------------ documents
    def _doc_records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        got = self.docs.get(ids=list(ids), include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"] or [], strict=True))

    def statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """Status of each known document id (unknown ids are absent)."""
        return {i: str(m.get("status")) for i, m in self._doc_records(ids).items()}

    def list_documents(self) -> list[DocInfo]:
        got = self.docs.get(where={"status": COMPLETE}, include=["metadatas"])
        infos = [_info(i, m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)]
        return sorted(infos, key=lambda d: (d.ingested_at, d.id))

    def get_info(self, doc_id: str) -> DocInfo:
        doc_id = self.resolve_id(doc_id)
        rec = self._doc_records([doc_id])[doc_id]
        return _info(doc_id, rec)

    def resolve_id(self, prefix: str) -> str:
        """Accept a full id or a unique prefix of one (like git)."""
        recs = self._doc_records([prefix])
        if recs.get(prefix, {}).get("status") == COMPLETE:
            return prefix
        matches = [d.id for d in self.list_documents() if d.id.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no document with id {prefix!r} (see: verisum docs list)")
        raise NotFoundError(f"id prefix {prefix!r} is ambiguous: {', '.join(matches[:5])}")

    def get_document(self, doc_id: str) -> Document:
        doc_id = self.resolve_id(doc_id)
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        meta = got["metadatas"][0]
        return Document(
            id=doc_id,
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            text=got["documents"][0],
            media_type=str(meta.get("media_type", "text/plain")),
            metadata=json.loads(str(meta.get("extra", "{}"))),
        )

    def get_chunks(self, doc_id: str) -> list[Chunk]:
        doc_id = self.resolve_id(doc_id)
        got = self.chunks.get(where={"doc_id": doc_id}, include=["metadatas", "documents"])
        chunks = [_chunk(m, t) for m, t in zip(got["metadatas"], got["documents"], strict=True)]
        return sorted(chunks, key=lambda c: c.index)

    def sentences(self, doc_id: str) -> list[Sentence]:
        """All sentence spans of a document, from its chunks' metadata (deduplicated)."""
        seen: dict[int, Sentence] = {}
        for chunk in self.get_chunks(doc_id):
            for s in chunk.sentences:
                seen.setdefault(s.index, s)
        return [seen[i] for i in sorted(seen)]

    # ------------------------------------------------------------ writing
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

    def add_documents(
        self,
        items: Sequence[
            tuple[Document, Sequence[Chunk], np.ndarray | Sequence[Sequence[float]], Iterable[str]]
        ],
    ) -> None:
        """Store documents with their chunks and vectors, in as few Chroma calls as possible:
        records ``pending``, chunks, records ``complete``; then drop the versions replaced."""
        import numpy as np

        if not items:
            return
        self.check_model(claim=True)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        ids = [doc.id for doc, _, _, _ in items]
        metas: list[dict[str, Any]] = [
            {
                "title": doc.title,
                "source": doc.source,
                "media_type": doc.media_type,
                "chars": len(doc.text),
                "chunks": len(chunks),
                "ingested_at": now,
                "extra": json.dumps(doc.metadata, ensure_ascii=False),
                "embedding_model": self.embedder.name,
                "status": PENDING,
            }
            for doc, chunks, _, _ in items
        ]
        self.docs.upsert(
            ids=ids,
            embeddings=[[1.0]] * len(ids),
            documents=[doc.text for doc, _, _, _ in items],
            metadatas=metas,
        )
        # Leftovers of an earlier interrupted run of these same documents go first.
        self.chunks.delete(where={"doc_id": {"$in": ids}})
        chunks = [c for _, cs, _, _ in items for c in cs]
        vectors = np.concatenate(
            [np.asarray(v, dtype=np.float32).reshape(len(cs), -1) for _, cs, v, _ in items]
        )
        for i in range(0, len(chunks), ADD_BATCH):
            part = chunks[i : i + ADD_BATCH]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + ADD_BATCH],
                documents=[c.text for c in part],
                metadatas=[_chunk_meta(c) for c in part],
            )
        self.docs.update(ids=ids, metadatas=[{**m, "status": COMPLETE} for m in metas])
        for _, _, _, replaces in items:
            for old in replaces:
                if old not in ids:
                    self._drop(old)

    def _drop(self, doc_id: str) -> None:
        self.docs.update(ids=[doc_id], metadatas=[{"status": SUPERSEDED}])
        self.chunks.delete(where={"doc_id": doc_id})
        self.docs.delete(ids=[doc_id])

    def delete_document(self, doc_id: str) -> str:
        doc_id = self.resolve_id(doc_id)
        self._drop(doc_id)
        return doc_id

    def ids_for_source(self, source: str) -> list[str]:
        got = self.docs.get(where={"source": source}, include=[])
        return list(got["ids"])

    def recover(self) -> list[str]:
        """Remove what interrupted writes left: pending and superseded documents."""
        got = self.docs.get(where={"status": {"$ne": COMPLETE}}, include=[])
        for doc_id in got["ids"]:
            self._drop(doc_id)
        return list(got["ids"])

    # ------------------------------------------------------------ search
    def count_chunks(self) -> int:
        return int(self.chunks.count())

    def search(self, query: str, k: int = 5, doc_id: str | None = None) -> list[SearchHit]:
        if self.recorded_model() is None:
            return []  # nothing ingested yet
        self.check_model(claim=False)
        vector = self.embedder.embed_query(query)
        return self.search_vector(vector, k=k, doc_id=doc_id)

    def search_vector(self, vector: Any, k: int = 5, doc_id: str | None = None) -> list[SearchHit]:
        doc_ids = [self.resolve_id(doc_id)] if doc_id else None
        return [
            SearchHit(
                doc_id=c.doc_id,
                chunk_index=c.index,
                start=c.start,
                end=c.end,
                text=c.text,
                score=score,
            )
            for c, score, _ in self.nearest(vector, k, doc_ids)
        ]

    def nearest(
        self,
        vector: Any,
        n: int,
        doc_ids: Sequence[str] | None = None,
        *,
        with_vectors: bool = False,
    ) -> list[tuple[Chunk, float, list[float] | None]]:
        """The ``n`` chunks nearest to ``vector`` (cosine score), optionally with their vectors."""
        where: dict[str, Any] | None = None
        if doc_ids:
            ids = list(doc_ids)
            where = {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}
        include = ["metadatas", "documents", "distances"]
        if with_vectors:
            include.append("embeddings")
        res = self.chunks.query(
            query_embeddings=[list(map(float, vector))], n_results=n, where=where, include=include
        )
        metas, texts, dists = res["metadatas"][0], res["documents"][0], res["distances"][0]
        vecs = res["embeddings"][0] if with_vectors else [None] * len(metas)
        return [
            (_chunk(m, t), round(1.0 - float(d), 6), None if v is None else list(map(float, v)))
            for m, t, d, v in zip(metas, texts, dists, vecs, strict=True)
        ]


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id,
        "chunk_index": c.index,
        "start": c.start,
        "end": c.end,
        "sentences": json.dumps([[s.index, s.start, s.end] for s in c.sentences]),
    }


def _chunk(meta: dict[str, Any], text: str) -> Chunk:
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


def _info(doc_id: str, m: dict[str, Any]) -> DocInfo:
    return DocInfo(
        id=doc_id,
        title=str(m.get("title", "")),
        source=str(m.get("source", "")),
        media_type=str(m.get("media_type", "")),
        chars=int(m.get("chars", 0)),
        chunks=int(m.get("chunks", 0)),
        ingested_at=str(m.get("ingested_at", "")),
        metadata=json.loads(str(m.get("extra", "{}"))),
    )


def open_store(settings: Settings | None = None, embedder: Embedder | None = None) -> Store:
    from .settings import get_settings

    return Store(settings or get_settings(), embedder)
