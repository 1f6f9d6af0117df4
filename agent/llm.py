"""The model adapter: the only module that talks to LangChain chat models.

``ChatAdapter.complete(prompt, Schema)`` returns ``(validated Schema instance, Usage)``. It asks
for JSON-schema output (``response_format`` json_schema: OpenAI structured outputs, llama.cpp
grammar), re-asks with the validation error when a reply does not validate, retries timeouts,
429 and 5xx with exponential backoff, and logs every HTTP attempt to ``calls.jsonl``.
LangChain and openai are imported lazily; nothing LangChain-typed leaves this module.
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, Field, SecretStr, ValidationError

from .errors import EndpointError, InvalidOutputError, ModelError
from .localmodel import QWEN, BundledModel
from .models.calls import EndpointKind, LLMCall, Usage
from .prompts import Prompt

if TYPE_CHECKING:
    from .localmodel import LocalServer
    from .settings import Settings

T = TypeVar("T", bound=BaseModel)
Messages = Sequence[Mapping[str, str]]

SEED = 42
LOCAL_TIMEOUT = 900.0  # seconds per request to the bundled model (1.5B: ~8 tokens/s, 1 core)


def local_notice(model: BundledModel) -> str:
    """The one line saying the bundled model is used, and how to use another."""
    return (
        f"using the bundled local model {model.label} (offline; {model.note}); "
        "set OPENAI_API_KEY or VERISUM_BASE_URL (+ VERISUM_MODEL) to use another model"
    )


LOCAL_NOTICE = local_notice(QWEN)
_RETRY_STATUS = {408, 409, 429}


class Endpoint(BaseModel):
    """Where calls go. The API key is a ``SecretStr``, left out of repr and dumps."""

    kind: EndpointKind
    base_url: str | None = None
    model: str
    api_key: SecretStr | None = Field(default=None, repr=False, exclude=True)
    notice: str | None = None

    def describe(self) -> str:
        """One line for messages: kind, URL (without credentials) and model."""
        url = re.sub(r"//[^/@]*@", "//", self.base_url) if self.base_url else None
        where = f"{self.kind} {url}" if url else self.kind
        return f"{where} (model {self.model})"


def resolve_endpoint(settings: Settings | None = None) -> Endpoint:
    """Pick the endpoint: ``VERISUM_BASE_URL`` -> compatible server (with the key if one is set);
    else ``OPENAI_API_KEY`` -> OpenAI; else the bundled local model (with a one-line notice)."""
    from .settings import get_settings

    s = settings or get_settings()
    key = s.openai_api_key if s.openai_api_key and s.openai_api_key.get_secret_value() else None
    if s.base_url:
        return Endpoint(kind="compatible", base_url=s.base_url, model=s.model, api_key=key)
    if key is not None:
        return Endpoint(kind="openai", model=s.model, api_key=key)
    from .localmodel import INSTALL_HINT, bundled, local_model_available

    model = bundled(s.local_model)
    if not local_model_available(model):
        raise ModelError(
            "no model configured: set OPENAI_API_KEY or VERISUM_BASE_URL, or get the bundled "
            f"local model: {INSTALL_HINT}"
        )
    return Endpoint(kind="local", model=model.name, notice=local_notice(model))


def response_format(schema: type[BaseModel], *, strict: bool = False) -> dict[str, Any]:
    """OpenAI ``response_format`` for a pydantic model (``strict`` for OpenAI's own API)."""
    js = schema.model_json_schema()
    fmt: dict[str, Any] = {
        "name": schema.__name__,
        "schema": _strictify(js) if strict else _closed(js),
    }
    if strict:
        fmt["strict"] = True
    return {"type": "json_schema", "json_schema": fmt}


def _closed(node: Any) -> Any:
    """Every object schema gets ``additionalProperties: false``: llama.cpp's JSON-schema
    grammar otherwise lets a model add keys the schema does not list (and loop on them)."""
    if isinstance(node, list):
        return [_closed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _closed(v) for k, v in node.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def _strictify(node: Any) -> Any:
    """OpenAI strict mode: every object closed, every property required, no defaults."""
    if isinstance(node, list):
        return [_strictify(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strictify(v) for k, v in node.items() if k != "default"}
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out


def parse_reply(text: str, schema: type[T]) -> T:
    """Validate a reply as ``schema``: plain JSON, or JSON inside a Markdown code fence."""
    body = text.strip()
    fence = re.match(r"^```[a-zA-Z]*\s*\n(.*?)\n?```$", body, re.S)
    if fence:
        body = fence.group(1).strip()
    return schema.model_validate_json(body)


def _validation_summary(exc: Exception, limit: int = 6) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:limit]:
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            parts.append(f"{loc}: {err['msg']}")
        more = exc.error_count() - limit
        if more > 0:
            parts.append(f"... and {more} more")
        return "; ".join(parts)
    return str(exc)


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class _Transient(Exception):
    """An attempt that may succeed if retried (timeout, connection, 429, 5xx)."""


class ChatAdapter:
    """Structured chat completions with retries, re-asks, usage and a call log.

    ``chat_model`` injects any LangChain ``BaseChatModel`` (a fake in unit tests); otherwise a
    ``ChatOpenAI`` is built for ``endpoint`` (default: ``resolve_endpoint()``), starting the
    bundled local server when the endpoint is local without a URL. Use as a context manager
    (or call ``close``) so that server is stopped.
    """

    def __init__(
        self,
        endpoint: Endpoint | None = None,
        *,
        chat_model: Any = None,
        settings: Settings | None = None,
        max_retries: int | None = None,
        max_reasks: int | None = None,
        timeout: float | None = None,
        max_tokens: int | None = None,
        backoff: float = 1.0,
        show_prompts: bool = False,
        log_calls: bool = True,
        notify: Callable[[str], None] | None = _stderr,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from .settings import get_settings

        self.settings = settings or get_settings()
        if endpoint is None:
            endpoint = (
                Endpoint(kind="compatible", model="fake")
                if chat_model is not None
                else resolve_endpoint(self.settings)
            )
        self.endpoint = endpoint
        self.max_retries = self.settings.llm_max_retries if max_retries is None else max_retries
        self.max_reasks = self.settings.llm_max_reasks if max_reasks is None else max_reasks
        if timeout is None:
            explicit = "llm_timeout" in self.settings.model_fields_set
            timeout = (
                LOCAL_TIMEOUT
                if endpoint.kind == "local" and not explicit
                else self.settings.llm_timeout
            )
        self.timeout = timeout
        self.max_tokens = max_tokens or (1024 if endpoint.kind == "local" else 4096)
        self.backoff = backoff
        self.show_prompts = show_prompts
        self.log_calls = log_calls
        self.notify = notify
        self._sleep = sleep
        self._chat = chat_model
        self._server: LocalServer | None = None
        self.usage = Usage()
        self.calls: list[LLMCall] = []
        # prompt tokens the server read from its prompt cache (llama.cpp, OpenAI: the reply's
        # prompt_tokens_details.cached_tokens), one entry per call that reported it
        self.cached_tokens: list[int] = []

    # ------------------------------------------------------------ lifecycle
    def _model(self) -> Any:
        if self._chat is not None:
            return self._chat
        ep = self.endpoint
        if ep.kind == "local" and ep.base_url is None:
            from .localmodel import LocalServer

            self._server = LocalServer().start()
            # The bundled server's per-start key goes to that server only.
            self.endpoint = ep = ep.model_copy(
                update={"base_url": self._server.base_url, "api_key": self._server.api_key}
            )
        if ep.notice and self.notify:
            self.notify(ep.notice)
        from langchain_openai import ChatOpenAI

        self._chat = ChatOpenAI(
            model=ep.model,
            base_url=ep.base_url,
            api_key=ep.api_key or SecretStr("not-needed"),
            temperature=0,
            seed=SEED,
            max_tokens=self.max_tokens,
            timeout=self.timeout,
            max_retries=0,  # retries happen here, one logged attempt each
        )
        return self._chat

    def close(self) -> None:
        """Stop the bundled server if this adapter started it."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> ChatAdapter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------ calls
    def complete(
        self,
        prompt: Prompt | Messages,
        schema: type[T],
        *,
        name: str | None = None,
        check: Callable[[T], None] | None = None,
        max_tokens: int | None = None,
        variables: Mapping[str, Any] | None = None,
        **more_variables: Any,
    ) -> tuple[T, Usage]:
        """Ask for ``schema``; return the validated object and the usage of all attempts.

        ``prompt`` is a ``Prompt`` (rendered with ``variables``/keyword variables) or ready
        chat messages (``[{"role": ..., "content": ...}]``). ``check`` may raise ``ValueError``
        to reject a reply that validates but is wrong (e.g. an unknown sentence id): it is
        re-asked like a schema error. ``max_tokens`` caps this call's reply below the
        adapter's limit. Raises ``InvalidOutputError`` or ``EndpointError``.
        """
        cap = min(max_tokens, self.max_tokens) if max_tokens else self.max_tokens
        if isinstance(prompt, Prompt):
            messages = prompt.render(**{**(variables or {}), **more_variables})
            name = name or prompt.name
        else:
            if variables or more_variables:
                raise TypeError("variables are only for a Prompt, not for ready messages")
            messages = [{"role": str(m["role"]), "content": str(m["content"])} for m in prompt]
        if not name:
            raise TypeError("complete() needs name= when given plain messages")
        fmt = response_format(schema, strict=self.endpoint.kind == "openai")
        group = uuid.uuid4().hex[:12]
        usage = Usage()
        attempt = 0
        shown = 0
        problem = ""
        for reask in range(self.max_reasks + 1):
            for retry in range(self.max_retries + 1):
                attempt += 1
                if self.show_prompts:
                    self._show_messages(name, attempt, messages[shown:])
                    shown = len(messages)
                call = LLMCall(
                    group=group,
                    prompt=name,
                    messages=list(messages),
                    attempt=attempt,
                    reask=reask,
                    model=self.endpoint.model,
                    endpoint=self.endpoint.kind,
                )
                t0 = time.perf_counter()
                try:
                    text, call.usage, truncated = self._invoke(messages, fmt, cap)
                except _Transient as exc:
                    call.latency_ms = (time.perf_counter() - t0) * 1000
                    call.usage = Usage(calls=1)
                    usage = usage + call.usage
                    self._record(call, "error", str(exc))
                    if retry < self.max_retries:
                        self._sleep(self._delay(retry, exc))
                        continue
                    raise EndpointError(
                        f"{self.endpoint.describe()} failed after {retry + 1} attempt(s): {exc}"
                    ) from None
                except EndpointError as exc:
                    call.latency_ms = (time.perf_counter() - t0) * 1000
                    call.usage = Usage(calls=1)
                    self._record(call, "error", str(exc))
                    raise
                call.latency_ms = (time.perf_counter() - t0) * 1000
                call.response = text
                usage = usage + call.usage
                break
            try:
                if truncated:
                    raise ValueError(
                        f"the reply was cut off at the {cap}-token limit; "
                        "answer shorter, with complete JSON"
                    )
                obj = parse_reply(text, schema)
                if check is not None:
                    check(obj)
            except (ValidationError, ValueError) as exc:
                problem = _validation_summary(exc)
                self._record(call, "invalid", problem)
                messages = [
                    *messages,
                    {"role": "assistant", "content": text},
                    {
                        "role": "user",
                        "content": (
                            f"Your reply was not valid: {problem}\n"
                            "Reply again with only the corrected JSON object, following the schema."
                        ),
                    },
                ]
                continue
            self._record(call, "ok", None)
            return obj, usage
        raise InvalidOutputError(
            f"{self.endpoint.describe()} gave no valid {schema.__name__} for prompt {name!r} "
            f"after {self.max_reasks + 1} tries; last problem: {problem}"
        )

    def _invoke(
        self, messages: Messages, fmt: dict[str, Any], max_tokens: int | None = None
    ) -> tuple[str, Usage, bool]:
        """One HTTP attempt: (reply text, usage, truncated). Maps provider errors."""
        model = self._model()
        extra = {} if max_tokens in (None, self.max_tokens) else {"max_tokens": max_tokens}
        try:
            msg = model.invoke([dict(m) for m in messages], response_format=fmt, **extra)
        except Exception as exc:
            return self._map_error(exc)
        content = msg.content
        text = content if isinstance(content, str) else str(msg.text)
        meta = getattr(msg, "usage_metadata", None) or {}
        pt, ct = int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
        cached = (meta.get("input_token_details") or {}).get("cache_read")
        if cached is not None:
            self.cached_tokens.append(int(cached))
        usage = Usage(
            prompt_tokens=pt,
            completion_tokens=ct,
            total_tokens=int(meta.get("total_tokens", pt + ct)),
            calls=1,
        )
        finish = (getattr(msg, "response_metadata", None) or {}).get("finish_reason")
        return text, usage, finish == "length"

    def _map_error(self, exc: Exception) -> tuple[str, Usage, bool]:
        import openai

        if isinstance(exc, openai.LengthFinishReasonError):  # parse() refuses cut-off JSON
            comp = exc.completion
            text = (comp.choices[0].message.content or "") if comp.choices else ""
            u = comp.usage
            usage = (
                Usage(calls=1)
                if u is None
                else Usage(
                    prompt_tokens=u.prompt_tokens,
                    completion_tokens=u.completion_tokens,
                    total_tokens=u.total_tokens,
                    calls=1,
                )
            )
            return text, usage, True
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            raise EndpointError(f"{self.endpoint.describe()} refused: content filter") from None
        if isinstance(exc, openai.APITimeoutError | TimeoutError):
            raise _Transient(f"timed out after {self.timeout:g}s") from None
        if isinstance(exc, openai.APIConnectionError | ConnectionError):
            raise _Transient(_connection_problem(exc)) from None
        if isinstance(exc, openai.APIStatusError):
            code = exc.status_code
            detail = _short(_status_detail(exc))
            if code in _RETRY_STATUS or code >= 500:
                err = _Transient(f"HTTP {code}: {detail}")
                err.retry_after = _retry_after(exc)  # type: ignore[attr-defined]
                raise err from None
            hint = {401: " (check OPENAI_API_KEY)", 404: " (check VERISUM_MODEL / the URL)"}
            raise EndpointError(
                f"{self.endpoint.describe()}: HTTP {code}: {detail}{hint.get(code, '')}"
            ) from None
        if isinstance(
            exc,
            json.JSONDecodeError | openai.APIResponseValidationError | AttributeError | KeyError,
        ):  # a 200 whose body is empty, cut off or not a chat completion at all
            raise _Transient(
                f"the reply body is not a chat completion ({type(exc).__name__}: "
                f"{_short(str(exc))})"
            ) from None
        raise exc

    def _delay(self, retry: int, exc: Exception) -> float:
        wait = float(self.backoff * (2**retry))
        after = getattr(exc, "retry_after", None)
        if after is not None:
            wait = max(wait, after)
        return min(wait, 30.0)

    def _record(
        self, call: LLMCall, status: Literal["ok", "invalid", "error"], error: str | None
    ) -> None:
        call.status = status
        call.error = error
        self.calls.append(call)
        self.usage = self.usage + call.usage
        if self.show_prompts:
            self._show_reply(call)
        if self.log_calls:
            from .calllog import append

            append(call)

    # ------------------------------------------------------------ live display
    def _show_messages(self, name: str, attempt: int, new: Messages) -> None:
        _stderr(f"--- {name} · attempt {attempt} · {self.endpoint.describe()} ---")
        for m in new:
            _stderr(f"[{m['role']}]\n{m['content']}")

    def _show_reply(self, call: LLMCall) -> None:
        u = call.usage
        head = (
            f"--- reply · {call.status} · {call.latency_ms:.0f} ms · "
            f"{u.prompt_tokens}+{u.completion_tokens} tokens ---"
        )
        _stderr(head)
        if call.response is not None:
            _stderr(call.response)
        if call.error:
            _stderr(f"[{call.status}] {call.error}")


def _short(text: str, limit: int = 200) -> str:
    from .calllog import scrub

    line = " ".join(scrub(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _connection_problem(exc: BaseException) -> str:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return "connection refused"
        seen = seen.__cause__ or seen.__context__
    return "cannot connect"


def _status_detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        msg = inner.get("message") if isinstance(inner, dict) else inner
        if msg:
            return str(msg)
    text = str(getattr(exc, "message", "") or exc)
    return re.sub(r"^Error code: \d+ - ", "", text)


def _retry_after(exc: Any) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return float(value) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None
