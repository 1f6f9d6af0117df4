"""Fault injection for the store and the endpoint: every trial checks the invariants.

    uv run python benchmarks/fault_inject.py [--trials N] [--quick]

Scenarios (each trial on a fresh VERISUM_HOME; network only to 127.0.0.1):

1. concurrent ingests: 2-4 writer processes (own folders plus one shared folder) and 2
   reader processes (docs list + search in a loop, checking they never see two versions of a
   source) on one embedded store;
2. kill -9 at every stage of a first ingest and of a re-ingest of changed files (the process
   kills itself on entering the n-th call of a store method), then the rerun;
3. kill -9 at a random moment of a re-ingest (a timer, so inside Chroma calls too);
4. identical and renamed files, then one of the identical files changed;
5. a real `chroma run` server killed mid-ingest: one clear line and exit 5, then a restarted
   server and a rerun;
6. a FAKE OpenAI-compatible server (tests/fake_openai.py) returning garbage, truncated JSON,
   empty bodies, prose, cut-off JSON and slow streams: the exit code and stderr line of
   summarize and ask;
7. memory: Python's peak allocation ingesting a 1 MB and a 4 MB file.

Invariants (tests/invariants.py): one current version per source path, the one on disk;
every chunk belongs to a complete document and each document has all its chunks once;
text[start:end] exact; search answers, within 5 s, with current documents only. Chunk
vectors come from the FAKE hash embedder (tests/fakes.py) so that the trials measure the
store, not the embedding model; the endpoint scenario uses the real local embedder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.invariants import expected_for, violations  # noqa: E402

PY = sys.executable
SEED = ROOT / "seeds" / "north-korean-troops-kursk.txt"
FAKE_EMBEDDER = """
import agent.embeddings as emb
from tests.fakes import FakeHashEmbedder
emb.get_embedder = lambda settings: FakeHashEmbedder()
"""
WRITER = (
    FAKE_EMBEDDER
    + """
import sys
from agent.ingest import ingest
sys.exit(0 if ingest(sys.argv[1:]).ok else 1)
"""
)
READER = (
    FAKE_EMBEDDER
    + """
import sys, time
from collections import Counter
from agent.settings import get_settings
from agent.store import open_store
store = open_store(get_settings())
reads, deadline = 0, time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    docs = store.list_documents()
    twice = [s for s, n in Counter(s for d in docs for s in d.sources).items() if n > 1]
    if twice:
        print("two versions of", twice[:3]); sys.exit(1)
    current = {d.id for d in docs}
    for h in store.search("soldiers moved", k=5):
        if h.doc_id not in current and h.doc_id not in store.current_ids([h.doc_id]):
            print("search returned a non-current document", h.doc_id); sys.exit(1)
    reads += 1
print(reads)
"""
)
CRASHER = (
    FAKE_EMBEDDER
    + """
import os, signal, sys
import agent.ingest as ing
import agent.store as st
from agent.ingest import ingest
st.ADD_BATCH, ing.EMBED_GROUP = 3, 4
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
)
# (store method, n-th call): the process dies on entering that call. Every stage of writing a
# document (record pending, chunks, complete, sources pointed at it) and of dropping the
# version it replaces (unreferenced versions collected, each dropped).
STAGES = [
    ("begin_documents", 1),
    ("write_chunks", 1),
    ("write_chunks", 4),
    ("complete_documents", 1),
    ("link_sources", 1),
    ("_collect", 1),
    ("_drop", 1),
    ("_drop", 3),
]
FIRST_INGEST = ("begin_documents", "write_chunks", "complete_documents", "link_sources")


class Tally:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, list[str]]] = []

    def add(self, name: str, trials: int, held: int, notes: list[str]) -> None:
        self.rows.append((name, trials, held, notes))
        status = "ok" if held == trials else "FAILED"
        print(f"{status:6} {name}: {held}/{trials} trials held every invariant", flush=True)
        for n in notes[:5]:
            print(f"         {n}", flush=True)


def corpus(folder: Path, n: int, version: int = 0, lines: int = 40, tag: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(
            f"Report {tag}{i} version {version} part {j}: {100 * i + j + version} soldiers "
            f"moved {j} km on day {i + j}."
            for j in range(lines)
        )
        (folder / f"doc{i}.txt").write_text(f"Title {tag}{i}\n\n{body}\n")


def fresh_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="verisum-fault-"))
    os.environ["VERISUM_HOME"] = str(home)
    return home


