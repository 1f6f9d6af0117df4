"""The eval suite's files: case files loaded and validated, the schema they follow, the manifest
of recordings read and written; one case's run (TaskOutput, CaseRun). The models are in
``agent.models.evals``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..context import Source
    from ..llm import ChatAdapter
    from ..models import Answer, Summary
from ..errors import InputError, VerisumError
from ..models.evals import EvalCase, Manifest, Recorded, SuiteFile

ROOT = Path(__file__).resolve().parents[2]  # the repository (agent/evals/ -> .)
EVALS = ROOT / "evals"
SCHEMA_FILE = "case.schema.json"
MANIFEST_FILE = "manifest.json"


class StaleRecordingError(VerisumError):
    """A case sent a request its recording does not hold (prompt, schema or code changed)."""

    exit_code = 2


class MissingRecordingError(VerisumError):
    exit_code = 2


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
