"""Unit tests of the eval suite: case files, metrics, mutation, reports, baseline, staleness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent import eval_report, evals
from agent.figures import extract_figures

ROOT = Path(__file__).resolve().parent.parent


def fig(text: str) -> Any:
    f = evals.key_figure(text)
    assert f is not None, text
    return f


# ---------------------------------------------------------------- case files
def test_suite_file_validation(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(
        yaml.safe_dump(
            {
                "suite": "demo",
                "cases": [
                    {
                        "id": "one",
                        "documents": [{"path": "seeds/north-korean-troops-kursk.txt"}],
                        "must_contain": [{"figure": "11,000"}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    (suite,) = evals.load_suites(tmp_path)
    assert suite.cases[0].task == "summarize" and suite.cases[0].bullets == 5
    with pytest.raises(evals.InputError, match="unknown suite"):
        evals.load_suites(tmp_path, names=["nope"])
    bad = {
        "suite": "bad",
        "cases": [{"id": "x", "documents": [{"path": "a", "bump": {"article_id": 1}}]}],
    }
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(evals.InputError, match="exactly one"):
        evals.load_suites(tmp_path)


def test_ask_needs_a_question() -> None:
    with pytest.raises(ValueError, match="needs a question"):
        evals.EvalCase(id="q", task="ask", documents=[evals.DocSpec(path="x")])


def test_bump_document_skips_without_data(tmp_path: Path) -> None:
    case = evals.EvalCase(id="b", documents=[evals.DocSpec(bump=evals.BumpRef(article_id=1))])
    run = evals.run_case("bump", case, data=tmp_path, folder=tmp_path)
    assert run.status == "skipped" and "not present" in (run.error or "")


# ---------------------------------------------------------------- figure matching
@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("11,000", "11K", True),
        ("£550bn", "550 billion", True),
        ("March 14, 1951", "14 March 1951", True),
        ("March 14, 1951", "August 2, 1954", False),
        ("November 4", "4 Nov 2024", True),
        ("8,000", "11,000", False),
        ("$120 to $150", "$120 to $150", True),
        ("second", "2-0", False),  # one value of a score is not the score
        ("2-0", "second", False),
        ("$120", "$120 to $150", False),
    ],
)
def test_same_value(a: str, b: str, same: bool) -> None:
    assert evals.same_value(fig(a), fig(b)) is same


# ---------------------------------------------------------------- mutation
DOC = (
    "Ukrainian intelligence recorded 11,000 North Korean soldiers in the Kursk region. "
    "Russia will pay them $2,000 a month. The operation began on August 6, 2024. "
    "Blinken said 8,000 soldiers had moved there. Revenue reached £3.5 million."
)


def spans_of(text: str) -> list[tuple[int, int]]:
    from agent.chunking import split_sentences

    return [(s.start, s.end) for s in split_sentences(text)]


def test_figure_mutants_cover_each_kind() -> None:
    others = extract_figures(DOC)
    by_text = {f.text: f for f in others}
    kinds = {
        t: dict(evals.figure_mutants(by_text[t], others))
        for t in ("$2,000 a month", "August 6, 2024", "£3.5 million", "11,000")
    }
    assert kinds["$2,000 a month"]["period"] == "$2,000 a year"
    assert kinds["$2,000 a month"]["unit"] == "£2,000 a month"
    assert kinds["$2,000 a month"]["digits"] == "$3,000 a month"
    assert kinds["August 6, 2024"]["date"] == "August 7, 2024"
    assert kinds["£3.5 million"]["scale"] == "£3.5 billion"
    assert kinds["11,000"]["swap"] == "8,000"  # another count of the same document


def test_mutate_claim_catches_changes_and_keeps_verbatim_quiet() -> None:
    spans = spans_of(DOC)
    s, e = spans[1]
    mutants, alarms, n = evals.mutate_claim(DOC[s:e], [(s, e)], DOC, spans)
    assert alarms == [] and n == 1
    assert {m.kind for m in mutants} >= {"digits", "unit", "period", "swap"}
    assert all(m.caught for m in mutants), [m for m in mutants if not m.caught]
    assert all(m.claim != DOC[s:e] for m in mutants)


def test_mutants_that_change_nothing_are_dropped() -> None:
    # "11,000" -> swap candidates with the same value ("11K") are not mutants
    others = extract_figures("They counted 11K soldiers.")
    assert "swap" not in dict(evals.figure_mutants(fig("11,000"), others))


# ---------------------------------------------------------------- metrics and aggregation
def metrics(**kw: Any) -> evals.CaseMetrics:
    return evals.CaseMetrics(
        suite="s", case=kw.pop("case", "c"), task="summarize", status="ok", **kw
    )


def test_aggregate_is_micro_averaged() -> None:
    a = metrics(case="a", generated_figures=4, generated_supported=1, key_figures=2, key_output=2)
    b = metrics(case="b", generated_figures=0, key_figures=2, key_output=0, llm_calls=3)
    skipped = evals.CaseMetrics(suite="s", case="x", task="summarize", status="skipped")
    o = evals.aggregate([a, b, skipped])
    assert o["generated_supported_share"] == 0.25
    assert o["key_recall_output"] == 0.5
    assert o["cases_skipped"] == 1 and o["calls_per_case"] == 1.5
    assert o["output_supported_share"] is None


def test_reply_citations_count_unknown_ids_and_bad_quotes() -> None:
    from agent.chunking import split_sentences
    from agent.context import Source
    from agent.documents import load_bytes
    from agent.models import LLMCall

    doc = load_bytes(DOC.encode(), "demo", ".txt")
    src = Source(doc, split_sentences(doc.text))
    reply = {
        "bullets": [
            {"text": "a", "sentence_ids": [1]},
            {"text": "b", "sentence_ids": [2, 99]},
            {"text": "c", "sentence_ids": [2], "quote": "not in the text"},
            {"text": "d", "sentence_ids": [2], "quote": "$2,000 a month"},
        ]
    }
    call = LLMCall(prompt="summarize", messages=[], response=json.dumps(reply))
    assert evals._reply_citations([call], [src]) == (5, 4, 4, 2)


def test_invariants_flag_unsupported_output_and_stale() -> None:
    r = evals.EvalReport(
        cases=[
            metrics(case="a", output_figures=3, output_supported=2),
            metrics(case="b", forbidden_in_output=["50,000"]),
            evals.CaseMetrics(suite="s", case="c", task="summarize", status="stale", error="x"),
        ]
    )
    probs = evals.invariant_problems(r)
    assert any("1 unsupported figure" in p for p in probs)
    assert any("forbidden" in p for p in probs)
    assert any(p.startswith("s/c") for p in probs)


# ---------------------------------------------------------------- baseline
def test_compare_reports_regressions_past_thresholds() -> None:
    base = evals.EvalReport(
        overall={"key_recall_output": 0.5, "tokens_per_case": 1000, "mutation_caught_share": 0.9},
        verifier={"bump": {"recall": 0.8, "false_alarms": 2}},
    )
    ok = evals.EvalReport(
        overall={"key_recall_output": 0.49, "tokens_per_case": 1090, "mutation_caught_share": 0.95},
        verifier={"bump": {"recall": 0.8, "false_alarms": 2}},
    )
    assert eval_report.compare(ok, base) == []
    bad = evals.EvalReport(
        overall={"key_recall_output": 0.4, "tokens_per_case": 1200, "mutation_caught_share": 0.89},
        verifier={"bump": {"recall": 0.7, "false_alarms": 3}},
    )
    found = eval_report.compare(bad, base)
    assert len(found) == 5
    assert any("tokens_per_case" in f for f in found)
    assert any(f.startswith("verifier bump: false_alarms") for f in found)


def test_baseline_file_errors(tmp_path: Path) -> None:
    with pytest.raises(evals.InputError, match="not found"):
        eval_report.load_report(tmp_path / "none.json")
    (tmp_path / "x.json").write_text("{]", encoding="utf-8")
    with pytest.raises(evals.InputError, match="not an eval report"):
        eval_report.load_report(tmp_path / "x.json")


# ---------------------------------------------------------------- recordings
def _copy_seed_recording(tmp_path: Path) -> tuple[Path, evals.EvalCase]:
    (suite,) = evals.load_suites(ROOT / "evals", names=["seed"], cases=["seed-short"])
    src = evals.cassette_path("seed", "seed-short", ROOT / "evals")
    if not src.is_file():
        pytest.skip("seed-short not recorded yet")
    dst = evals.cassette_path("seed", "seed-short", tmp_path)
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    shutil.copy(ROOT / "evals" / "manifest.json", tmp_path / "manifest.json")
    return tmp_path, suite.cases[0]


def test_replay_then_stale_recording_says_how_to_rerecord(tmp_path: Path) -> None:
    folder, case = _copy_seed_recording(tmp_path)
    run = evals.run_case("seed", case, folder=folder)
    assert run.status == "ok" and run.output is not None and run.calls
    changed = case.model_copy(update={"bullets": case.bullets + 1})
    run = evals.run_case("seed", changed, folder=folder)
    assert run.status == "stale"
    assert "verisum eval --record --suite seed --case seed-short" in (run.error or "")
    assert "the prompt messages differ" in (run.error or "") or "different" in (run.error or "")


def test_missing_recording_is_a_problem(tmp_path: Path) -> None:
    case = evals.EvalCase(
        id="new", documents=[evals.DocSpec(path="seeds/north-korean-troops-kursk.txt")]
    )
    run = evals.run_case("seed", case, folder=tmp_path)
    assert run.status == "stale" and "verisum eval --record" in (run.error or "")


def test_eval_command_json_html_and_baseline(tmp_path: Path, cli: Any) -> None:
    folder, _ = _copy_seed_recording(tmp_path)
    (folder / "seed.yaml").write_text(
        (ROOT / "evals" / "seed.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = tmp_path / "r.html"
    rc = eval_report.eval_command(
        cases=["seed-short"], folder=folder, html=out, save=tmp_path / "b.json", progress=False
    )
    assert rc == 0
    page = out.read_text(encoding="utf-8")
    assert (
        "<iframe" in page
        and "seed-short" in page
        and "http" not in page.split("<iframe")[0].split("notice")[0]
    )
    report = eval_report.load_report(tmp_path / "b.json")
    assert report.cases[0].case == "seed-short" and report.recorded_by
    # a worse baseline passes; a better one fails with exit 1
    better = report.model_copy(deep=True)
    better.overall["tokens_per_case"] = (report.overall["tokens_per_case"] or 0) / 2
    (tmp_path / "better.json").write_text(better.model_dump_json(), encoding="utf-8")
    rc = eval_report.eval_command(
        cases=["seed-short"], folder=folder, baseline=tmp_path / "better.json", progress=False
    )
    assert rc == 1


def test_cli_eval_unknown_suite(cli: Any) -> None:
    res = cli("eval", "--suite", "nope", "--no-progress")
    assert res.code == 2 and "unknown suite" in res.err


# ---------------------------------------------------------------- the human-label suite
def test_row_selection_agrees_with_the_benchmark(bump_rows: list[dict[str, Any]]) -> None:
    from agent.evals import verifier

    mine = {
        f"bump#{r['id']}": tuple(evals.changed_spans(r["reference_summary"], r["edited_summary"]))
        for r in bump_rows
        if evals.diff_has_digit(r["reference_summary"], r["edited_summary"])
    }
    theirs = {row.id: row.targets for row in verifier.bump() if row.label == 0}
    assert mine == theirs and len(mine) == 97


# ---------------------------------------------------------------- task: ask
def test_expect_is_for_ask_only() -> None:
    doc = [evals.DocSpec(path="x")]
    case = evals.EvalCase(id="q", task="ask", question="How many?", documents=doc, expect="abstain")
    assert case.expect == "abstain" and case.k == 5
    with pytest.raises(ValueError, match="expect: is for task: ask"):
        evals.EvalCase(id="s", documents=doc, expect="answer")


def test_aggregate_scores_abstention_and_conflicts() -> None:
    def ask(case: str, outcome: str, expect: str | None) -> evals.CaseMetrics:
        return metrics(
            case=case,
            outcome=outcome,
            expect=expect,
            expect_met=None if expect is None else outcome == expect,
        )

    o = evals.aggregate(
        [
            ask("a", "abstain", "abstain"),
            ask("b", "abstain", "answer"),  # a false abstention
            ask("c", "answer", "abstain"),  # a missed one
            ask("d", "conflict", "conflict"),
            ask("e", "answer", None),  # no expectation: counted, not judged
        ]
    )
    assert o["ask_cases"] == 5 and o["abstained"] == 2
    assert o["expect_met_share"] == 0.5 and o["abstention_correct_share"] == 0.5
    assert o["missed_abstentions"] == 1 and o["false_abstentions"] == 1
    assert o["conflicts_reported_share"] == 1.0
    assert "ask_cases" not in evals.aggregate([metrics(case="s")])


def test_reply_citations_read_the_answer_reply() -> None:
    from agent.chunking import split_sentences
    from agent.context import Source
    from agent.documents import load_bytes
    from agent.models import LLMCall

    doc = load_bytes(DOC.encode(), "demo", ".txt")
    src = Source(doc, split_sentences(doc.text))
    reply = {
        "answerable": True,
        "answer": "11,000 soldiers.",
        "sentence_ids": [1, 42],
        "key_points": [{"text": "pay", "sentence_ids": [2], "quote": "$2,000 a month"}],
    }
    call = LLMCall(prompt="answer", messages=[], response=json.dumps(reply))
    assert evals._reply_citations([call], [src]) == (3, 2, 2, 1)
    reply["answerable"] = False  # an abstaining reply's answer line cites nothing
    call = LLMCall(prompt="answer", messages=[], response=json.dumps(reply))
    assert evals._reply_citations([call], [src]) == (1, 1, 1, 1)


def _copy_ask_recording(tmp_path: Path, case_id: str) -> evals.EvalCase:
    (suite,) = evals.load_suites(ROOT / "evals", names=["ask"], cases=[case_id])
    src = evals.cassette_path("ask", case_id, ROOT / "evals")
    dst = evals.cassette_path("ask", case_id, tmp_path)
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    shutil.copy(ROOT / "evals" / "manifest.json", tmp_path / "manifest.json")
    return suite.cases[0]


@pytest.mark.parametrize(
    ("case_id", "outcome"),
    [("ask-seed-tanks-abstain", "abstain"), ("ask-conflicting-sources", "conflict")],
)
def test_ask_case_replays_through_a_throwaway_store(
    tmp_path: Path, case_id: str, outcome: str
) -> None:
    """Ingest into a temporary store, agent.answer.answer, recorded replies; nothing of it
    is left in the user's store."""
    from agent.store import open_store

    case = _copy_ask_recording(tmp_path, case_id)
    run = evals.run_case("ask", case, folder=tmp_path)
    assert run.status == "ok", run.error
    assert run.output is not None and run.output.answer is not None
    m = evals.case_metrics(run)
    assert m.outcome == outcome and m.expect_met and m.citations_exact
    if outcome == "conflict":
        assert run.calls and m.key_output == m.key_figures == 2 and m.key_cited == 2
        assert len(run.output.sources or []) == 2 and run.output.context
    else:
        assert not run.calls and m.abstain_reasons == ["missing_term"]
    assert open_store().list_documents() == []
    changed = case.model_copy(update={"question": case.question.replace("soldiers", "troops")})
    stale = evals.run_case("ask", changed, folder=tmp_path)
    assert stale.status == ("stale" if outcome == "conflict" else "ok")


def test_extractive_baseline_needs_no_recording(tmp_path: Path) -> None:
    """``verisum eval --extractive``: summarize cases scored as ``summarize --extractive``."""
    case = evals.EvalCase(
        id="x",
        documents=[evals.DocSpec(path="seeds/north-korean-troops-kursk.txt")],
        must_contain=[evals.KeyFigure(figure="$2,000")],
    )
    run = evals.run_case("seed", case, folder=tmp_path, extractive=True)  # no cassette there
    assert run.status == "ok" and run.calls == [] and run.output and run.output.summary
    m = evals.case_metrics(run, mutate=False)
    assert m.llm_calls == 0 and m.key_output == 1 and m.bullets == 5
    ask = case.model_copy(update={"task": "ask", "question": "How much?"})
    assert evals.run_case("seed", ask, folder=tmp_path, extractive=True).status == "skipped"
