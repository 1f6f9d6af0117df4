"""The Chroma connection of a store: the client (embedded or a server), the collections, the
inter-process lock and the generation file that tells other processes to reopen, and the
embedding model guard. ``store_op`` runs a store method under the lock and turns Chroma's and
the connection's failures into one ``StoreError``. chromadb is imported here only, lazily.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from .errors import EmbeddingMismatchError, StoreError, StoreUnavailableError, VerisumError
from .storelock import StoreLock

if TYPE_CHECKING:
    from .embeddings import Embedder
    from .settings import Settings

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


def store_op(fn: F) -> F:
    """Run a store method under the store lock; Chroma and connection failures become one
    clear ``StoreError``."""

    @functools.wraps(fn)
    def wrapper(self: StoreClient, *args: Any, **kwargs: Any) -> Any:
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


class StoreClient:
    """The client and the three collections of a store, opened under the store lock and
    reopened when another process wrote."""

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
        """Bring a collection of an older layout up to ``LAYOUT`` (the writes are the
        ``Store``'s)."""
        raise NotImplementedError

    # ------------------------------------------------------------ embedding model guard
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embeddings import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @store_op
    def recorded_model(self) -> str | None:
        return (self.chunks.metadata or {}).get("embedding_model")

    @store_op
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
