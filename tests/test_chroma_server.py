"""The same store code path against a real `chroma run` server on loopback."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.ingest import ingest
from agent.settings import get_settings
from agent.store import open_store
from tests.fakes import FakeHashEmbedder

pytestmark = pytest.mark.chroma_server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `chroma run` on a free loopback port: (url, process)."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    log = open(path / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = (path / "server.log").read_text()[-300:]
                    pytest.skip(f"chroma server did not start: {tail}")
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


def test_ingest_and_search_through_a_server(
    chroma_url: str, monkeypatch: pytest.MonkeyPatch, seed_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("VERISUM_CHROMA_URL", chroma_url)
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.chroma_url == chroma_url
    store = open_store(settings, FakeHashEmbedder())
    assert type(store.client).__name__ != "PersistentClient" or "Http" in repr(store.client)
    report = ingest([str(seed_path)], store=store)
    assert report.ok and report.count("added") == 1
    assert not settings.chroma_path.exists()  # nothing went to the embedded store
    # A second client (another "machine") sees the same document and exact offsets.
    other = open_store(get_settings(), FakeHashEmbedder())
    [info] = other.list_documents()
    doc = other.get_document(info.id)
    query = "The Korea Herald also wrote"
    hits = other.search(query, k=2)
    # The server's ranking equals a brute-force ranking with the same (fake) vectors.
    chunks = other.get_chunks(info.id)
    emb = other.embedder
    scores = emb.embed([c.text for c in chunks]) @ emb.embed_query(query)
    best = sorted(range(len(chunks)), key=lambda i: -scores[i])[:2]
    assert [h.chunk_index for h in hits] == [chunks[i].index for i in best]
    assert [round(h.score, 4) for h in hits] == [round(float(scores[i]), 4) for i in best]
    for h in hits:
        assert doc.text[h.start : h.end] == h.text
    again = ingest([str(seed_path)], store=other)
    assert again.count("unchanged") == 1


def test_server_down_is_a_clear_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.errors import StoreError

    monkeypatch.setenv("VERISUM_CHROMA_URL", f"http://127.0.0.1:{_free_port()}")
    get_settings.cache_clear()
    with pytest.raises(StoreError, match="cannot open"):
        open_store(get_settings(), FakeHashEmbedder())


def test_server_killed_midway_is_one_clear_line(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed_path: Path
) -> None:
    with chroma_server(tmp_path) as (url, proc):
        monkeypatch.setenv("VERISUM_CHROMA_URL", url)
        get_settings.cache_clear()
        store = open_store(get_settings(), FakeHashEmbedder())
        assert ingest([str(seed_path)], store=store).ok
        proc.kill()
        proc.wait(10)
        from agent.errors import StoreUnavailableError

        with pytest.raises(StoreUnavailableError, match=f"lost the Chroma server at {url}"):
            store.list_documents()
        r = cli("docs", "list")
        assert r.code == 5 and url in r.err and "unexpected" not in r.err
        assert r.err.count("\n") == 1
