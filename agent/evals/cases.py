"""The eval suite's models: case files (``evals/<suite>.yaml``), the manifest of recordings,
one case's run and metrics, and a whole run's report."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from ..context import Source
    from ..llm import ChatAdapter
    from ..models import Answer, Summary

from ..errors import InputError, VerisumError

ROOT = Path(__file__).resolve().parents[2]  # the repository (agent/evals/ -> .)
EVALS = ROOT / "evals"
SCHEMA_FILE = "case.schema.json"
MANIFEST_FILE = "manifest.json"
EVAL_SCHEMA_VERSION = "1"

Task = Literal["summarize", "ask"]
Outcome = Literal["answer", "abstain", "conflict"]


class StaleRecordingError(VerisumError):
    """A case sent a request its recording does not hold (prompt, schema or code changed)."""

    exit_code = 2


class MissingRecordingError(VerisumError):
    exit_code = 2


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


def schema_json() -> str:
    """The JSON schema of a case file (what ``evals/case.schema.json`` holds)."""
    schema = SuiteFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "verisum eval suite"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def load_suites(
    folder: Path = EVALS, names: Sequence[str] = (), cases: Sequence[str] = ()
) -> list[SuiteFile]:
    """Every ``*.yaml`` of ``folder`` (or the named suites), cases filtered by id."""
    import yaml

    files = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    out: list[SuiteFile] = []
    for p in files:
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
            suite = SuiteFile.model_validate(raw)
        except Exception as exc:
            raise InputError(f"{p}: not a valid eval suite: {exc}") from None
        if suite.suite != p.stem:
            raise InputError(f"{p}: suite name {suite.suite!r} must match the file name")
        if names and suite.suite not in names:
            continue
        if cases:
            suite.cases = [c for c in suite.cases if c.id in cases]
            if not suite.cases and suite.kind == "cases":
                continue
        out.append(suite)
    if names:
        missing = sorted(set(names) - {s.suite for s in out})
        if missing:
            known = ", ".join(p.stem for p in files)
            raise InputError(f"unknown suite(s) {', '.join(missing)}; known: {known}")
    return out


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


def load_manifest(folder: Path = EVALS) -> Manifest:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return Manifest()
    return Manifest.model_validate_json(path.read_text(encoding="utf-8"))


def save_manifest(m: Manifest, folder: Path = EVALS) -> None:
    m.suites = {s: dict(sorted(c.items())) for s, c in sorted(m.suites.items())}
    (folder / MANIFEST_FILE).write_text(m.model_dump_json(indent=2) + "\n", encoding="utf-8")


# ====================================================================== tasks
@dataclass
class TaskOutput:
    """What a task produced, in the shape the metrics read."""

    summary: Summary | None = None
    answer: Answer | None = None  # the ``ask`` result
    sources: list[Source] | None = None  # the documents as the task stored them (ask)
    context: list[Source] = field(default_factory=list)  # what the model was shown (ask)


TaskRunner = Callable[[EvalCase, list["Source"], "ChatAdapter"], TaskOutput]


# ====================================================================== running a case
@dataclass
class CaseRun:
    """One case run: its output (or why there is none), its calls and replay wall time."""

    suite: str
    case: EvalCase
    status: Literal["ok", "skipped", "error", "stale"] = "ok"
    error: str | None = None
    output: TaskOutput | None = None
    sources: list[Source] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)  # LLMCall
    wall_s: float = 0.0
    recorded: Recorded | None = None


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
