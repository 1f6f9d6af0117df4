"""Ingestion: files -> documents -> chunks -> vectors -> store.

A failing file is reported and skipped; the rest of the batch proceeds. Unchanged content
(the source already names this content hash, complete in the store) is skipped without
embedding anything; a file whose content is already stored under another path only gains a
source record. Files are read one at a time and chunks are embedded and written in bounded
batches (``EMBED_GROUP``), so memory does not grow with the number of files and a big file
reports progress chunk by chunk; files over ``VERISUM_MAX_FILE_MB`` are refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from .errors import InputError, VerisumError
from .models import Chunk, Document

if TYPE_CHECKING:
    from .settings import Settings
    from .store import Store

Status = Literal["added", "replaced", "unchanged", "failed"]
EMBED_GROUP = 256  # chunks embedded and written together across documents
WINDOW_DOCS = 64  # documents looked up in the store together
WINDOW_CHARS = 4_000_000  # ... unless their text is this long together


class FileResult(BaseModel):
    source: str
    status: Status
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    error: str | None = None
    same_as: list[str] = Field(default_factory=list)  # other sources with this very content


class IngestReport(BaseModel):
    results: list[FileResult] = Field(default_factory=list)
    recovered: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def chunks(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("added", "replaced"))

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0


def _failed(source: str, error: str) -> FileResult:
    return FileResult(source=source, status="failed", error=error)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}" if size >= 1e6 else f"{size / 1e6:.3g}"


def _too_big(name: str, size: int, limit_mb: float) -> FileResult:
    return _failed(
        name,
        f"{name}: {_mb(size)} MB is over the {limit_mb:g} MB limit (VERISUM_MAX_FILE_MB); "
        "split the file or raise the limit",
    )


def iter_inputs(
    paths: Sequence[str],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    max_mb: float | None = None,
) -> Iterator[Document | FileResult]:
    """Each input, loaded one at a time; failures come as ``FileResult`` rows, not exceptions."""
    from .documents import iter_paths, load_bytes, load_path

    limit = int(max_mb * 1e6) if max_mb else None
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(limit + 1) if limit else sys.stdin.buffer.read()
            if limit and len(data) > limit:
                yield _too_big("<stdin>", len(data) + len(sys.stdin.buffer.read()), max_mb or 0)
                continue
            try:
                yield load_bytes(data, source="<stdin>", suffix=None)
            except VerisumError as exc:
                yield _failed("<stdin>", str(exc))
            continue
        folder_errors: list[OSError] = []
        try:
            found = iter_paths([Path(raw)], include, exclude, folder_errors.append)
            any_found = False
            for path in found:
                any_found = True
                yield from _unreadable(folder_errors, raw)
                yield _load_one(path, limit, max_mb, load_path)
            yield from _unreadable(folder_errors, raw)
            if not any_found and Path(raw).is_dir():
                yield _failed(raw, f"{raw}: no supported files")
        except VerisumError as exc:
            yield _failed(raw, str(exc))
        except OSError as exc:
            yield _failed(raw, f"{raw}: cannot read ({exc.strerror or exc})")


def _unreadable(errors: list[OSError], raw: str) -> Iterator[FileResult]:
    while errors:
        exc = errors.pop(0)
        where = exc.filename or raw
        yield _failed(str(where), f"{where}: cannot read folder ({exc.strerror or exc}); skipped")


def _load_one(
    path: Path, limit: int | None, max_mb: float | None, load_path: Callable[[Path], Document]
) -> Document | FileResult:
    try:
        if limit and path.is_file() and (size := path.stat().st_size) > limit:
            return _too_big(str(path), size, max_mb or 0)
        return load_path(path)
    except VerisumError as exc:
        return _failed(str(path), str(exc))
    except OSError as exc:
        return _failed(str(path), f"{path}: cannot read ({exc.strerror or exc})")


def load_inputs(
    paths: Sequence[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> tuple[list[Document], list[FileResult]]:
    """Load every input at once (small inputs only; ``ingest`` streams)."""
    docs: list[Document] = []
    failed: list[FileResult] = []
    for item in iter_inputs(paths, include, exclude):
        (docs if isinstance(item, Document) else failed).append(item)  # type: ignore[arg-type]
    return docs, failed


@dataclass
class _Pending:
    """A document being written: its chunks not yet written, and the sources to point at it
    once they are (each with the document the source named before)."""

    doc: Document
    sources: list[tuple[str, str | None]] = field(default_factory=list)
    estimate: int = 0  # chunks expected, for the progress total
    chunks: int = 0  # chunks made so far
    left: int = 0  # ... of which not yet written
    fed: bool = False  # every chunk made


class _Writer:
    def __init__(
        self,
        db: Store,
        settings: Settings,
        report: IngestReport,
        on_chunks: Callable[[int], None] | None,
        on_total: Callable[[int], None] | None,
        on_result: Callable[[FileResult], None] | None,
    ):
        self.db, self.settings, self.report = db, settings, report
        self.on_chunks, self.on_total, self.on_result = on_chunks, on_total, on_result
        self.pending: dict[str, _Pending] = {}
        self.written: dict[str, list[str]] = {}  # doc id -> sources linked in this run
        self.buffer: list[Chunk] = []
        self.total = 0
        self.checked = False

    def emit(self, result: FileResult) -> None:
        self.report.results.append(result)
        if self.on_result:
            self.on_result(result)

    def take(self, window: list[Document]) -> None:
        from .chunking import iter_chunks
        from .store import COMPLETE
        from .store_records import STDIN

        named = self.db.current_for_sources([d.source for d in window if d.source != STDIN])
        statuses = self.db.statuses(list({d.id for d in window}))
        new: list[_Pending] = []
        for doc in window:
            old = None if doc.source == STDIN else named.get(doc.source)
            if doc.id in self.pending:
                self.pending[doc.id].sources.append((doc.source, old))
                continue
            if doc.id in self.written or statuses.get(doc.id) == COMPLETE:
                self._link_stored(doc, old)
                continue
            item = _Pending(doc, [(doc.source, old)], estimate=self._estimate(doc))
            self.pending[doc.id] = item
            new.append(item)
        if not new:
            return
        if not self.checked:
            self.db.check_model(claim=False)
            self.checked = True
        self._add_total(sum(item.estimate for item in new))
        self.db.begin_documents([item.doc for item in new])  # one write for the window
        for item in new:
            chunks = iter_chunks(item.doc, self.settings.chunk_chars, self.settings.chunk_overlap)
            for chunk in chunks:
                item.chunks += 1
                item.left += 1
                self.buffer.append(chunk)
                if len(self.buffer) >= EMBED_GROUP:
                    self.flush()
            item.fed = True

    def _estimate(self, doc: Document) -> int:
        """Chunks a document will make, roughly (its chunks are made as they are written)."""
        return max(1, round(len(doc.text) / (0.85 * self.settings.chunk_chars)))

    def _add_total(self, n: int) -> None:
        self.total += n
        if self.on_total and n:
            self.on_total(self.total)

    def _link_stored(self, doc: Document, old: str | None) -> None:
        """The content is stored already: point this source at it."""
        from .store_records import STDIN

        if old == doc.id or (doc.source == STDIN and doc.id in self.db.sources_of([doc.id])):
            self.emit(
                FileResult(source=doc.source, status="unchanged", doc_id=doc.id, title=doc.title)
            )
            return
        others = self.written.get(doc.id) or self.db.sources_of([doc.id]).get(doc.id, [])
        self.db.link_sources([(doc.source, doc.id)])
        self.written.setdefault(doc.id, list(others)).append(doc.source)
        self.emit(
            FileResult(
                source=doc.source,
                status="replaced" if old else "added",
                doc_id=doc.id,
                title=doc.title,
                same_as=[s for s in others if s != doc.source],
            )
        )

    def flush(self) -> None:
        """Embed and write the buffered chunks; finish the documents they complete."""
        if self.buffer:
            vectors = self.db.embedder.embed([c.text for c in self.buffer])
            self.db.write_chunks(self.buffer, vectors)
            for c in self.buffer:
                self.pending[c.doc_id].left -= 1
            done, self.buffer = len(self.buffer), []
            if self.on_chunks:
                self.on_chunks(done)
        finished = [p for p in self.pending.values() if p.fed and p.left == 0]
        if not finished:
            return
        self.db.complete_documents([(p.doc.id, p.chunks) for p in finished])
        self._add_total(sum(p.chunks - p.estimate for p in finished))
        self.db.link_sources([(s, p.doc.id) for p in finished for s, _ in p.sources])
        for p in finished:
            del self.pending[p.doc.id]
            sources = [s for s, _ in p.sources]
            self.written[p.doc.id] = sources
            for n, (source, old) in enumerate(p.sources):
                self.emit(
                    FileResult(
                        source=source,
                        status="replaced" if old else "added",
                        doc_id=p.doc.id,
                        title=p.doc.title,
                        chunks=p.chunks if n == 0 else 0,
                        same_as=[s for s in sources if s != source],
                    )
                )


def ingest(
    paths: Sequence[str],
    *,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    store: Store | None = None,
    on_chunks: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and ``-`` (stdin) into the store.

    ``on_total`` gets the running total of chunks to embed (it grows as files are read),
    ``on_chunks`` each batch of chunks written, ``on_result`` each file's row when it is done.
    """
    from .settings import get_settings
    from .store import open_store

    started = time.perf_counter()
    if not paths:
        raise InputError("nothing to ingest: give files, folders or - for stdin")
    settings = get_settings()
    db = store or open_store(settings)
    with db.writing():
        report = IngestReport(recovered=db.recover())
        writer = _Writer(db, settings, report, on_chunks, on_total, on_result)
        window: list[Document] = []
        chars = 0
        for item in iter_inputs(paths, include, exclude, settings.max_file_mb):
            if isinstance(item, FileResult):
                writer.emit(item)
                continue
            window.append(item)
            chars += len(item.text)
            if len(window) >= WINDOW_DOCS or chars >= WINDOW_CHARS:
                writer.take(window)
                window, chars = [], 0
        if window:
            writer.take(window)
        writer.flush()
    report.seconds = time.perf_counter() - started
    return report
