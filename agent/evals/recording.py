"""Recorded model replies: the cassette configuration (shared with ``tests/conftest.py``),
replay and re-recording, and the adapter and endpoint a case runs with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..llm import ChatAdapter, Endpoint


from ..models.evals import Recorded
from .cases import EVALS, ROOT, MissingRecordingError

RECORD_PORT = 18739  # fixed loopback port of the bundled model while recording
# ====================================================================== recordings
# One cassette configuration for the evals and the tests (``tests/conftest.py``): requests
# match on their normalized JSON body, so a changed prompt or schema never replays.
MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "json_body"]
FILTER_HEADERS = [
    "authorization",
    "api-key",
    "openai-api-key",
    "cookie",
    "x-stainless-os",
    "x-stainless-arch",
    "user-agent",
]


def vcr_config() -> dict[str, Any]:
    """The vcrpy options of a recording (pytest-recording's ``vcr_config``); register
    ``body_matcher`` as ``json_body`` beside them."""
    return {
        "filter_headers": list(FILTER_HEADERS),
        "decode_compressed_response": True,
        "before_record_response": scrub_response,
        "match_on": list(MATCH_ON),
    }


def json_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def body_matcher(r1: Any, r2: Any) -> None:
    """Match requests on their normalized JSON body, so a changed prompt never replays."""
    assert json_body(r1) == json_body(r2), "request body differs from the recording"


STRIP_RESPONSE = {
    "openai-organization",
    "openai-project",
    "openai-processing-ms",
    "openai-version",
    "set-cookie",
    "x-request-id",
    "cf-ray",
    "date",
    "server",
    "cf-cache-status",
    "alt-svc",
}


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only content headers: recordings carry no identifiers, keys or cookies."""
    headers = response.get("headers", {})
    for name in list(headers):
        low = name.lower()
        if low in STRIP_RESPONSE or low.startswith(("x-ratelimit", "openai-", "x-")):
            del headers[name]
    return response


def _scrub_request(request: Any) -> Any:
    request.headers = {}
    return request


def cassette_path(suite: str, case: str, folder: Path = EVALS) -> Path:
    return folder / "cassettes" / suite / f"{case}.yaml"


@dataclass
class _Tape:
    path: Path
    record: bool
    seen: list[Any] = field(default_factory=list)
    recorded: list[Any] = field(default_factory=list)

    def stale_bodies(self) -> list[Any]:
        """Requests sent that the recording does not hold."""
        have = [json_body(r) for r in self.recorded]
        return [json_body(r) for r in self.seen if json_body(r) not in have]


@contextmanager
def recording(path: Path, *, record: bool) -> Iterator[_Tape]:
    """Replay (``record=False``: a request not in the cassette fails) or re-record ``path``."""
    import vcr
    from vcr.record_mode import RecordMode

    tape = _Tape(path, record)
    if not record and not path.is_file():
        raise MissingRecordingError(f"no recording {path.relative_to(ROOT)}")
    if record and path.exists():
        path.unlink()

    def seen(request: Any) -> Any:
        tape.seen.append(request)
        return _scrub_request(request)

    v = vcr.VCR(
        record_mode=RecordMode.ALL if record else RecordMode.NONE,
        before_record_request=seen,  # drops every request header (_scrub_request)
        **vcr_config(),
    )
    v.register_matcher("json_body", body_matcher)
    path.parent.mkdir(parents=True, exist_ok=True)
    with v.use_cassette(str(path), allow_playback_repeats=True) as cas:
        tape.recorded = list(cas.requests)
        yield tape
    if record and not path.exists():  # no call made (an ask decided before the model)
        path.write_text("interactions: []\nversion: 1\n", encoding="utf-8")


def replay_endpoint(rec: Recorded) -> Endpoint:
    """The endpoint a recording was made against (replay matches on its host and port)."""
    from ..llm import Endpoint

    kind = rec.endpoint if rec.endpoint in ("openai", "compatible", "local") else "compatible"
    return Endpoint(kind=kind, base_url=rec.base_url, model=rec.model)


def make_adapter(endpoint: Endpoint, *, record: bool) -> ChatAdapter:
    """The adapter a case runs with: pinned re-asks and no retries, so a replay sends the
    exact requests the recording holds; no call log, no notices."""
    from ..llm import ChatAdapter

    return ChatAdapter(
        endpoint,
        max_retries=0,
        max_reasks=2,
        timeout=600.0 if record else 30.0,
        notify=None,
        log_calls=False,
    )


@contextmanager
def record_endpoint(port: int = RECORD_PORT) -> Iterator[Endpoint]:
    """The configured endpoint for recording; the bundled model is started on ``port``."""
    from ..llm import resolve_endpoint
    from ..localmodel import LocalServer

    ep = resolve_endpoint()
    if ep.kind != "local" or ep.base_url:
        yield ep
        return
    with LocalServer(port=port) as server:
        yield ep.model_copy(
            update={"base_url": server.base_url, "api_key": server.api_key, "notice": None}
        )
