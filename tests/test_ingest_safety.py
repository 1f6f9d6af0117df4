"""Data safety of the store: kill -9 at every stage, identical files, locking, big files.

The crash tests run ingest in a subprocess that SIGKILLs itself on entering the n-th call of
one store method (fault injection), then check the store invariants (tests/invariants.py)
before and after the rerun that recovers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.ingest import EMBED_GROUP, ingest
from agent.settings import get_settings
from agent.store import open_store
from agent.storelock import WAIT_LINE
from tests.fakes import FakeHashEmbedder
from tests.invariants import expected_for, violations

ROOT = Path(__file__).resolve().parent.parent

CRASHER = r"""
import os, signal, sys
import agent.embeddings as emb
import agent.store as st
import agent.ingest as ing
from tests.fakes import FakeHashEmbedder
from agent.ingest import ingest
emb.get_embedder = lambda settings: FakeHashEmbedder()
st.ADD_BATCH = int(os.environ.get("ADD_BATCH", "1000"))
ing.EMBED_GROUP = int(os.environ.get("EMBED_GROUP", "256"))
method, at = sys.argv[2], int(sys.argv[3])
real = getattr(st.Store, method)
calls = {"n": 0}
def dying(self, *a, **k):
    calls["n"] += 1
    if calls["n"] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, *a, **k)
