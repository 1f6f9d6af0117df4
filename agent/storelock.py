"""The store's inter-process lock: ``filelock``, reentrant within the process, saying on stderr
when it has to wait."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from .errors import StoreError, StoreUnavailableError

WAIT_LINE = "another verisum process is writing to this store; waiting…"
QUICK_WAIT = 0.3  # seconds to wait silently before saying that we wait


class StoreLock:
    """An inter-process lock (``filelock``), reentrant within the process, that says on stderr
    when it has to wait and gives up after ``timeout`` seconds with a clear error."""

    def __init__(self, path: Path, timeout: float, where: str):
        from filelock import FileLock

        with contextlib.suppress(OSError):  # reported by acquire()
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(path), thread_local=False, is_singleton=True)
        self.path, self.timeout, self.where = path, timeout, where
        self.depth = 0

    def acquire(self) -> None:
        if self.depth == 0:
            try:
                self._acquire()
            except OSError as exc:
                raise StoreError(
                    f"cannot lock the store at {self.where}: {self.path}: {exc.strerror or exc}"
                ) from None
        self.depth += 1

    def _acquire(self) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=min(QUICK_WAIT, self.timeout))
            return
        except Timeout:
            sys.stderr.write(WAIT_LINE + "\n")
            sys.stderr.flush()
        try:
            self._lock.acquire(timeout=max(0.0, self.timeout - QUICK_WAIT))
        except Timeout:
            raise StoreUnavailableError(
                f"another verisum process kept the store at {self.where} busy for more than "
                f"{self.timeout:g} s (VERISUM_LOCK_TIMEOUT); try again when it has finished "
                f"(lock file {self.path})"
            ) from None

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self._lock.release()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()
