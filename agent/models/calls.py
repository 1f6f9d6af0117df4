"""One call to the model, as logged, and the tokens it used."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

EndpointKind = Literal["openai", "compatible", "local"]


class Usage(BaseModel):
    """Tokens and calls, summed over every attempt (re-asks and retries included)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            calls=self.calls + other.calls,
        )


class LLMCall(BaseModel):
    """One HTTP attempt to the model, as logged in ``calls.jsonl`` and shown by ``verisum logs``."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    group: str = ""  # shared by all attempts of one ``complete`` call
    ts: datetime = Field(default_factory=lambda: datetime.now(UTC))
    prompt: str
    messages: list[dict[str, str]]
    response: str | None = None
    usage: Usage = Field(default_factory=Usage)
    latency_ms: float = 0.0
    attempt: int = 1  # 1-based, over retries and re-asks of one ``complete`` call
    reask: int = 0  # 0 = first ask, 1.. = re-asks after an invalid reply
    model: str = ""
    endpoint: EndpointKind = "local"
    status: Literal["ok", "invalid", "error"] = "ok"
    error: str | None = None
