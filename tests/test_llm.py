"""The model adapter: fakes for the loop, a loopback stub for HTTP errors, real recordings.

Recorded tests replay cassettes made against the bundled SmolLM2 server on a fixed port.
Re-record (needs the ``local`` extra):
    uv run pytest tests/test_llm.py -k recorded --record-mode=rewrite
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agent import calllog
from agent.errors import EndpointError, InvalidOutputError, ModelError
from agent.llm import (
    LOCAL_NOTICE,
    ChatAdapter,
    Endpoint,
    LLMCall,
    Usage,
    parse_reply,
    resolve_endpoint,
    response_format,
)
from agent.localmodel import QWEN, SMOLLM2, LocalServer, free_port, local_model_available
from agent.prompts import load_prompt
from agent.settings import get_settings
from tests.recording import RECORDED_WITH

RECORD_PORT = 18737  # fixed: replay matches on host and port
FAKE_KEY = "sk-test-THISISAFAKEKEY0123456789abcdef"


class Bullet(BaseModel):
    text: str
    sentence_ids: list[int] = Field(max_length=3)
    quote: str | None = None


class Summary(BaseModel):
    bullets: list[Bullet] = Field(max_length=3)


VALID = '{"bullets": [{"text": "Revenue rose 12%.", "sentence_ids": [2]}]}'


# ---------------------------------------------------------------- fakes
def fake_reply(text: str, pt: int = 10, ct: int = 5) -> Any:
    from langchain_core.messages import AIMessage

    return AIMessage(
        content=text,
        usage_metadata={"input_tokens": pt, "output_tokens": ct, "total_tokens": pt + ct},
    )


def fake_model(*replies: Any) -> Any:
    """LangChain's GenericFakeChatModel answering the given replies in order."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    return GenericFakeChatModel(
        messages=iter([fake_reply(r) if isinstance(r, str) else r for r in replies])
    )


