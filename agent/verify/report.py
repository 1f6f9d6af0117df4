"""The verifier's result models, and how a summary is split into claims."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from ..figures import Figure, content_words

SCHEMA_VERSION = "3"
MIN_GROUNDING = 0.5

Verdict = Literal["supported", "contradicted", "not_found", "cited_elsewhere"]
Scope = Literal["cited", "retrieved", "document"]
CheckKind = Literal["figure", "entity", "negation", "role"]


class Span(BaseModel):
    """An exact span of the source: ``source_text[start:end] == text``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class Claim(BaseModel):
    """One checkable statement; ``citations`` are (start, end) offsets into the source."""

    id: str
    text: str
    citations: list[tuple[int, int]] = Field(default_factory=list)


class FigureVerdict(BaseModel):
    """The verdict on one checked item of a claim: a figure, or (``kind``) a named entity, a
    negation, or the role an entity plays. ``figure`` is the claim's span that was checked
    (its ``kind`` is "entity" or "negation" for the non-figure checks); ``binds`` names the
    attribute that decided it (value, noun, role, unit, period, currency, date, name...)."""

    kind: CheckKind = "figure"
    figure: Figure
    verdict: Verdict
    evidence: list[Span] = Field(default_factory=list)
    reason: str = ""
    scope: Scope = "document"
    source_figure: Figure | None = None
    score: float = 0.0
    binds: str = ""


_COUNTED = {"figure": "figures", "entity": "names", "negation": "negations", "role": "roles"}


class ClaimCheck(BaseModel):
    claim: Claim
    verdicts: list[FigureVerdict]
    verified: bool

    @property
    def figures(self) -> list[FigureVerdict]:
        """The verdicts on figures (not on names or negations)."""
        return [v for v in self.verdicts if v.kind == "figure"]


class VerificationReport(BaseModel):
    schema_version: str = SCHEMA_VERSION
    source_id: str = ""
    source_title: str = ""
    checks: list[ClaimCheck]
    warnings: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        out = {
            "claims": len(self.checks),
            "figures": 0,
            "names": 0,
            "negations": 0,
            "roles": 0,
            "supported": 0,
            "contradicted": 0,
            "not_found": 0,
            "cited_elsewhere": 0,
        }
        for c in self.checks:
            for v in c.verdicts:
                out[_COUNTED[v.kind]] += 1
                out[v.verdict] += 1
        return out

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        return all(c.verified for c in self.checks)


_BULLET = re.compile(r"^[ \t]*(?:[•\-*–—·▪‣]|\d{1,3}[.)])[ \t]+(?=\S)")


def grounding(claim: str, evidence: Sequence[str]) -> float:
    """Share of the claim's content words that occur in the evidence texts.

    Not a figure check: it catches a bullet that cites sentences it does not restate (a model
    echoing its instructions, or mixing in outside facts). A claim with no content words is
    fully grounded. Below ``MIN_GROUNDING`` the summarizer treats the bullet as unverified.
    """
    words = {w for w, _, _ in content_words(claim) if not w.isdigit()}
    if not words:
        return 1.0
    seen = {w for text in evidence for w, _, _ in content_words(text)}
    return len(words & seen) / len(words)


def claims_from_text(summary: str) -> list[Claim]:
    """Split a summary into claims: one per bullet line, else one per sentence."""
    from ..chunking import split_sentences

    claims: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            text = " ".join(para)
            claims.extend(text[s.start : s.end] for s in split_sentences(text))
            para.clear()

    for line in summary.splitlines():
        m = _BULLET.match(line)
        if m:
            flush()
            claims.append(line[m.end() :].strip())
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
    flush()
    return [Claim(id=str(i + 1), text=t) for i, t in enumerate(c for c in claims if c)]
