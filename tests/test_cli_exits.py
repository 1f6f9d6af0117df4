"""Honest exits: a broken endpoint, a model that wrote nothing, --debug, docs rm.

The endpoint here is tests/fake_openai.py, a FAKE OpenAI-compatible server on loopback that
returns broken replies (no model runs); the embedding model is the real local one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agent import cli as cli_module
from tests.fake_openai import FakeOpenAI

SEED = Path(__file__).resolve().parent.parent / "seeds" / "north-korean-troops-kursk.txt"


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch):
    def use(mode: str) -> FakeOpenAI:
        fake = FakeOpenAI(mode)
        url = fake.__enter__()
        monkeypatch.setenv("VERISUM_BASE_URL", url)
        monkeypatch.setenv("VERISUM_MODEL", "fake")
        monkeypatch.setenv("VERISUM_LLM_MAX_RETRIES", "1")
        monkeypatch.setenv("VERISUM_LLM_TIMEOUT", "5")
        started.append(fake)
        fake.url = url  # type: ignore[attr-defined]
        return fake

    started: list[FakeOpenAI] = []
    yield use
    for fake in started:
        fake.__exit__(None, None, None)


@pytest.mark.parametrize("mode", ["garbage", "truncated", "empty"])
def test_broken_reply_body_is_an_endpoint_error_naming_it(cli: Any, endpoint, mode: str) -> None:
    fake = endpoint(mode)
    r = cli("summarize", str(SEED))
    assert r.code == 3, r
    assert fake.url in r.err and "not a chat completion" in r.err and "unexpected" not in r.err
    assert r.err.count("\n") == 1 and r.out == ""
    assert fake.requests == 2  # retried once (VERISUM_LLM_MAX_RETRIES=1), then gave up


def test_debug_shows_the_traceback_and_keeps_the_exit_code(cli: Any, endpoint) -> None:
    endpoint("empty")
    r = cli("--debug", "summarize", str(SEED))
    assert r.code == 3 and "Traceback" in r.err
    assert r.err.rstrip().splitlines()[-1].startswith("error: ")
    cli_module._state["debug"] = False


@pytest.mark.parametrize("mode", ["not_json_content", "truncated_content"])
def test_summary_the_model_did_not_write_is_not_verified_and_exits_4(
    cli: Any, endpoint, mode: str
) -> None:
    endpoint(mode)
    r = cli("summarize", str(SEED), "-f", "json")
    assert r.code == 4, r
    data = json.loads(r.out)
    assert data["verified"] is False and data["model_written"] == 0
    assert data["stats"]["lead_fallback"] is True
    assert all(b["origin"] == "extractive" for b in data["bullets"])
    assert "the model wrote none of this summary (no reply was usable)" in r.err
    r = cli("summarize", str(SEED), "--strict")
    assert r.code == 4 and "NOT verified: the model wrote no bullet" in r.out


def test_ask_with_no_usable_reply_does_not_claim_the_documents_are_silent(
    cli: Any, endpoint
) -> None:
    assert cli("ingest", str(SEED)).code == 0
    endpoint("not_json_content")
    r = cli("ask", "How many North Korean soldiers are in the Kursk region?", "--json")
    assert r.code == 4, r
    assert "gave no usable answer" in r.err and "not known" in r.err
    assert json.loads(r.out)["model_answerable"] is None


def test_docs_rm_checks_every_id_before_removing_any(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Inspections rose to 1,240 in March this year.\n")
    assert cli("ingest", str(tmp_path / "a.txt")).code == 0
    [doc] = json.loads(cli("docs", "list", "--json").out)
    r = cli("docs", "rm", doc["id"], "nosuchid")
    assert r.code == 2 and "nosuchid" in r.err and "nothing removed" in r.err
    assert [d["id"] for d in json.loads(cli("docs", "list", "--json").out)] == [doc["id"]]
    r = cli("docs", "rm", doc["id"][:6], doc["id"])  # the same document twice: removed once
    assert r.code == 0 and r.out == f"removed {doc['id']}\n"
    assert json.loads(cli("docs", "list", "--json").out) == []


def test_unwritable_output_fails_before_any_model_call(cli: Any, endpoint, tmp_path: Path):
    fake = endpoint("not_json_content")
    r = cli("summarize", str(SEED), "-o", str(tmp_path / "no" / "such" / "dir" / "s.md"))
    assert r.code == 2 and "cannot write" in r.err and fake.requests == 0
    r = cli("summarize", str(SEED), "-o", str(tmp_path))
    assert r.code == 2 and "is a folder" in r.err and fake.requests == 0


def test_summarize_takes_json_like_every_command(cli: Any, endpoint) -> None:
    endpoint("not_json_content")
    r = cli("summarize", str(SEED), "--json")
    assert json.loads(r.out)["schema_version"] == "1" and r.code == 4


ACME = "Acme Corp reported revenue of $12 million in 2023.\nThe company employs 450 people.\n"
GLOBEX = "Globex opened a plant in Texas in 2021.\nThe plant cost $40 million to build.\n"


def _stored(tmp_path: Path) -> None:
    from agent.ingest import ingest
    from agent.settings import get_settings
    from agent.store import open_store
    from tests.fakes import FakeHashEmbedder

    (tmp_path / "acme.txt").write_text(ACME)
    (tmp_path / "globex.txt").write_text(GLOBEX)
    store = open_store(get_settings(), FakeHashEmbedder())
    assert ingest([str(tmp_path / "acme.txt"), str(tmp_path / "globex.txt")], store=store).ok


def test_all_with_fewer_bullets_than_documents_names_what_was_left_out(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import re

    import agent.llm
    from tests.fakes import fake_chat_model

    _stored(tmp_path)

    def cite_450(messages: list[Any]) -> str:  # a FAKE model reply citing the right id
        sid = re.search(r"\[S(\d+)\] The company employs 450", str(messages[-1].content))
        assert sid, messages[-1].content
        bullet = {"text": "The company employs 450 people.", "sentence_ids": [int(sid[1])]}
        return json.dumps({"bullets": [bullet]})

    real = agent.llm.ChatAdapter
    model = fake_chat_model(cite_450)
    monkeypatch.setattr(
        agent.llm,
        "ChatAdapter",
        lambda *a, **kw: real(chat_model=model, notify=None, sleep=lambda s: None, **kw),
    )
    r = cli("summarize", "--all", "-n", "1")
    assert r.code == 0, r
    assert "note: 1 of 2 documents are in no bullet: Globex opened a plant" in r.err


def test_query_matching_nothing_says_so_instead_of_summarizing_everything(
    tmp_path: Path,
) -> None:
    from agent.errors import InputError
    from agent.settings import get_settings
    from agent.store import open_store
    from agent.summarize import sources_from_store
    from tests.fakes import FakeHashEmbedder

    _stored(tmp_path)
    store = open_store(get_settings(), FakeHashEmbedder())
    with pytest.raises(InputError, match="no ingested document matches 'zebra migration'"):
        sources_from_store(store, query="zebra migration")
    found = sources_from_store(store, query="Globex plant in Texas")
    assert found[0].doc.text == GLOBEX.strip()  # the best match first


def _reading_stdin(pid: int) -> bool:
    """Is ``pid`` blocked in read(2) on fd 0? (Linux ``/proc/PID/syscall``; x86_64 read is 0,
    aarch64's is 63.)"""
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return len(fields) > 1 and fields[0] in ("0", "63") and int(fields[1], 16) == 0


@pytest.mark.skipif(not Path("/proc/self/syscall").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_waiting_gives_one_line_and_exit_130(tmp_path: Path) -> None:
    """SIGINT (what Ctrl-C sends) to a real ``verisum`` waiting on stdin: one stderr line, 130."""
    exe = Path(sys.executable).with_name("verisum")
    assert exe.exists(), exe
    env = {**os.environ, "VERISUM_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [str(exe), "verify", "--summary", "-", "--source", str(SEED)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not _reading_stdin(proc.pid):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "verisum never waited on stdin"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert err.decode().splitlines() == ["interrupted"] and not out