def scripted_fake_model(*script: Any) -> Any:
    """A fake chat model that raises the exceptions and returns the replies in ``script``."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.outputs import ChatGeneration, ChatResult

    class FakeScriptedChatModel(BaseChatModel):
        steps: list[Any]

        @property
        def _llm_type(self) -> str:
            return "fake-scripted"

        def _generate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> ChatResult:
            step = self.steps.pop(0)
            if isinstance(step, BaseException):
                raise step
            msg = fake_reply(step) if isinstance(step, str) else step
            return ChatResult(generations=[ChatGeneration(message=msg)])

    return FakeScriptedChatModel(steps=list(script))


def msgs(text: str = "[S1] Staff: 40. [S2] Revenue rose 12%.") -> list[dict[str, str]]:
    return [{"role": "system", "content": "Summarize as JSON."}, {"role": "user", "content": text}]


def adapter(model: Any, **kw: Any) -> ChatAdapter:
    kw.setdefault("sleep", lambda s: None)
    return ChatAdapter(chat_model=model, notify=None, **kw)


# ---------------------------------------------------------------- loop with fakes
def test_valid_reply_gives_model_and_usage() -> None:
    a = adapter(fake_model(VALID))
    obj, usage = a.complete(msgs(), Summary, name="summarize")
    assert obj.bullets[0].sentence_ids == [2]
    assert usage == Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15, calls=1)
    assert [c.status for c in calllog.recent()] == ["ok"]


def test_prompt_file_rendered_and_named() -> None:
    a = adapter(fake_model(VALID))
    a.complete(
        load_prompt("summarize"),
        Summary,
        sentences="[S1] x",
        max_bullets=2,
        focus="everything",
        parts="",
    )
    call = calllog.recent(1)[0]
    assert call.prompt == "summarize"
    assert "[S1] x" in call.messages[1]["content"]


def test_invalid_json_then_valid_after_reask() -> None:
    model = fake_model("Sure! Here are bullets: - revenue up", VALID)
    a = adapter(model)
    obj, usage = a.complete(msgs(), Summary, name="summarize")
    assert obj.bullets[0].text == "Revenue rose 12%."
    assert usage.calls == 2 and usage.total_tokens == 30
    log = calllog.recent()
    assert [(c.status, c.attempt, c.reask) for c in log] == [("invalid", 1, 0), ("ok", 2, 1)]
    second = log[1].messages
    assert second[-2] == {"role": "assistant", "content": "Sure! Here are bullets: - revenue up"}
    assert second[-1]["role"] == "user" and "not valid" in second[-1]["content"]
    assert "Invalid JSON" in (log[0].error or "")


def test_check_hook_rejects_then_reask() -> None:
    bad = '{"bullets": [{"text": "x", "sentence_ids": [9]}]}'

    def known_ids(s: Summary) -> None:
        unknown = [i for b in s.bullets for i in b.sentence_ids if i not in (1, 2)]
        if unknown:
            raise ValueError(f"unknown sentence id(s) {unknown}")

    a = adapter(fake_model(bad, VALID))
    obj, usage = a.complete(msgs(), Summary, name="summarize", check=known_ids)
    assert obj.bullets[0].sentence_ids == [2]
    assert usage.calls == 2
    assert "unknown sentence id(s) [9]" in a.calls[1].messages[-1]["content"]


def test_invalid_after_all_reasks_raises() -> None:
    a = adapter(fake_model('{"bullets": 3}', '{"bullets": 3}', '{"bullets": 3}'), max_reasks=2)
    with pytest.raises(InvalidOutputError) as err:
        a.complete(msgs(), Summary, name="summarize")
    text = str(err.value)
    assert "Summary" in text and "after 3 tries" in text and "bullets" in text
    assert "\n" not in text
    assert [c.status for c in calllog.recent()] == ["invalid"] * 3
    assert a.usage.calls == 3 and a.usage.total_tokens == 45


def test_usage_summed_over_reasks_and_retries() -> None:
    model = scripted_fake_model(
        TimeoutError(), fake_reply("nope", 100, 7), fake_reply(VALID, 130, 20)
    )
    a = adapter(model, max_retries=2, max_reasks=2)
    _, usage = a.complete(msgs(), Summary, name="summarize")
    assert usage == Usage(prompt_tokens=230, completion_tokens=27, total_tokens=257, calls=3)
    assert a.usage == usage
    assert [c.status for c in a.calls] == ["error", "invalid", "ok"]
    assert [c.attempt for c in a.calls] == [1, 2, 3]


def test_code_fence_is_accepted() -> None:
    assert parse_reply(f"```json\n{VALID}\n```", Summary).bullets[0].sentence_ids == [2]


def test_truncated_reply_is_reasked() -> None:
    from langchain_core.messages import AIMessage

    cut = AIMessage(
        content='{"bullets": [{"text": "Rev', response_metadata={"finish_reason": "length"}
    )
    a = adapter(fake_model(cut, VALID))
    a.complete(msgs(), Summary, name="summarize")
    assert "cut off" in (a.calls[0].error or "")


def test_timeouts_retry_with_backoff_then_endpoint_error() -> None:
    sleeps: list[float] = []
    model = scripted_fake_model(TimeoutError(), ConnectionError(), TimeoutError())
    a = adapter(model, max_retries=2, backoff=0.5, sleep=sleeps.append)
    with pytest.raises(EndpointError) as err:
        a.complete(msgs(), Summary, name="summarize")
    assert sleeps == [0.5, 1.0]
    assert "failed after 3 attempt(s): timed out" in str(err.value)
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)
    assert [c.status for c in calllog.recent()] == ["error"] * 3


def test_transient_error_then_success() -> None:
    a = adapter(scripted_fake_model(ConnectionError(), VALID), max_retries=1)
    obj, usage = a.complete(msgs(), Summary, name="summarize")
    assert obj.bullets and usage.calls == 2


def test_plain_messages_need_a_name_and_no_variables() -> None:
    a = adapter(fake_model(VALID))
    with pytest.raises(TypeError):
        a.complete(msgs(), Summary)
    with pytest.raises(TypeError):
        a.complete(msgs(), Summary, name="x", focus="y")


def test_show_prompts_prints_live(capsys: pytest.CaptureFixture[str]) -> None:
    a = adapter(fake_model("oops", VALID), show_prompts=True)
    a.complete(msgs("[S1] hello there"), Summary, name="summarize")
    err = capsys.readouterr().err
    assert "summarize · attempt 1" in err and "[S1] hello there" in err
    assert "summarize · attempt 2" in err and "reply · ok" in err and "reply · invalid" in err


def test_strict_response_format_for_openai() -> None:
    fmt = response_format(Summary, strict=True)["json_schema"]
    assert fmt["strict"] is True
    bullet = fmt["schema"]["$defs"]["Bullet"]
    assert bullet["additionalProperties"] is False
    assert set(bullet["required"]) == {"text", "sentence_ids", "quote"}
    assert "default" not in json.dumps(fmt)
    assert "strict" not in response_format(Summary)["json_schema"]


def test_local_schemas_are_closed_but_keep_optional_fields() -> None:
    """llama.cpp's grammar lets a model add unlisted keys unless the schema forbids them."""
    fmt = response_format(Summary)["json_schema"]
    schema = fmt["schema"]
    assert schema["additionalProperties"] is False
    bullet = schema["$defs"]["Bullet"]
    assert bullet["additionalProperties"] is False and "quote" not in bullet.get("required", [])