def env() -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("VERISUM_CHROMA_URL", "VERISUM_BASE_URL", "OPENAI_API_KEY"):
        out.pop(var, None)
    return out


def open_fake_store():
    from agent.settings import get_settings
    from agent.store import open_store
    from tests.fakes import FakeHashEmbedder

    get_settings.cache_clear()
    return open_store(get_settings(), FakeHashEmbedder())


def rerun(folder: Path) -> bool:
    from agent.ingest import ingest

    store = open_fake_store()
    try:
        return ingest([str(folder)], store=store).ok
    finally:
        store.close()  # as a command's process would: the next one opens the files afresh


def check(expected: dict[str, str], *, after_recovery: bool = True) -> list[str]:
    store = open_fake_store()
    try:
        return violations(store, expected, after_recovery=after_recovery)
    finally:
        store.close()


# ---------------------------------------------------------------- 1. concurrency
def concurrent(trials: int, tally: Tally) -> None:
    held, notes = 0, []
    for t in range(trials):
        writers = 2 + t % 3
        home = fresh_home()
        shared = home / "shared"
        corpus(shared, 6, tag="s")
        folders = []
        for w in range(writers):
            f = home / f"w{w}"
            corpus(f, 8, version=w, tag=f"w{w}-")
            folders.append(f)
        procs = [
            subprocess.Popen(
                [PY, "-c", WRITER, str(f), str(shared)],
                env=env(),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for f in folders
        ]
        readers = [
            subprocess.Popen(
                [PY, "-c", READER, "12"],
                env=env(),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        bad: list[str] = []
        for p in procs + readers:
            out, err = p.communicate(timeout=300)
            if p.returncode != 0:
                bad.append(f"exit {p.returncode}: {(out + err).decode()[-300:]}")
        expected = {k: v for f in [*folders, shared] for k, v in expected_for(f).items()}
        bad += check(expected)
        if bad:
            notes += [f"trial {t} ({writers} writers): {b}" for b in bad]
        else:
            held += 1
        shutil.rmtree(home, ignore_errors=True)
    tally.add("concurrent ingests, 2-4 writers + 2 readers", trials, held, notes)


# ---------------------------------------------------------------- 2. kill at each stage
def kill_stages(trials: int, tally: Tally, *, reingest: bool) -> None:
    held, total, notes, not_reached = 0, 0, [], 0
    stages = STAGES if reingest else [(m, n) for m, n in STAGES if m in FIRST_INGEST]
    for method, at in stages:
        for t in range(trials):
            home = fresh_home()
            folder = home / "c"
            corpus(folder, 5, version=t)
            if reingest:
                if not rerun(folder):
                    notes.append("first ingest failed")
                corpus(folder, 3, version=t + 1)  # three of five change
            proc = subprocess.run(
                [PY, "-c", CRASHER, str(folder), method, str(at)],
                env=env(),
                cwd=ROOT,
                capture_output=True,
                timeout=300,
            )
            total += 1
            if proc.returncode != -signal.SIGKILL:
                not_reached += 1  # this run never made that many calls: it finished
            bad = check({}, after_recovery=False)  # readers' view before any recovery
            bad += [] if rerun(folder) else ["rerun failed"]
            bad += check(expected_for(folder))
            if bad:
                notes += [f"{method}#{at} trial {t}: {b}" for b in bad]
            else:
                held += 1
            shutil.rmtree(home, ignore_errors=True)
    what = "re-ingest of changed files" if reingest else "first ingest"
    name = f"kill -9 at {len(stages)} stages of a {what} ({not_reached} runs ended first)"
    tally.add(name, total, held, notes)


# ---------------------------------------------------------------- 3. kill at random
def kill_random(trials: int, tally: Tally) -> None:
    held, notes = 0, []
    rng = random.Random(13)
    for t in range(trials):
        home = fresh_home()
        folder = home / "c"
        corpus(folder, 12, lines=60)
        rerun(folder)
        corpus(folder, 8, version=1, lines=60)
        proc = subprocess.Popen(
            [PY, "-c", WRITER, str(folder)],
            env=env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(2.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        bad = check({}, after_recovery=False)
        bad += [] if rerun(folder) else ["rerun failed"]
        bad += check(expected_for(folder))
        if bad:
            notes += [f"trial {t}: {b}" for b in bad]
        else:
            held += 1
        shutil.rmtree(home, ignore_errors=True)
    tally.add("kill -9 at a random moment of a re-ingest", trials, held, notes)


# ---------------------------------------------------------------- 4. identical / renamed
def identical_and_renamed(trials: int, tally: Tally) -> None:
    from agent.ingest import ingest

    held, notes = 0, []
    for t in range(trials):
        home = fresh_home()
        folder = home / "c"
        corpus(folder, 2, version=t)
        shutil.copy(folder / "doc0.txt", folder / "copy.txt")
        bad: list[str] = []
        store = open_fake_store()
        rep = ingest([str(folder)], store=store)
        if [r.status for r in rep.results].count("added") != 3:
            bad.append(f"first ingest: {[r.status for r in rep.results]}")
        (folder / "doc1.txt").rename(folder / "moved.txt")
        ingest([str(folder)], store=store)
        with (folder / "doc0.txt").open("a") as f:
            f.write("A new line: 77 tanks.\n")
        ingest([str(folder)], store=store)
        expected = expected_for(folder)
        # moved.txt's old name stays a source of the same content until removed
        expected[str(home / "c" / "doc1.txt")] = expected[str(folder / "moved.txt")]
        bad += violations(open_fake_store(), expected)
        if bad:
            notes += [f"trial {t}: {b}" for b in bad]
        else:
            held += 1
        shutil.rmtree(home, ignore_errors=True)
    tally.add("identical files, a rename, then one copy changed", trials, held, notes)


# ---------------------------------------------------------------- 5. chroma server killed
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_chroma(data: Path, port: int) -> subprocess.Popen | None:
    exe = shutil.which("chroma") or str(Path(PY).parent / "chroma")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    return None


CLI_MAIN = """
import sys
from agent.cli import main
sys.argv = ["verisum", *sys.argv[1:]]
main()
"""


def server_killed(trials: int, tally: Tally) -> None:
    held, notes, cut = 0, [], 0
    cli = FAKE_EMBEDDER + CLI_MAIN
    for t in range(trials):
        home = fresh_home()
        folder = home / "c"
        corpus(folder, 120, lines=60)
        port = _free_port()
        server = _start_chroma(home / "server", port)
        if server is None:
            notes.append("chroma server did not start")
            continue
        url = f"http://127.0.0.1:{port}"
        e = {**env(), "VERISUM_CHROMA_URL": url}
        proc = subprocess.Popen(
            [PY, "-c", cli, "ingest", str(folder)],
            env=e,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3.0 + 2 * t)
        server.kill()
        server.wait()
        _, err = proc.communicate(timeout=120)
        bad = []
        if proc.returncode not in (0, 5):
            bad.append(f"ingest exit {proc.returncode}: {err[-300:]}")
        cut += proc.returncode == 5
        lines = [ln for ln in err.splitlines() if not ln.startswith("embedded ")]  # progress
        if proc.returncode == 5 and (len(lines) != 1 or url not in lines[0]):
            bad.append(f"not one clear line: {err[-300:]}")
        if "Traceback" in err or "unexpected" in err:
            bad.append(f"traceback/unexpected: {err[-300:]}")
        server = _start_chroma(home / "server", port)
        if server is None:
            bad.append("chroma server did not restart")
        else:
            os.environ["VERISUM_CHROMA_URL"] = url
            try:
                bad += [] if rerun(folder) else ["rerun failed"]
                bad += check(expected_for(folder))
            finally:
                del os.environ["VERISUM_CHROMA_URL"]
                server.terminate()
                server.wait(10)
        if bad:
            notes += [f"trial {t}: {b}" for b in bad]
        else:
            held += 1
        shutil.rmtree(home, ignore_errors=True)
    name = f"Chroma server killed mid-ingest ({cut} cut off, exit 5), restarted, rerun"
    tally.add(name, trials, held, notes)


# ---------------------------------------------------------------- 6. broken endpoint
# (mode, seconds between 16-byte pieces, settings, exit code, what the last stderr line says)
ENDPOINT_CASES: list[tuple[str, float, dict[str, str], int, str]] = [
    ("garbage", 0, {}, 3, "not a chat completion"),
    ("truncated", 0, {}, 3, "not a chat completion"),
    ("empty", 0, {}, 3, "not a chat completion"),
    ("not_json_content", 0, {}, 4, "the model wrote none"),
    ("truncated_content", 0, {}, 4, "the model wrote none"),
    ("slow", 0.05, {"VERISUM_LLM_TIMEOUT": "30"}, 4, "the model wrote none"),
    ("slow", 2.0, {"VERISUM_LLM_TIMEOUT": "1"}, 3, "timed out"),
]


def endpoints(tally: Tally) -> None:
    held, total, notes = 0, 0, []
    home = fresh_home()
    e0 = env()
    subprocess.run(
        [PY, "-m", "agent.cli", "ingest", str(SEED)],
        env=e0,
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for mode, delay, extra, want, says in ENDPOINT_CASES:
        for cmd in (["summarize", str(SEED)], ["ask", "How many North Korean soldiers?"]):
            ask_says = "gave no usable answer" if want == 4 else says
            with FakeOpenAI(mode, delay=delay) as url:
                e = {
                    **e0,
                    "VERISUM_BASE_URL": url,
                    "VERISUM_MODEL": "fake",
                    "VERISUM_LLM_MAX_RETRIES": "0",
                    **extra,
                }
                t = time.monotonic()
                p = subprocess.run(
                    [PY, "-m", "agent.cli", *cmd],
                    env=e,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                took = time.monotonic() - t
            total += 1
            line = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
            wanted = ask_says if cmd[0] == "ask" else says
            ok = p.returncode == want and wanted in line and "Traceback" not in p.stderr
            if ok:
                held += 1
            else:
                notes.append(f"{mode} {cmd[0]}: exit {p.returncode} ({took:.0f}s): {line[:200]}")
    shutil.rmtree(home, ignore_errors=True)
    tally.add("FAKE endpoint: garbage/truncated/empty/prose/cut JSON/slow", total, held, notes)


# ---------------------------------------------------------------- 7. memory
MEM = (
    FAKE_EMBEDDER
    + """
import sys, tracemalloc
from agent.ingest import ingest
tracemalloc.start()
r = ingest([sys.argv[1]])
print(r.results[0].chunks, tracemalloc.get_traced_memory()[1])
"""
)


def memory(tally: Tally) -> None:
    home = fresh_home()
    peaks = {}
    line = "Report paragraph: 1,240 soldiers moved 12 km on day 5 near the river crossing. "
    for mb in (1, 4):
        p = home / f"big{mb}.txt"
        p.write_text((line * 6 + "\n") * int(mb * 1e6 / (len(line) * 6 + 1)))
        out = subprocess.run(
            [PY, "-c", MEM, str(p)],
            env=env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        ).stdout.split()
        peaks[mb] = (int(out[0]), int(out[1]) / 1e6)
    shutil.rmtree(home, ignore_errors=True)
    (c1, m1), (c4, m4) = peaks[1], peaks[4]
    print(
        f"memory: 1 MB file {c1} chunks, Python peak {m1:.0f} MB; 4 MB file {c4} chunks, "
        f"Python peak {m4:.0f} MB (x{m4 / m1:.2f} for x4 the size)",
        flush=True,
    )
    tally.add("memory: Python peak for x4 the file size under x1.5", 1, int(m4 < 1.5 * m1), [])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=2, help="trials of the random scenarios")
    ap.add_argument("--stage-trials", type=int, default=1, help="trials per kill stage")
    ap.add_argument("--quick", action="store_true", help="one trial each, no memory run")
    args = ap.parse_args()
    trials = 1 if args.quick else args.trials
    started = time.monotonic()
    tally = Tally()
    steps: list[Callable[[], None]] = [
        lambda: concurrent(trials, tally),
        lambda: kill_stages(args.stage_trials, tally, reingest=False),
        lambda: kill_stages(args.stage_trials, tally, reingest=True),
        lambda: kill_random(trials, tally),
        lambda: identical_and_renamed(trials, tally),
        lambda: server_killed(trials, tally),
        lambda: endpoints(tally),
    ]
    if not args.quick:
        steps.append(lambda: memory(tally))
    for step in steps:
        step()
    trials_run = sum(r[1] for r in tally.rows)
    held = sum(r[2] for r in tally.rows)
    print(
        json.dumps(
            {"trials": trials_run, "held": held, "seconds": round(time.monotonic() - started)}
        )
    )
    sys.exit(0 if held == trials_run else 1)


if __name__ == "__main__":
    main()