setattr(st.Store, method, dying)
ingest([sys.argv[1]])
"""

# (method, n-th call): the stages of writing a document and of dropping its old version
# (benchmarks/fault_inject.py runs every stage, several trials each).
STAGES = [("write_chunks", 3), ("_collect", 1), ("_drop", 2)]
FIRST_STAGES = [("write_chunks", 4)]


def corpus(folder: Path, n: int = 5, version: int = 0, lines: int = 30) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"doc{i}.txt"
        body = " ".join(
            f"Report {i} version {version} part {j}: {100 * i + j + version} soldiers moved "
            f"{j} km on day {i + j}."
            for j in range(lines)
        )
        p.write_text(f"Title {i}\n\n{body}\n")
        paths.append(p)
    return paths


def fresh_store():
    get_settings.cache_clear()
    return open_store(get_settings(), FakeHashEmbedder())


def crash(folder: Path, method: str, at: int) -> subprocess.CompletedProcess:
    """Ingest ``folder`` in a subprocess that kills itself at the ``at``-th ``method`` call
    (chunks written 4 per batch, 3 per Chroma call, so every stage happens several times)."""
    return subprocess.run(
        [sys.executable, "-c", CRASHER, str(folder), method, str(at)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ADD_BATCH": "3", "EMBED_GROUP": "4"},
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(("method", "at"), STAGES)
def test_kill_9_during_reingest_of_changed_files_keeps_one_version(
    tmp_path: Path, method: str, at: int
) -> None:
    folder = tmp_path / "c"
    corpus(folder, 5)
    assert ingest([str(folder)], store=fresh_store()).ok
    corpus(folder, 3, version=1)  # three of the five files change
    proc = crash(folder, method, at)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    store = fresh_store()
    # Before any recovery, readers already see one version per source.
    assert violations(store, after_recovery=False) == []
    assert len(store.list_documents()) == 5
    report = ingest([str(folder)], store=store)
    assert report.ok
    assert violations(store, expected_for(folder)) == []


@pytest.mark.parametrize(("method", "at"), FIRST_STAGES)
def test_kill_9_during_first_ingest_then_rerun_completes(
    tmp_path: Path, method: str, at: int
) -> None:
    folder = tmp_path / "c"
    corpus(folder, 4)
    proc = crash(folder, method, at)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    store = fresh_store()
    assert violations(store, after_recovery=False) == []
    assert ingest([str(folder)], store=store).ok
    assert violations(store, expected_for(folder)) == []


def test_identical_files_each_keep_their_content(tmp_path: Path) -> None:
    text = "Inspections rose to 1,240 in March. The budget was 3 million euros.\n"
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    store = fresh_store()
    report = ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store=store)
    assert [(r.status, Path(r.source).name) for r in report.results] == [
        ("added", "a.txt"),
        ("added", "b.txt"),
    ]
    assert Path(report.results[1].same_as[0]).name == "a.txt"
    [doc] = store.list_documents()
    assert [Path(s).name for s in doc.sources] == ["a.txt", "b.txt"]
    (tmp_path / "a.txt").write_text(text + "A new line with 7 inspectors.\n")
    report = ingest([str(tmp_path / "a.txt")], store=store)
    assert [r.status for r in report.results] == ["replaced"]
    by_name = {Path(s).name: d for d in store.list_documents() for s in d.sources}
    assert store.get_document(by_name["b.txt"].id).text == text.strip()
    assert "7 inspectors" in store.get_document(by_name["a.txt"].id).text
    assert violations(store, expected_for(tmp_path), query="inspections") == []


def test_renamed_file_gains_a_source_and_removal_keeps_the_other(tmp_path: Path) -> None:
    corpus(tmp_path / "c", 1)
    store = fresh_store()
    ingest([str(tmp_path / "c")], store=store)
    (tmp_path / "c" / "doc0.txt").rename(tmp_path / "c" / "moved.txt")
    report = ingest([str(tmp_path / "c")], store=store)
    [row] = report.results
    assert row.status == "added" and row.chunks == 0 and row.same_as[0].endswith("doc0.txt")
    [doc] = store.list_documents()
    assert len(doc.sources) == 2 and store.count_chunks() == doc.chunks


def test_reingest_of_unchanged_files_embeds_nothing(tmp_path: Path) -> None:
    corpus(tmp_path / "c", 3)
    store = fresh_store()
    ingest([str(tmp_path / "c")], store=store)
    calls = store.embedder.calls
    again = ingest([str(tmp_path / "c")], store=store)
    assert again.count("unchanged") == 3 and store.embedder.calls == calls


def test_big_file_is_embedded_in_bounded_batches_with_progress(tmp_path: Path) -> None:
    [big] = corpus(tmp_path / "c", 1, lines=2500)  # ~190 KB, well over 2 batches of chunks
    store = fresh_store()
    sizes: list[int] = []
    real = store.embedder.embed
    store.embedder.embed = lambda texts: (sizes.append(len(texts)), real(texts))[1]
    progress: list[int] = []
    totals: list[int] = []
    report = ingest([str(big)], store=store, on_chunks=progress.append, on_total=totals.append)
    [row] = report.results
    assert row.status == "added" and row.chunks == sum(progress) == totals[-1]
    assert len(progress) >= 2 and max(sizes) <= EMBED_GROUP
    assert violations(store, expected_for(tmp_path / "c")) == []


def test_file_over_the_size_limit_is_refused_with_a_message(cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VERISUM_MAX_FILE_MB", "0.01")
    big = tmp_path / "big.txt"
    big.write_text("Twelve words in a sentence with 3 figures. " * 400)
    r = cli("ingest", str(big))
    assert r.code == 1
    assert f"big.txt: {big.stat().st_size / 1e6:.3g} MB is over the 0.01 MB limit" in r.err
    assert "VERISUM_MAX_FILE_MB" in r.err and r.err.count("\n") == 1


def test_a_locked_store_waits_with_a_message_then_times_out(tmp_path: Path) -> None:
    from filelock import FileLock

    home = Path(os.environ["VERISUM_HOME"])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VERISUM_LOCK_TIMEOUT": "1"}
    cmd = [sys.executable, "-m", "agent.cli", "docs", "list"]
    with FileLock(str(home / "chroma.lock")):
        t = time.monotonic()
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
        waited = time.monotonic() - t
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == WAIT_LINE
    assert "VERISUM_LOCK_TIMEOUT" in lines[1] and len(lines) == 2 and waited >= 1
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


WRITER = r"""
import sys
import agent.embeddings as emb
from tests.fakes import FakeHashEmbedder
from agent.ingest import ingest
emb.get_embedder = lambda settings: FakeHashEmbedder()
r = ingest(sys.argv[1:])
sys.exit(0 if r.ok else 1)
"""


def test_concurrent_writers_take_turns(tmp_path: Path) -> None:
    folders = []
    for w in range(2):
        folder = tmp_path / f"w{w}"
        corpus(folder, 4, version=w)
        folders.append(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(f), str(folders[0])],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in folders
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e.decode()[-800:] for _, e in outs]
    store = fresh_store()
    expected = {k: v for f in folders for k, v in expected_for(f).items()}
    assert violations(store, expected) == []
    assert len(store.list_documents()) == 8


CLI_FAKE_EMBEDDER = r"""
import sys
import agent.embeddings as emb
from tests.fakes import FakeHashEmbedder
emb.get_embedder = lambda settings: FakeHashEmbedder()
from agent.cli import main
sys.argv = ["verisum", *sys.argv[1:]]
main()
"""


def _as_unprivileged(cmd: list[str]) -> list[str]:
    """Root reads any folder: run as nobody so permissions apply."""
    if os.geteuid() != 0:
        return cmd
    import shutil

    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]


def test_unreadable_folder_and_file_are_reported_not_skipped_silently() -> None:
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="verisum-perm-"))
    try:
        base.chmod(0o777)
        (base / "home").mkdir()
        (base / "home").chmod(0o777)
        data = base / "data"
        (data / "locked").mkdir(parents=True)
        (data / "ok.txt").write_text("Inspections rose to 1,240 in March.\n")
        (data / "locked" / "hidden.txt").write_text("The budget was 3 million euros.\n")
        (data / "locked").chmod(0)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "VERISUM_HOME": str(base / "home")}
        run = lambda *args: subprocess.run(  # noqa: E731
            _as_unprivileged([sys.executable, "-c", CLI_FAKE_EMBEDDER, *args]),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        proc = run("ingest", str(data))
        assert proc.returncode == 1, proc.stderr
        assert "1 added" in proc.stdout and "1 failed" in proc.stdout
        assert f"{data / 'locked'}: cannot read folder (Permission denied); skipped" in proc.stderr
        proc = run("ingest", str(data / "locked" / "hidden.txt"))
        assert proc.returncode == 1 and "unexpected" not in proc.stderr
        assert "hidden.txt: cannot read (Permission denied)" in proc.stderr
    finally:
        (base / "data" / "locked").chmod(0o755)
        import shutil

        shutil.rmtree(base, ignore_errors=True)