# ---------------------------------------------------------------- endpoints and secrets
def test_resolve_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERISUM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("VERISUM_MODEL", "llama3.2")
    get_settings.cache_clear()
    ep = resolve_endpoint()
    assert (ep.kind, ep.base_url, ep.model, ep.api_key) == (
        "compatible",
        "http://127.0.0.1:11434/v1",
        "llama3.2",
        None,
    )
    monkeypatch.delenv("VERISUM_BASE_URL")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    get_settings.cache_clear()
    ep = resolve_endpoint()
    assert ep.kind == "openai" and ep.base_url is None and ep.notice is None
    assert ep.api_key is not None and ep.api_key.get_secret_value() == FAKE_KEY


def test_no_key_no_url_means_local_with_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.localmodel.local_model_available", lambda *_: True)
    ep = resolve_endpoint()
    assert ep.kind == "local" and ep.model == QWEN.name and ep.notice == LOCAL_NOTICE
    assert "Qwen2.5-Coder-1.5B" in LOCAL_NOTICE
    monkeypatch.setenv("VERISUM_LOCAL_MODEL", "smollm2-135m")
    get_settings.cache_clear()
    ep = resolve_endpoint()
    assert ep.model == SMOLLM2.name and ep.notice is not None and "SmolLM2-135M" in ep.notice
    assert "\n" not in LOCAL_NOTICE and "OPENAI_API_KEY" in LOCAL_NOTICE
    monkeypatch.setattr("agent.localmodel.local_model_available", lambda *_: False)
    with pytest.raises(ModelError, match="uv sync --extra local"):
        resolve_endpoint()


def test_api_key_never_in_repr_dump_or_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    get_settings.cache_clear()
    ep = resolve_endpoint()
    for text in (repr(ep), str(ep), ep.model_dump_json(), ep.describe()):
        assert FAKE_KEY not in text and "THISISAFAKEKEY" not in text
    # a reply and a prompt that carry the key (worst case) must still not reach the log
    leaky = '{"bullets": [{"text": "key ' + FAKE_KEY + '", "sentence_ids": [1]}]}'
    a = ChatAdapter(ep, chat_model=fake_model("not json " + FAKE_KEY, leaky), notify=None)
    a.complete(msgs(f"[S1] {FAKE_KEY}"), Summary, name="summarize")
    raw = calllog.log_file().read_text(encoding="utf-8")
    assert raw.count("\n") == 2
    assert "THISISAFAKEKEY" not in raw
    assert "THISISAFAKEKEY" not in repr(a.endpoint) + repr(a)


# ---------------------------------------------------------------- real HTTP client, loopback stub
def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": "stub",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 6, "total_tokens": 17},
    }


@pytest.fixture
def stub_server() -> Iterator[tuple[str, list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]]:
    """An OpenAI-shaped loopback server answering a scripted list of (status, json body)."""
    script: list[tuple[int, dict[str, Any]]] = []
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            seen.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            status, body = script.pop(0)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            if status == 429:
                self.send_header("retry-after", "0")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", script, seen
    finally:
        server.shutdown()
        server.server_close()


