"""The Chroma store: the only module that imports chromadb.

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

import contextlib
import functools
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from .errors import (
    EmbeddingMismatchError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
    VerisumError,
)
from .models import Chunk, DocInfo, Document, SearchHit, Sentence
from .store_records import chunk_from, chunk_meta, doc_info, source_key, where_in
from .storelock import StoreLock

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import Embedder
    from .settings import Settings

PENDING, COMPLETE, SUPERSEDED = "pending", "complete", "superseded"
ADD_BATCH = 1000  # chunks per Chroma call; well under Chroma's max batch size
LAYOUT = 2  # 2: source records in N-sources (1: the source only in the document record)

F = TypeVar("F", bound=Callable[..., Any])


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
        raise StoreUnavailableError(f"cannot open the Chroma store at {where}: {exc}") from exc


def _is_store_failure(exc: BaseException) -> bool:
    """Errors that mean the store (not our code) failed: I/O, connection, Chroma's own."""
    if isinstance(exc, OSError | ConnectionError | TimeoutError):
        return True
    kinds = {c.__module__.split(".")[0] for c in type(exc).__mro__}
    return bool(kinds & {"httpx", "httpcore", "chromadb"})


def _op(fn: F) -> F:
    """Run a store method under the store lock; Chroma and connection failures become one
    clear ``StoreError``."""

    @functools.wraps(fn)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self.locked():
            try:
                return fn(self, *args, **kwargs)
            except VerisumError:
                raise
            except Exception as exc:
                if not _is_store_failure(exc):
                    raise
                raise self._failure(exc) from exc

    return wrapper  # type: ignore[return-value]


class _Watched:
    """A collection whose writes first mark the store as changing (``touch``), so that a
    writer killed in the middle still tells other processes to reopen their view."""

    _WRITES = frozenset(["add", "upsert", "update", "delete", "modify"])

    def __init__(self, collection: Any, touch: Callable[[], None]):
        self._collection = collection
        self._touch = touch

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if name not in self._WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            self._touch()
            return attr(*args, **kwargs)

        return write


