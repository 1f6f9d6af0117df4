"""The eval suite: cases as data, recorded model replies, metrics and reports.

Cases live in ``evals/<suite>.yaml`` (schema: ``evals/case.schema.json``). Each case runs through
the same code path users run (``summarize``; ``ask``) with the model's HTTP calls replayed from
``evals/cassettes/<suite>/<case>.yaml`` (vcrpy, matched on the normalized JSON body).
``evals/manifest.json`` says which model and endpoint produced each recording and when. A suite
of ``kind: verifier-benchmark`` scores the verifier on the human labels in the data folder
(``VERISUM_DATA_DIR``, default ``../shared/data``) instead (no model calls).

The package: ``cases`` (the models: case files, manifest, metrics, report), ``datasets`` (the
data folder, BUMP/SummEdits rows), ``verifier`` (the verifier benchmark on their labels),
``recording`` (cassettes, shared with ``tests/conftest.py``), ``runner`` (running cases and
whole runs), ``metrics`` (what a run scores, the invariants) and ``mutation`` (figure
matching, the mutation score). Reports and the command: ``agent.eval_report``.
"""

from __future__ import annotations

from ..errors import InputError
from ..models.evals import (
    EVAL_SCHEMA_VERSION,
    MUTANT_KINDS,
    BumpRef,
    CaseMetrics,
    DocSpec,
    EvalCase,
    EvalReport,
    ForbiddenFigure,
    KeyFigure,
    Manifest,
    Mutant,
    Outcome,
    Recorded,
    RecordedBy,
    SuiteFile,
    Task,
)
from .cases import (
    EVALS,
    MANIFEST_FILE,
    ROOT,
    SCHEMA_FILE,
    CaseRun,
    MissingRecordingError,
    StaleRecordingError,
    TaskOutput,
    load_manifest,
    load_suites,
    save_manifest,
    schema_json,
)
from .datasets import DataMissing, bump_rows, data_dir, load_source, summedits_rows
from .metrics import _reply_citations, aggregate, case_metrics, invariant_problems
from .mutation import figure_mutants, key_figure, mutate_claim, mutation_score, same_value
from .recording import body_matcher, cassette_path, scrub_response, vcr_config
from .runner import (
    TASKS,
    default_folder,
    record_suites,
    recorded_by,
    rerecord_hint,
    run_case,
    run_eval,
)
from .verifier import (
    TOKEN_RE,
    Row,
    all_sets,
    benchmark_bump,
    benchmark_summedits,
    changed_spans,
    diff_has_digit,
    flagged_spans,
    run_verifier_suite,
    token_opcodes,
    verifier_flags,
)

__all__ = [
    "EVALS",
    "EVAL_SCHEMA_VERSION",
    "MANIFEST_FILE",
    "MUTANT_KINDS",
    "ROOT",
    "SCHEMA_FILE",
    "TASKS",
    "TOKEN_RE",
    "BumpRef",
    "CaseMetrics",
    "CaseRun",
    "DataMissing",
    "DocSpec",
    "EvalCase",
    "EvalReport",
    "ForbiddenFigure",
    "InputError",
    "KeyFigure",
    "Manifest",
    "MissingRecordingError",
    "Mutant",
    "Outcome",
    "Recorded",
    "RecordedBy",
    "Row",
    "StaleRecordingError",
    "SuiteFile",
    "Task",
    "TaskOutput",
    "_reply_citations",
    "aggregate",
    "all_sets",
    "benchmark_bump",
    "benchmark_summedits",
    "body_matcher",
    "bump_rows",
    "case_metrics",
    "cassette_path",
    "changed_spans",
    "data_dir",
    "default_folder",
    "diff_has_digit",
    "figure_mutants",
    "flagged_spans",
    "invariant_problems",
    "key_figure",
    "load_manifest",
    "load_source",
    "load_suites",
    "mutate_claim",
    "mutation_score",
    "record_suites",
    "recorded_by",
    "rerecord_hint",
    "run_case",
    "run_eval",
    "run_verifier_suite",
    "same_value",
    "save_manifest",
    "schema_json",
    "scrub_response",
    "summedits_rows",
    "token_opcodes",
    "vcr_config",
    "verifier_flags",
]
