"""Fakes for unit tests (named as such): no model is run here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class FakeHashEmbedder:
    """A FAKE embedder: hashed bag of words, L2-normalized. Texts sharing words are close."""

    def __init__(self, name: str = "fake:hash-bow", dim: int = 64):
        self.name = name
        self.dim = dim
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, h % self.dim] += 1.0
            norm = float(np.linalg.norm(out[row])) or 1.0
            out[row] /= norm
            if not text.strip():
                out[row, 0] = 1.0
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


Step = str | Callable[[list[Any]], str] | BaseException


def fake_chat_model(*steps: Step) -> Any:
    """A FAKE chat model: each call takes the next step (a reply, a function of the messages
    giving a reply, or an exception); it records the messages it saw. No step left: fails."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult
    from pydantic import Field

    class FakeScriptedChatModel(BaseChatModel):
        steps: list[Any]
        seen: list[list[Any]] = Field(default_factory=list)

        @property
        def _llm_type(self) -> str:
            return "fake-scripted"

        def _generate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> ChatResult:
            self.seen.append(list(messages))
            assert self.steps, "the FAKE model was called more often than scripted"
            step = self.steps.pop(0)
            if isinstance(step, BaseException):
                raise step
            text = step(messages) if callable(step) else step
            msg = AIMessage(
                content=text,
                usage_metadata={"input_tokens": 100, "output_tokens": 20, "total_tokens": 120},
            )
            return ChatResult(generations=[ChatGeneration(message=msg)])

    return FakeScriptedChatModel(steps=list(steps), seen=[])