class Store:
    """Chunks and documents in Chroma, embedded or behind a server."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self.where = settings.chroma_url or str(settings.chroma_path)
        self.client: Any = None
        self._lock: StoreLock | None = None
        if not settings.chroma_url:
            self._lock = StoreLock(settings.home / "chroma.lock", settings.lock_timeout, self.where)
        self._writer = StoreLock(settings.home / "ingest.lock", settings.lock_timeout, self.where)
        self._generation: str | None = None
        self._dirty = False
        with self.locked():
            pass  # opens the client and the collections under the lock

    # ------------------------------------------------------------ locking and opening
    @property
    def _generation_file(self) -> Path:
        return self.settings.home / "chroma.generation"

    def _read_generation(self) -> str:
        try:
            return self._generation_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def _bump_generation(self) -> str:
        token = uuid.uuid4().hex
        tmp = self._generation_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(token, encoding="utf-8")
        os.replace(tmp, self._generation_file)
        return token

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store lock (embedded store only); reopen the client first when another
        process wrote since this one last looked."""
        if self._lock is None:
            if self.client is None:
                self._open()
            yield
            return
        outer = self._lock.depth == 0
        self._lock.acquire()
        try:
            if outer:
                generation = self._read_generation()
                if self.client is None or generation != self._generation:
                    self._open()
                    self._generation = generation
            yield
        finally:
            if outer and self._dirty:
                self._dirty = False
                with contextlib.suppress(OSError):
                    self._generation = self._bump_generation()
            self._lock.release()

    def close(self) -> None:
        """Release the Chroma client (in-process systems are shared and refcounted: one left
        open keeps serving its view of the files to every later client of the same path)."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None

    def _touch(self) -> None:
        """Before the first write under the lock: a new generation, so that readers in other
        processes reopen even if this process dies before it finishes (kill -9)."""
        if self._lock is not None and not self._dirty:
            with contextlib.suppress(OSError):
                self._generation = self._bump_generation()
        self._dirty = True

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock: one writing verisum process at a time (readers go on)."""
        with self._writer.held():
            yield

    def _failure(self, exc: BaseException) -> StoreError:
        detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        if self.settings.chroma_url:
            return StoreUnavailableError(
                f"lost the Chroma server at {self.where} ({detail}); is it running?"
            )
        return StoreError(f"the Chroma store at {self.where} failed ({detail})")

    def _open(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
        self.client = _client(self.settings)
        name = self.settings.collection
        try:
            self.chunks = _Watched(
                self.client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                ),
                self._touch,
            )
            self.docs = _Watched(
                self.client.get_or_create_collection(f"{name}-docs", embedding_function=None),
                self._touch,
            )
            self.sources = _Watched(
                self.client.get_or_create_collection(f"{name}-sources", embedding_function=None),
                self._touch,
            )
            if (self.chunks.metadata or {}).get("layout") != LAYOUT:
                self._migrate()
        except VerisumError:
            raise
        except Exception as exc:
            if _is_store_failure(exc) and self.settings.chroma_url:
                raise self._failure(exc) from exc
            raise StoreError(f"cannot open collection {name!r}: {exc}") from exc

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

    # ------------------------------------------------------------ embedding model guard
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embeddings import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @_op
    def recorded_model(self) -> str | None:
        return (self.chunks.metadata or {}).get("embedding_model")

    @_op
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
                self._dirty = True
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

    def _source_records(self, where: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
        """(record id, source, doc_id) of the source records matching ``where``."""
        got = self.sources.get(where=where, include=["metadatas"])
        return [
            (i, str(m["source"]), str(m["doc_id"]))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        ]

    def _put_sources(self, rows: Sequence[tuple[str, str, str]]) -> None:
        for i in range(0, len(rows), ADD_BATCH):
            part = rows[i : i + ADD_BATCH]
            self.sources.upsert(
                ids=[k for k, _, _ in part],
                embeddings=[[1.0]] * len(part),
                metadatas=[{"source": s, "doc_id": d} for _, s, d in part],
            )
        self._dirty = True

    @_op
    def sources_of(self, doc_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
        """The source paths naming each document (all documents when ``doc_ids`` is None)."""
        if doc_ids is not None and not doc_ids:
            return {}
        where = None if doc_ids is None else where_in("doc_id", doc_ids)
        out: dict[str, list[str]] = {}
        for _, source, doc_id in self._source_records(where):
            out.setdefault(doc_id, []).append(source)
        return {d: sorted(s) for d, s in out.items()}

    @_op
    def current_ids(self, candidates: Sequence[str] | None = None) -> set[str]:
        """Ids of the current documents (complete, named by a source), among ``candidates``."""
        named = self.sources_of(candidates)
        return {i for i, m in self._doc_records(list(named)).items() if m.get("status") == COMPLETE}

    @_op
    def statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """Status of each known document record (unknown ids are absent)."""
        return {i: str(m.get("status")) for i, m in self._doc_records(ids).items()}

    @_op
    def list_documents(self) -> list[DocInfo]:
        named = self.sources_of()
        recs = self._doc_records(list(named))
        infos = [doc_info(i, m, named[i]) for i, m in recs.items() if m.get("status") == COMPLETE]
        return sorted(infos, key=lambda d: (d.ingested_at, d.id))

    @_op
    def get_info(self, doc_id: str) -> DocInfo:
        doc_id = self.resolve_id(doc_id)
        rec = self._doc_records([doc_id])[doc_id]
        return doc_info(doc_id, rec, self.sources_of([doc_id]).get(doc_id, []))

    @_op
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

    @_op
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

    @_op
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

    # ------------------------------------------------------------ writing
    @_op
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

    @_op
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

    @_op
    def complete_documents(self, done: Sequence[tuple[str, int]]) -> None:
        """Mark documents whose chunks are all written ``complete``, with their chunk counts."""
        if done:
            self.docs.update(
                ids=[i for i, _ in done],
                metadatas=[{"status": COMPLETE, "chunks": n} for _, n in done],
            )
            self._dirty = True

    @_op
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

    @_op
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

    @_op
    def delete_document(self, doc_id: str) -> str:
        doc_id = self.resolve_id(doc_id)
        keys = [k for k, _, _ in self._source_records({"doc_id": doc_id})]
        if keys:
            self.sources.delete(ids=keys)
        self._drop(doc_id)
        return doc_id

    @_op
    def current_for_sources(self, sources: Sequence[str]) -> dict[str, str]:
        """The document each of ``sources`` names now (sources with none are absent)."""
        if not sources:
            return {}
        return {s: d for _, s, d in self._source_records(where_in("source", sorted(set(sources))))}

    @_op
    def ids_for_source(self, source: str) -> list[str]:
        """The document that is the current version of ``source`` (at most one)."""
        return [d for _, _, d in self._source_records({"source": source})]

    @_op
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

    # ------------------------------------------------------------ search
    @_op
    def count_chunks(self) -> int:
        return int(self.chunks.count())

    @_op
    def search(self, query: str, k: int = 5, doc_id: str | None = None) -> list[SearchHit]:
        if self.recorded_model() is None:
            return []  # nothing ingested yet
        self.check_model(claim=False)
        vector = self.embedder.embed_query(query)
        return self.search_vector(vector, k=k, doc_id=doc_id)

    @_op
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

    @_op
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


def open_store(settings: Settings | None = None, embedder: Embedder | None = None) -> Store:
    from .settings import get_settings

    return Store(settings or get_settings(), embedder)
