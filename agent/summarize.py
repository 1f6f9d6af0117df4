"""The summarizer: numbered sentences in, cited and verified bullets out.

Models first (they are what ``--json`` prints and what the renderers read); the agent loop
follows.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

from .llm import Usage
from .models import SCHEMA_VERSION, Citation
from .verify import ClaimCheck

Origin = Literal["model", "repaired", "extractive"]
Policy = Literal["fallback", "flag", "drop"]


class DocRef(BaseModel):
    id: str
    title: str
    source: str


class SentenceCitation(Citation):
    """A cited sentence: exact span of the stored document text, with its sentence index."""

    sentence: int


class Bullet(BaseModel):
    """One key point. ``text`` is what is shown; ``citations`` slice the stored text exactly."""

    id: str
    text: str
    citations: list[SentenceCitation]
    origin: Origin = "model"
    check: ClaimCheck | None = None
    verified: bool = False  # every figure supported (true for bullets without figures)
    flagged: bool = False  # unverified and kept by --on-unverified flag: always shown marked
    model_text: str | None = None  # what the model wrote, when repair or fallback replaced it
    quote: str | None = None


class SummaryStats(BaseModel):
    bullets_from_model: int = 0
    unverified_before_repair: int = 0
    repaired: int = 0
    fell_back: int = 0
    dropped: int = 0
    flagged: int = 0
    invalid_citations: int = 0
    verify_ms: float = 0.0


class Summary(BaseModel):
    schema_version: str = SCHEMA_VERSION
    documents: list[DocRef]
    bullets: list[Bullet]
    policy: Policy = "fallback"
    endpoint: str = ""
    notice: str | None = None
    usage: Usage = Field(default_factory=Usage)
    stats: SummaryStats = Field(default_factory=SummaryStats)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        """True when nothing unverified is left in the output."""
        return all(b.verified or b.origin == "extractive" for b in self.bullets)
