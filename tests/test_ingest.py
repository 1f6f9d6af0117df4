"""Ingestion end to end: files -> store, through the real pipeline and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent.ingest import ingest
from agent.settings import get_settings
from agent.store import COMPLETE, open_store
from tests.fakes import FakeHashEmbedder

ROOT = Path(__file__).resolve().parent.parent


def _corpus(folder: Path, n: int = 6) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"doc{i}.txt"
        body = " ".join(
            f"Report {i} paragraph {j}: {100 * i + j} soldiers moved {j} km on day {i + j}."
            for j in range(40)
        )
        p.write_text(f"Title {i}\n\n{body}\n")
        paths.append(p)
    return paths


@pytest.fixture
def store():
    return open_store(get_settings(), FakeHashEmbedder())


def test_offsets_slice_stored_text_exactly(tmp_path: Path, store, seed_path: Path) -> None:
    _corpus(tmp_path / "c", 2)
    report = ingest([str(seed_path), str(tmp_path / "c")], store=store)
    assert report.ok and report.count("added") == 3
    for info in store.list_documents():
        doc = store.get_document(info.id)
        chunks = store.get_chunks(info.id)
        assert chunks and len(chunks) == info.chunks
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            for s in c.sentences:
                assert c.start <= s.start < s.end <= c.end
                assert doc.text[s.start : s.end].strip() == doc.text[s.start : s.end]


def test_reingest_unchanged_is_a_noop(tmp_path: Path, store) -> None:
    _corpus(tmp_path / "c", 3)
    ingest([str(tmp_path / "c")], store=store)
    calls, chunks = store.embedder.calls, store.count_chunks()
    again = ingest([str(tmp_path / "c")], store=store)
    assert again.count("unchanged") == 3 and again.count("added") == 0
    assert store.embedder.calls == calls and store.count_chunks() == chunks


def test_changed_file_replaces_its_chunks_without_orphans(tmp_path: Path, store) -> None:
    [p, *_] = _corpus(tmp_path / "c", 2)
    ingest([str(tmp_path / "c")], store=store)
    old_id = next(d.id for d in store.list_documents() if d.source.endswith("doc0.txt"))
    p.write_text(p.read_text() + "\nA new closing line about 5 tanks.\n")
    report = ingest([str(p)], store=store)
    assert [r.status for r in report.results] == ["replaced"]
    ids = {d.id for d in store.list_documents()}
    assert old_id not in ids and len(ids) == 2
    meta = store.chunks.get(include=["metadatas"])["metadatas"]
    assert {m["doc_id"] for m in meta} == ids
    assert len(meta) == sum(d.chunks for d in store.list_documents())


def test_bad_files_fail_alone(tmp_path: Path, store) -> None:
    good = _corpus(tmp_path / "c", 1)[0]
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (tmp_path / "x.docx").write_bytes(b"PK")
    report = ingest(
        [
            str(good),
            str(tmp_path / "empty.txt"),
            str(tmp_path / "bin.txt"),
            str(tmp_path / "x.docx"),
            str(tmp_path / "missing.txt"),
        ],
        store=store,
    )
    assert report.count("added") == 1 and report.count("failed") == 4 and not report.ok
    for r in report.results:
        if r.status == "failed":
            assert r.error and "\n" not in r.error and r.source.split("/")[-1] in r.error


_CRASHER = r"""
import os, signal, sys
import agent.store as st
import agent.embeddings as emb
from tests.fakes import FakeHashEmbedder
from agent.ingest import ingest
emb.get_embedder = lambda settings: FakeHashEmbedder()
st.ADD_BATCH = 1
calls = {"n": 0}
real_open = st.Store.__init__
def init(self, *a, **k):
    real_open(self, *a, **k)
    upsert = self.chunks.upsert
    def dying_upsert(*a, **k):
        calls["n"] += 1
        if calls["n"] == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return upsert(*a, **k)
    self.chunks.upsert = dying_upsert
st.Store.__init__ = init
ingest([sys.argv[1]])
"""


@pytest.mark.parametrize("die_at", [1, 6, 13])
def test_kill_9_midway_then_rerun_completes_without_duplicates(tmp_path: Path, die_at: int) -> None:
    folder = tmp_path / "c"
    _corpus(folder, 5)
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHER, str(folder), str(die_at)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    get_settings.cache_clear()
    store = open_store(get_settings(), FakeHashEmbedder())
    report = ingest([str(folder)], store=store)
    assert report.ok
    docs = store.list_documents()
    assert len(docs) == 5
    assert store.statuses([d.id for d in docs]) == {d.id: COMPLETE for d in docs}
    got = store.chunks.get(include=["metadatas"])
    assert len(got["ids"]) == len(set(got["ids"])) == sum(d.chunks for d in docs)
    assert {m["doc_id"] for m in got["metadatas"]} == {d.id for d in docs}
    assert store.docs.count() == 5


# ------------------------------------------------------------------ CLI, real local model
def test_cli_ingest_search_docs_roundtrip(cli, seed_path: Path) -> None:
    r = cli("ingest", str(seed_path))
    assert r.code == 0, r
    assert "1 added" in r.out
    r = cli("ingest", str(seed_path))
    assert "1 unchanged" in r.out and r.code == 0
    r = cli("docs", "list", "--json")
    [doc] = json.loads(r.out)
    r = cli("search", "no increase in the response from partners", "-k", "3", "--json")
    hits = json.loads(r.out)
    assert r.code == 0 and len(hits) == 3
    assert "not seeing an increase in the response from partners" in hits[0]["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    shown = json.loads(cli("docs", "show", doc["id"][:8], "--json").out)
    text = shown["document"]["text"]
    for h in hits:
        assert text[h["start"] : h["end"]] == h["text"]
    r = cli("search", "Blinken", "--doc", doc["id"])
    assert r.code == 0 and "score" in r.out
    r = cli("docs", "rm", doc["id"])
    assert r.code == 0 and json.loads(cli("docs", "list", "--json").out) == []


def test_cli_partial_failure_exit_code_and_stdin(cli, tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("# Heading\n\nSome 12 words of text here.\n")
    (tmp_path / "bad.xyz").write_text("x")
    r = cli("ingest", str(tmp_path / "ok.md"), str(tmp_path / "bad.xyz"))
    assert r.code == 1 and "1 added" in r.out and "bad.xyz" in r.err
    assert "Traceback" not in r.err
    r = cli("ingest", "-", stdin=b"Piped text with 3 figures: 4, 5 and 6.\n")
    assert r.code == 0 and "1 added" in r.out


def test_cli_errors_are_one_line(cli) -> None:
    r = cli("docs", "show", "nope")
    assert r.code == 2 and r.err.count("\n") == 1 and "nope" in r.err
    r = cli("ingest", "/definitely/missing.txt")
    assert r.code == 1 and "missing.txt" in r.err and "Traceback" not in r.err
