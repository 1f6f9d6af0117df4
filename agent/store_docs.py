"""A store's reads of documents and sources: which documents are current, their records,
texts, chunks and sentences, and resolving an id from a unique prefix."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .errors import NotFoundError
from .models import Chunk, DocInfo, Document, Sentence
from .store_client import StoreClient, store_op
from .store_records import COMPLETE, chunk_from, doc_info, where_in


class StoreDocuments(StoreClient):
    """Reading documents: a document is current when it is complete and a source names it."""

    def _doc_records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        got = self.docs.get(ids=list(ids), include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"] or [], strict=True))

    def _source_records(self, where: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
        """(record id, source, doc_id) of the source records matching ``where``."""
        got = self.sources.get(where=where, include=["metadatas"])
        return [
            (i, str(m["source"]), str(m["doc_id"]))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        ]

    @store_op
    def sources_of(self, doc_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
        """The source paths naming each document (all documents when ``doc_ids`` is None)."""
        if doc_ids is not None and not doc_ids:
            return {}
        where = None if doc_ids is None else where_in("doc_id", doc_ids)
        out: dict[str, list[str]] = {}
        for _, source, doc_id in self._source_records(where):
            out.setdefault(doc_id, []).append(source)
        return {d: sorted(s) for d, s in out.items()}

    @store_op
    def current_ids(self, candidates: Sequence[str] | None = None) -> set[str]:
        """Ids of the current documents (complete, named by a source), among ``candidates``."""
        named = self.sources_of(candidates)
        return {i for i, m in self._doc_records(list(named)).items() if m.get("status") == COMPLETE}

    @store_op
    def statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """Status of each known document record (unknown ids are absent)."""
        return {i: str(m.get("status")) for i, m in self._doc_records(ids).items()}

    @store_op
    def list_documents(self) -> list[DocInfo]:
        named = self.sources_of()
        recs = self._doc_records(list(named))
        infos = [doc_info(i, m, named[i]) for i, m in recs.items() if m.get("status") == COMPLETE]
        return sorted(infos, key=lambda d: (d.ingested_at, d.id))

    @store_op
    def get_info(self, doc_id: str) -> DocInfo:
        doc_id = self.resolve_id(doc_id)
        rec = self._doc_records([doc_id])[doc_id]
        return doc_info(doc_id, rec, self.sources_of([doc_id]).get(doc_id, []))

    @store_op
    def resolve_id(self, prefix: str) -> str:
        """Accept a full id or a unique prefix of one (like git)."""
        if prefix and prefix in self.current_ids([prefix]):
            return prefix
        matches = [d.id for d in self.list_documents() if prefix and d.id.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no document with id {prefix!r} (see: verisum docs list)")
        raise NotFoundError(f"id prefix {prefix!r} is ambiguous: {', '.join(matches[:5])}")

    @store_op
    def get_document(self, doc_id: str) -> Document:
        doc_id = self.resolve_id(doc_id)
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        meta = got["metadatas"][0]
        sources = self.sources_of([doc_id]).get(doc_id) or [str(meta.get("source", ""))]
        return Document(
            id=doc_id,
            title=str(meta.get("title", "")),
            source=sources[0],
            text=got["documents"][0],
            media_type=str(meta.get("media_type", "text/plain")),
            metadata=json.loads(str(meta.get("extra", "{}"))),
        )

    @store_op
    def get_chunks(self, doc_id: str) -> list[Chunk]:
        doc_id = self.resolve_id(doc_id)
        got = self.chunks.get(where={"doc_id": doc_id}, include=["metadatas", "documents"])
        chunks = [chunk_from(m, t) for m, t in zip(got["metadatas"], got["documents"], strict=True)]
        return sorted(chunks, key=lambda c: c.index)

    def sentences(self, doc_id: str) -> list[Sentence]:
        """All sentence spans of a document, from its chunks' metadata (deduplicated)."""
        seen: dict[int, Sentence] = {}
        for chunk in self.get_chunks(doc_id):
            for s in chunk.sentences:
                seen.setdefault(s.index, s)
        return [seen[i] for i in sorted(seen)]

    @store_op
    def current_for_sources(self, sources: Sequence[str]) -> dict[str, str]:
        """The document each of ``sources`` names now (sources with none are absent)."""
        if not sources:
            return {}
        return {s: d for _, s, d in self._source_records(where_in("source", sorted(set(sources))))}

    @store_op
    def ids_for_source(self, source: str) -> list[str]:
        """The document that is the current version of ``source`` (at most one)."""
        return [d for _, _, d in self._source_records({"source": source})]
