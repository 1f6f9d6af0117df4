"""The eval harness's models: a case file (``evals/<suite>.yaml``: SuiteFile, EvalCase and its
parts), the manifest of recordings, what one case scores (CaseMetrics, the eval result) and a
whole run's report. ``agent.evals`` reads, runs and scores them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EVAL_SCHEMA_VERSION = "1"
Task = Literal["summarize", "ask"]
Outcome = Literal["answer", "abstain", "conflict"]


# ====================================================================== case files
class KeyFigure(BaseModel):
    """A figure a good output contains, with (part of) the source sentence that states it."""

    model_config = ConfigDict(extra="forbid")

    figure: str = Field(description="the figure as written, e.g. '11,000' or 'May 29, 1943'")
    sentence: str | None = Field(
        default=None,
        description="verbatim text of the source sentence stating it (None: any sentence of "
        "the document holding the same value)",
    )


class ForbiddenFigure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    figure: str = Field(description="a figure that must not appear unmarked in the output")
    why: str = ""


class BumpRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article_id: int = Field(description="BUMP task-1 article_id (../shared/data/bump)")


class DocSpec(BaseModel):
    """One document: a repository file (``path``) or a BUMP article (read, never copied)."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = Field(default=None, description="file path relative to the repository")
    bump: BumpRef | None = None

    @model_validator(mode="after")
    def _one(self) -> DocSpec:
        if (self.path is None) == (self.bump is None):
            raise ValueError("a document is either path: or bump:, exactly one")
        return self

    def label(self) -> str:
        return self.path or f"bump:{self.bump.article_id if self.bump else '?'}"


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    task: Task = "summarize"
    documents: list[DocSpec] = Field(min_length=1)
    question: str | None = Field(default=None, description="the question (task: ask)")
    k: int = Field(default=5, ge=1, le=50, description="chunks to retrieve (task: ask)")
    expect: Outcome | None = Field(
        default=None,
        description="task: ask: the outcome a good run has (answered; 'the documents do not "
        "say'; sources reported as disagreeing)",
    )
    bullets: int = Field(default=5, ge=1, le=20)
    length: Literal["short", "medium", "long"] = "medium"
    focus: str | None = None
    policy: Literal["fallback", "flag", "drop"] = "fallback"
    must_contain: list[KeyFigure] = Field(default_factory=list)
    must_not_contain: list[ForbiddenFigure] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _question(self) -> EvalCase:
        if self.task == "ask" and not self.question:
            raise ValueError("task: ask needs a question")
        if self.task != "ask" and self.expect is not None:
            raise ValueError("expect: is for task: ask")
        return self


class SuiteFile(BaseModel):
    """One file of ``evals/``: a suite of cases, or the verifier benchmark on human labels."""

    model_config = ConfigDict(extra="forbid")

    suite: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    description: str = ""
    kind: Literal["cases", "verifier-benchmark"] = "cases"
    datasets: list[Literal["bump", "summedits"]] = Field(default_factory=list)
    cases: list[EvalCase] = Field(default_factory=list)


# ====================================================================== manifest
class Recorded(BaseModel):
    """Who produced one case's recording, and what it cost then."""

    model: str
    endpoint: str  # kind
    base_url: str | None
    recorded_at: datetime
    calls: int = 0
    wall_s: float = 0.0
    llm_ms: float = 0.0


class Manifest(BaseModel):
    schema_version: str = EVAL_SCHEMA_VERSION
    note: str = (
        "Which model and endpoint produced each recording (evals/cassettes/<suite>/<case>.yaml). "
        "Re-record: verisum eval --record [--suite S] [--case ID]."
    )
    suites: dict[str, dict[str, Recorded]] = Field(default_factory=dict)


# ====================================================================== metrics
class Mutant(BaseModel):
    kind: Literal["digits", "scale", "unit", "period", "date", "swap"]
    case: str = ""
    original: str  # the figure as written
    mutated: str  # what replaced it
    claim: str  # the mutated claim text
    caught: bool = False
    verdict: str = ""


class CaseMetrics(BaseModel):
    """Per-case numbers (shares are None when there is nothing to count)."""

    suite: str
    case: str
    task: str
    status: Literal["ok", "skipped", "error", "stale"]
    error: str | None = None
    # model quality before verification
    bullets: int = 0
    generated_figures: int = 0
    generated_supported: int = 0
    cited_ids: int = 0
    cited_ids_valid: int = 0
    reply_bullets: int = 0
    reply_bullets_valid: int = 0
    invalid_replies: int = 0
    key_figures: int = 0
    key_generated: int = 0  # key figures the model wrote (before verification)
    key_output: int = 0  # key figures in the final output
    key_cited: int = 0  # ... in a bullet citing their source sentence
    unverified_before_repair: int = 0
    repaired: int = 0
    fell_back: int = 0
    lead_fallback: bool = False
    flagged: int = 0
    dropped: int = 0
    # after verification
    output_figures: int = 0  # figures in unmarked model/repaired bullets
    output_supported: int = 0
    extractive_figures: int = 0
    extractive_supported: int = 0  # the verifier on the source's own words (false-alarm check)
    forbidden_in_output: list[str] = Field(default_factory=list)
    citations_exact: bool = True  # every citation slices the document text to its text
    # cost
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_s: float = 0.0  # this run (replayed: no model time)
    recorded_wall_s: float = 0.0  # the recording run, model time included
    recorded_llm_ms: float = 0.0
    # verifier mutation score on this case's outputs
    mutants: int = 0
    mutants_caught: int = 0
    verbatim_figures: int = 0
    verbatim_false_alarms: int = 0
    mutant_detail: list[Mutant] = Field(default_factory=list)
    false_alarm_detail: list[str] = Field(default_factory=list)
    key_missing: list[str] = Field(default_factory=list)
    # task: ask
    outcome: Outcome | None = None
    expect: Outcome | None = None
    expect_met: bool | None = None
    conflicts: int = 0
    abstain_reasons: list[str] = Field(default_factory=list)


# ====================================================================== a whole run
class RecordedBy(BaseModel):
    model: str
    endpoint: str
    base_url: str | None
    cases: int
    first: datetime
    last: datetime


class EvalReport(BaseModel):
    """What ``verisum eval --json`` prints and ``--baseline`` reads."""

    schema_version: str = EVAL_SCHEMA_VERSION
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    mode: Literal["replay", "record"] = "replay"
    recorded_by: list[RecordedBy] = Field(default_factory=list)
    overall: dict[str, float | int | None] = Field(default_factory=dict)
    suites: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)
    verifier: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cases: list[CaseMetrics] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)  # broken invariants, stale recordings
    regressions: list[str] = Field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.regressions


MUTANT_KINDS = ("digits", "scale", "unit", "period", "date", "swap")
