"""Sources' parses kept on disk, so a later process checks a known source without parsing it.

A source's spaCy parse is the verifier's cost (~200 ms per 5,000 characters here); loading it
back from spaCy's ``DocBin`` takes ~1.5 ms per 1,000 characters. Files live under
``VERISUM_HOME/parses``, named by the SHA-256 of the model's name and version and the text, so
a changed model or text never reads a stale parse; the oldest files go first once the
directory holds more than ``VERISUM_PARSE_CACHE_MB`` (0 turns the cache off). A file that
cannot be read is removed and the text parsed again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

_ATTRS = ["ORTH", "NORM", "TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "SENT_START", "SPACY"]
_DIR: list[tuple[Path | None, float]] = []  # set by ``configure``; empty: read the settings


def configure(directory: Path | None, limit_mb: float = 200.0) -> None:
    """Use ``directory`` (None: no disk cache) instead of the settings (benchmarks, tests)."""
    _DIR[:] = [(directory, limit_mb)]


def reset() -> None:
    """Read the directory from the settings again."""
    _DIR.clear()


def _where() -> tuple[Path | None, float]:
    if _DIR:
        return _DIR[0]
    from ..errors import VerisumError
    from ..settings import get_settings

    try:
        s = get_settings()
    except VerisumError:
        return None, 0.0
    return (s.home / "parses" if s.parse_cache_mb > 0 else None), s.parse_cache_mb


def _path(directory: Path, text: str, meta: tuple[str, str]) -> Path:
    h = hashlib.sha256("\0".join([*meta, text]).encode("utf-8", "surrogatepass")).hexdigest()
    return directory / f"{h}.spacy"


def load(text: str, vocab: Any, meta: tuple[str, str]) -> Any:
    """The stored parse of ``text``, or None."""
    directory, _ = _where()
    if directory is None:
        return None
    path = _path(directory, text, meta)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        from spacy.tokens import DocBin

        (doc,) = DocBin().from_bytes(data).get_docs(vocab)
    except Exception:  # a torn or foreign file: parse again
        path.unlink(missing_ok=True)
        return None
    if doc.text != text:
        path.unlink(missing_ok=True)
        return None
    os.utime(path)  # recently used: pruned last
    return doc


def save(text: str, doc: Any, meta: tuple[str, str]) -> None:
    """Store the parse of ``text`` (atomically: a reader never sees half a file)."""
    directory, limit = _where()
    if directory is None:
        return
    from spacy.tokens import DocBin

    try:
        directory.mkdir(parents=True, exist_ok=True)
        data = DocBin(attrs=_ATTRS, store_user_data=False, docs=[doc]).to_bytes()
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, _path(directory, text, meta))
        _prune(directory, limit)
    except OSError:  # a read-only or full disk only costs the next run a parse
        return


def _prune(directory: Path, limit_mb: float) -> None:
    files = []
    for p in directory.glob("*.spacy"):
        try:
            st = p.stat()
        except OSError:
            continue
        files.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in files)
    for _, size, p in sorted(files):
        if total <= limit_mb * 1024 * 1024:
            break
        p.unlink(missing_ok=True)
        total -= size
