"""Ingestion: files -> documents -> chunks -> vectors -> store.

A failing file is reported and skipped; the rest of the batch proceeds. Unchanged content
(same content hash, complete in the store) is skipped without embedding anything.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from .errors import InputError, VerisumError
from .models import Chunk, Document

if TYPE_CHECKING:
    from .store import Store

Status = Literal["added", "replaced", "unchanged", "failed"]
EMBED_GROUP = 256  # chunks embedded and written together across documents


class FileResult(BaseModel):
    source: str
    status: Status
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    error: str | None = None


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


def load_inputs(
    paths: Sequence[str], include: list[str] | None = None, exclude: list[str] | None = None
) -> tuple[list[Document], list[FileResult]]:
    """Load every input; failures become ``FileResult`` rows instead of exceptions."""
    from .documents import iter_paths, load_bytes, load_path

    docs: list[Document] = []
    failed: list[FileResult] = []
    for raw in paths:
        if raw == "-":
            try:
                docs.append(load_bytes(sys.stdin.buffer.read(), source="<stdin>", suffix=None))
            except VerisumError as exc:
                failed.append(FileResult(source="<stdin>", status="failed", error=str(exc)))
            continue
        try:
            found = list(iter_paths([Path(raw)], include, exclude))
        except VerisumError as exc:
            failed.append(FileResult(source=raw, status="failed", error=str(exc)))
            continue
        if not found and Path(raw).is_dir():
            failed.append(
                FileResult(source=raw, status="failed", error=f"{raw}: no supported files")
            )
        for path in found:
            try:
                docs.append(load_path(path))
            except VerisumError as exc:
                failed.append(FileResult(source=str(path), status="failed", error=str(exc)))
            except OSError as exc:
                failed.append(
                    FileResult(
                        source=str(path), status="failed", error=f"{path}: {exc.strerror or exc}"
                    )
                )
    return docs, failed


def ingest(
    paths: Sequence[str],
    *,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    store: Store | None = None,
    on_chunks: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and ``-`` (stdin) into the store."""
    from .chunking import chunk_document
    from .settings import get_settings
    from .store import COMPLETE, open_store

    started = time.perf_counter()
    if not paths:
        raise InputError("nothing to ingest: give files, folders or - for stdin")
    settings = get_settings()
    db = store or open_store(settings)
    report = IngestReport(recovered=db.recover())
    docs, failed = load_inputs(paths, include, exclude)
    report.results.extend(failed)

    unique: dict[str, Document] = {}
    for doc in docs:
        unique.setdefault(doc.id, doc)
    statuses = db.statuses(list(unique))
    todo: list[tuple[Document, list[Chunk], list[str]]] = []
    for doc in unique.values():
        if statuses.get(doc.id) == COMPLETE:
            report.results.append(
                FileResult(source=doc.source, status="unchanged", doc_id=doc.id, title=doc.title)
            )
            continue
        chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap)
        old = [] if doc.source == "<stdin>" else db.ids_for_source(doc.source)
        todo.append((doc, chunks, [i for i in old if i != doc.id]))

    if todo:
        db.check_model(claim=False)
    if on_total:
        on_total(sum(len(c) for _, c, _ in todo))
    group: list[tuple[Document, list[Chunk], list[str]]] = []
    for item in todo:
        group.append(item)
        if sum(len(c) for _, c, _ in group) >= EMBED_GROUP:
            _write_group(db, group, report, on_chunks)
            group = []
    if group:
        _write_group(db, group, report, on_chunks)
    report.seconds = time.perf_counter() - started
    return report


def _write_group(
    db: Store,
    group: list[tuple[Document, list[Chunk], list[str]]],
    report: IngestReport,
    on_chunks: Callable[[int], None] | None,
) -> None:
    texts = [c.text for _, chunks, _ in group for c in chunks]
    vectors = db.embedder.embed(texts)
    items = []
    at = 0
    for doc, chunks, old in group:
        items.append((doc, chunks, vectors[at : at + len(chunks)], old))
        at += len(chunks)
    db.add_documents(items)
    for doc, chunks, old in group:
        report.results.append(
            FileResult(
                source=doc.source,
                status="replaced" if old else "added",
                doc_id=doc.id,
                title=doc.title,
                chunks=len(chunks),
            )
        )
        if on_chunks:
            on_chunks(len(chunks))