def test_429_and_5xx_retried_by_us_not_by_the_client(stub_server: Any) -> None:
    url, script, seen = stub_server
    err = {"error": {"message": "slow down", "type": "rate_limit"}}
    script += [(429, err), (503, {"error": {"message": "busy"}}), (200, completion(VALID))]
    ep = Endpoint(kind="compatible", base_url=url, model="stub")
    sleeps: list[float] = []
    a = ChatAdapter(ep, max_retries=2, backoff=0.01, sleep=sleeps.append, notify=None)
    obj, usage = a.complete(msgs(), Summary, name="summarize")
    assert obj.bullets[0].sentence_ids == [2]
    assert len(seen) == 3  # exactly our attempts: the openai client's own retries are off
    assert usage == Usage(prompt_tokens=11, completion_tokens=6, total_tokens=17, calls=3)
    assert sleeps == [0.01, 0.02]
    assert [c.error for c in a.calls[:2]] == ["HTTP 429: slow down", "HTTP 503: busy"]
    rf = seen[0]["body"]["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["name"] == "Summary"
    assert seen[0]["body"]["temperature"] == 0


def test_per_call_output_cap_is_sent_and_named_on_a_cut_off_reply(stub_server: Any) -> None:
    url, script, seen = stub_server
    cut = completion('{"bullets": [{"text": "Rev')
    cut["choices"][0]["finish_reason"] = "length"
    script += [(200, cut), (200, completion(VALID)), (200, completion(VALID))]
    ep = Endpoint(kind="compatible", base_url=url, model="stub")
    a = ChatAdapter(ep, max_retries=0, notify=None, max_tokens=2000)
    a.complete(msgs(), Summary, name="summarize", max_tokens=300)
    assert [b["body"]["max_completion_tokens"] for b in seen] == [300, 300]
    assert a.calls[0].status == "invalid" and "300-token limit" in (a.calls[0].error or "")
    a.complete(msgs(), Summary, name="summarize", max_tokens=5000)  # never above the adapter's
    assert seen[-1]["body"]["max_completion_tokens"] == 2000


def test_5xx_bounded_then_endpoint_error(stub_server: Any) -> None:
    url, script, seen = stub_server
    script += [(500, {"error": {"message": "boom"}})] * 2
    ep = Endpoint(kind="compatible", base_url=url, model="stub")
    a = ChatAdapter(ep, max_retries=1, backoff=0.01, notify=None)
    with pytest.raises(EndpointError, match=r"failed after 2 attempt\(s\): HTTP 500: boom"):
        a.complete(msgs(), Summary, name="summarize")
    assert len(seen) == 2


def test_401_not_retried_and_key_not_shown(
    stub_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, script, seen = stub_server
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    get_settings.cache_clear()
    script.append((401, {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}"}}))
    ep = Endpoint(kind="compatible", base_url=url, model="stub", api_key=FAKE_KEY)
    a = ChatAdapter(ep, max_retries=3, notify=None)
    with pytest.raises(EndpointError) as err:
        a.complete(msgs(), Summary, name="summarize")
    assert len(seen) == 1
    headers = {k.lower(): v for k, v in seen[0]["headers"].items()}
    assert headers["authorization"] == f"Bearer {FAKE_KEY}"  # it was sent...
    assert "HTTP 401" in str(err.value) and "check OPENAI_API_KEY" in str(err.value)
    assert "THISISAFAKEKEY" not in str(err.value)  # ...but never shown or logged
    assert "THISISAFAKEKEY" not in calllog.log_file().read_text(encoding="utf-8")


def test_endpoint_down_connection_refused() -> None:
    port = free_port()  # nothing listens there
    ep = Endpoint(kind="local", base_url=f"http://127.0.0.1:{port}/v1", model=QWEN.name)
    a = ChatAdapter(ep, max_retries=2, backoff=0.01, timeout=5, notify=None)
    with pytest.raises(EndpointError) as err:
        a.complete(msgs(), Summary, name="summarize")
    text = str(err.value)
    assert f"127.0.0.1:{port}" in text and "failed after 3 attempt(s): connection refused" in text
    assert [c.status for c in calllog.recent()] == ["error"] * 3


# ---------------------------------------------------------------- call log and `verisum logs`
def test_log_rotates_and_recent_reads_across_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calllog, "MAX_BYTES", 600)
    for i in range(12):
        calllog.append(LLMCall(prompt=f"p{i}", messages=[{"role": "user", "content": "x" * 100}]))
    path = calllog.log_file()
    assert path.with_name("calls.jsonl.1").exists()
    assert not path.with_name(f"calls.jsonl.{calllog.KEEP + 1}").exists()
    assert [c.prompt for c in calllog.recent(3)] == ["p9", "p10", "p11"]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"torn": \n')
    assert calllog.recent(1)[0].prompt == "p11"


def test_logs_command(capsys: pytest.CaptureFixture[str]) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    runner = CliRunner()
    assert "no LLM calls logged" in runner.invoke(app, ["logs"]).output
    a = adapter(fake_model("nope", VALID))
    a.complete(msgs("[S1] hello"), Summary, name="summarize")
    out = runner.invoke(app, ["logs", "-n", "5"], env={"COLUMNS": "200"}).output
    assert "summarize" in out and "invalid" in out and "ok" in out
    data = json.loads(runner.invoke(app, ["logs", "--json"]).output)
    assert [d["status"] for d in data] == ["invalid", "ok"] and data[1]["attempt"] == 2
    full = runner.invoke(app, ["logs", "--full", "-n", "1"]).output
    assert "[S1] hello" in full and "Revenue rose 12%." in full


# ---------------------------------------------------------------- real recordings (bundled model)
@pytest.fixture(scope="module")
def recorded_endpoint(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Endpoint]:
    """The bundled model on the fixed recording port: started only when recording."""
    url = f"http://127.0.0.1:{RECORD_PORT}/v1"
    if (request.config.getoption("--record-mode") or "none") == "none":
        yield Endpoint(kind="local", base_url=url, model=RECORDED_WITH.name)
        return
    if not local_model_available(RECORDED_WITH):
        pytest.skip("recording needs the bundled model: uv sync --extra local")
    log = Path(tmp_path_factory.mktemp("server")) / "local-server.log"
    with LocalServer(port=RECORD_PORT, log_file=log, model=RECORDED_WITH, threads=1) as server:
        assert server.base_url == url
        yield Endpoint(kind="local", base_url=url, model=RECORDED_WITH.name)


SEED_TEXT = (
    "[S1] The Golden Gate Bridge opened in 1937.\n"
    "[S2] It carries about 112,000 vehicles a day.\n"
    "[S3] The toll rose to $9.75 in 2024."
)


@pytest.mark.vcr
def test_recorded_summary_call(recorded_endpoint: Endpoint) -> None:
    a = ChatAdapter(recorded_endpoint, max_retries=0, max_reasks=0, notify=None)
    obj, usage = a.complete(
        load_prompt("summarize"),
        Summary,
        sentences=SEED_TEXT,
        max_bullets=3,
        focus="everything",
        parts="",
    )
    assert 1 <= len(obj.bullets) <= 3 and all(b.text for b in obj.bullets)
    assert usage.calls == 1 and usage.prompt_tokens > 100 and usage.completion_tokens > 0
    call = calllog.recent(1)[0]
    assert call.status == "ok" and call.endpoint == "local" and call.model == RECORDED_WITH.name
    assert call.response and json.loads(call.response)["bullets"]


def _one_sentence_each(s: Summary) -> None:
    several = [b.text for b in s.bullets if len(b.sentence_ids) != 1]
    if several:
        raise ValueError(f"each bullet must cite exactly one sentence id; these do not: {several}")


@pytest.mark.vcr
def test_recorded_reasks_then_invalid_output(recorded_endpoint: Endpoint) -> None:
    """SmolLM2 cites every sentence in every bullet; re-asked twice, it does not fix it."""
    a = ChatAdapter(recorded_endpoint, max_retries=0, max_reasks=2, notify=None)
    messages = [
        {
            "role": "system",
            "content": "Summarize the numbered sentences as JSON bullets. "
            "Each bullet cites the ids of its sentences.",
        },
        {"role": "user", "content": SEED_TEXT},
    ]
    with pytest.raises(InvalidOutputError, match="after 3 tries; last problem: each bullet"):
        a.complete(messages, Summary, name="bullets-one-id", check=_one_sentence_each)
    calls = calllog.recent()
    assert [(c.status, c.attempt, c.reask) for c in calls] == [
        ("invalid", 1, 0),
        ("invalid", 2, 1),
        ("invalid", 3, 2),
    ]
    assert calls[2].messages[-1]["content"].startswith("Your reply was not valid: each bullet")
    assert calls[1].usage.prompt_tokens > calls[0].usage.prompt_tokens  # history grows
    assert a.usage.calls == 3
    assert a.usage.total_tokens == sum(c.usage.total_tokens for c in calls)
