"""A store's search: the chunks of current documents nearest to a query or a vector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .models import Chunk, SearchHit
from .store_client import store_op
from .store_docs import StoreDocuments
from .store_records import chunk_from, where_in


class StoreSearch(StoreDocuments):
    """Nearest chunks by cosine, skipping what is not current (leftovers of a killed write)."""

    @store_op
    def count_chunks(self) -> int:
        return int(self.chunks.count())

    @store_op
    def search(self, query: str, k: int = 5, doc_id: str | None = None) -> list[SearchHit]:
        if self.recorded_model() is None:
            return []  # nothing ingested yet
        self.check_model(claim=False)
        vector = self.embedder.embed_query(query)
        return self.search_vector(vector, k=k, doc_id=doc_id)

    @store_op
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

    @store_op
    def nearest(
        self,
        vector: Any,
        n: int,
        doc_ids: Sequence[str] | None = None,
        *,
        with_vectors: bool = False,
    ) -> list[tuple[Chunk, float, list[float] | None]]:
        """The ``n`` chunks of current documents nearest to ``vector`` (cosine score),
        optionally with their vectors. Leftovers of an interrupted write are skipped."""
        where = where_in("doc_id", doc_ids) if doc_ids else None
        include = ["metadatas", "documents", "distances"]
        if with_vectors:
            include.append("embeddings")
        fetch, total = n, None
        while True:
            res = self.chunks.query(
                query_embeddings=[list(map(float, vector))],
                n_results=fetch,
                where=where,
                include=include,
            )
            metas, texts, dists = res["metadatas"][0], res["documents"][0], res["distances"][0]
            vecs = res["embeddings"][0] if with_vectors else [None] * len(metas)
            # After a kill -9 the vector index can hold ids whose records are gone: skip them.
            rows = [
                (
                    chunk_from(m, t),
                    round(1.0 - float(d), 6),
                    None if v is None else list(map(float, v)),
                )
                for m, t, d, v in zip(metas, texts, dists, vecs, strict=True)
                if m is not None and t is not None
            ]
            current = self.current_ids(sorted({c.doc_id for c, _, _ in rows}))
            kept = [r for r in rows if r[0].doc_id in current]
            if len(kept) == len(rows) or len(kept) >= n:
                return kept[:n]
            total = self.chunks.count() if total is None else total
            if fetch >= total or len(rows) < fetch:
                return kept
            fetch = min(total, fetch * 4 + len(rows) - len(kept))
