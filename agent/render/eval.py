"""The eval report in the terminal (rich tables) and as one self-contained HTML file (from
``templates/eval.html.j2``, autoescaped). The numbers come from ``agent.evals``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..evals.cases import CaseRun
from ..models.evals import MUTANT_KINDS, EvalReport
from .templating import asset, page


# ====================================================================== terminal report
def _pct(v: Any) -> str:
    return "-" if v is None else f"{v:.0%}" if isinstance(v, float) else str(v)


def _num(v: Any, digits: int) -> str:
    return "-" if not isinstance(v, int | float) else f"{v:.{digits}f}"


def _ratio(k: int, n: int) -> str:
    return f"{k}/{n}" if n else "-"


def model_line(report: EvalReport) -> str:
    if not report.recorded_by:
        return "recordings: none"
    parts = [
        f"{r.model} ({r.endpoint}{' ' + r.base_url if r.base_url else ''}), {r.cases} case(s), "
        f"recorded {r.first:%Y-%m-%d}"
        + (f"..{r.last:%Y-%m-%d}" if r.last.date() != r.first.date() else "")
        for r in report.recorded_by
    ]
    small = any("135m" in r.model.lower() for r in report.recorded_by)
    note = (
        " — the bundled 135M model: quality numbers are low and reported as they are"
        if small
        else ""
    )
    return "model replies recorded from " + "; ".join(parts) + note


def render_terminal(report: EvalReport, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    con = console or Console()
    con.print(f"[bold]verisum eval[/] · {model_line(report)}")
    t = Table(show_lines=False, header_style="bold", pad_edge=False)
    for col in (
        "case",
        "status",
        "bul",
        "gen fig ok",
        "cit valid",
        "key gen/out/cited",
        "repaired",
        "fell back",
        "out fig ok",
        "calls",
        "tokens",
        "mutants caught",
        "FA",
    ):
        t.add_column(col, justify="left" if col in ("case", "status") else "right")
    for c in report.cases:
        style = {"ok": "", "skipped": "dim", "error": "red", "stale": "red"}[c.status]
        t.add_row(
            f"{c.suite}/{c.case}",
            c.status,
            str(c.bullets),
            _ratio(c.generated_supported, c.generated_figures),
            _ratio(c.reply_bullets_valid, c.reply_bullets),
            f"{c.key_generated}/{c.key_output}/{c.key_cited} of {c.key_figures}",
            str(c.repaired),
            str(c.fell_back) + (" (lead)" if c.lead_fallback else ""),
            _ratio(c.output_supported, c.output_figures),
            str(c.llm_calls),
            str(c.prompt_tokens + c.completion_tokens),
            _ratio(c.mutants_caught, c.mutants),
            _ratio(c.verbatim_false_alarms, c.verbatim_figures),
            style=style,
        )
    con.print(t)
    o = report.overall
    con.print(
        "[bold]before verification[/]: generated figures supported "
        f"{_pct(o.get('generated_supported_share'))} of {o.get('generated_figures')}, "
        f"citation validity {_pct(o.get('citation_validity'))} (ids known "
        f"{_pct(o.get('cited_id_validity'))}), key-figure recall written "
        f"{_pct(o.get('key_recall_generated'))} / in output {_pct(o.get('key_recall_output'))} "
        f"/ with source cited {_pct(o.get('key_cited_share'))} of {o.get('key_figures')}, "
        f"repaired {o.get('repaired')}, fell back {o.get('fell_back')} "
        f"(lead fallbacks {o.get('lead_fallbacks')})"
    )
    con.print(
        "[bold]after verification[/]: unmarked model figures supported "
        f"{_pct(o.get('output_supported_share'))} of {o.get('output_figures')} (must be 100%), "
        f"extractive figures supported {_pct(o.get('extractive_supported_share'))}, "
        f"forbidden figures in output {o.get('forbidden_in_output')}"
    )
    if o.get("ask_cases"):
        con.print(
            f"[bold]ask[/]: {o.get('ask_cases')} case(s), expected outcome met "
            f"{_pct(o.get('expect_met_share'))}, abstention correct "
            f"{_pct(o.get('abstention_correct_share'))} (abstained {o.get('abstained')}, "
            f"missed {o.get('missed_abstentions')}, false {o.get('false_abstentions')}), "
            f"conflicts reported {_pct(o.get('conflicts_reported_share'))}; per case: "
            + ", ".join(
                f"{c.case} {c.outcome} (expected {c.expect or '-'})"
                for c in report.cases
                if c.outcome is not None
            )
        )
    con.print(
        f"[bold]cost[/]: {o.get('llm_calls')} LLM calls ({_num(o.get('calls_per_case'), 2)} per "
        f"case), {_num(o.get('tokens_per_case'), 0)} tokens per case, recorded wall "
        f"{_num(o.get('recorded_wall_s_per_case'), 1)} s per case; this replay {report.wall_s} s"
    )
    kinds = ", ".join(
        f"{k} {_pct(o.get(f'caught_{k}'))} of {o.get(f'mutants_{k}')}" for k in MUTANT_KINDS
    )
    con.print(
        f"[bold]verifier mutation score[/]: caught {_pct(o.get('mutation_caught_share'))} of "
        f"{o.get('mutants')} ({kinds}); false alarms on untouched verbatim figures "
        f"{o.get('verbatim_false_alarms')} of {o.get('verbatim_figures')} (goal 100% / 0)"
    )
    for ds, res in report.verifier.items():
        if res.get("status") != "ok":
            con.print(f"[bold]verifier on human labels, {ds}[/]: skipped ({res.get('reason')})")
            continue
        extra = (
            f", intrinsic {_pct(res.get('recall_intrinsic'))} of {res.get('intrinsic')}"
            if "recall_intrinsic" in res
            else ""
        )
        con.print(
            f"[bold]verifier on human labels, {ds}[/]: recall at the changed figure "
            f"{_pct(res.get('recall'))} of {res.get('pairs')}{extra}; false alarms "
            f"{res.get('false_alarms')}/{res.get('references')}"
        )
    for p in report.problems:
        con.print(f"[red]problem[/]: {p}")
    for r in report.regressions:
        con.print(f"[red]regression[/]: {r}")


# ====================================================================== HTML report
def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:,.1f}"
    return "-" if v is None else str(v)


def render_html(report: EvalReport, runs: Sequence[CaseRun]) -> str:
    """One self-contained HTML file: overall numbers, then a drill-down per case (the output
    rendered by ``agent.render.html``: source with cited spans highlighted, each figure's
    verdict). From ``templates/eval.html.j2``."""
    from .html import render_html as render_summary_html

    by_case = {(r.suite, r.case.id): r for r in runs}
    cols = [report.overall, *report.suites.values()]
    cases = []
    for c in report.cases:
        run = by_case.get((c.suite, c.case))
        output = run.output if run else None
        summary = output.summary if output else None
        page_html = None
        if summary is not None and run is not None:
            page_html = render_summary_html(summary, {s.doc.id: s.doc for s in run.sources})
        lists = [
            ("verifier false alarms on verbatim figures", c.false_alarm_detail),
            (
                "mutants",
                [
                    f"{'caught' if m.caught else 'MISSED'} [{m.kind}] {m.original} → {m.mutated}"
                    f" ({m.verdict}): {m.claim[:120]}"
                    for m in c.mutant_detail
                ],
            ),
        ]
        numbers = c.model_dump(exclude={"mutant_detail", "false_alarm_detail", "suite", "case"})
        cases.append(
            {
                "anchor": f"{c.suite}-{c.case}",
                "name": f"{c.suite}/{c.case}",
                "case": c.case,
                "cls": "ok" if c.status == "ok" else "bad",
                "status": c.status,
                "line": f"{c.bullets} bullets · key {c.key_output}/{c.key_figures} · mutants "
                f"{c.mutants_caught}/{c.mutants}",
                "error": c.error,
                "key_missing": ", ".join(c.key_missing),
                "forbidden": ", ".join(c.forbidden_in_output),
                "answer": _answer_view(output.answer, c.expect)
                if output and output.answer is not None
                else None,
                "page": page_html,
                "lists": [(label, items) for label, items in lists if items],
                "numbers": [(k, _fmt(v)) for k, v in numbers.items()],
            }
        )
    return page(
        "eval.html.j2",
        css=asset("eval.css"),
        model_line=model_line(report),
        created=f"{report.created_at:%Y-%m-%d %H:%M}",
        mode=report.mode,
        wall_s=report.wall_s,
        problems=report.problems + report.regressions,
        names=["overall", *report.suites],
        overall=[(k, [_fmt(col.get(k)) for col in cols]) for k in report.overall],
        verifier=[
            {
                "name": ds,
                "numbers": [(k, _fmt(v)) for k, v in res.items() if not k.endswith("_detail")],
                "details": [
                    (k.replace("_detail", ""), res[k])
                    for k in ("misses_detail", "false_alarms_detail")
                    if res.get(k)
                ],
            }
            for ds, res in report.verifier.items()
        ],
        missed=[mu for c in report.cases for mu in c.mutant_detail if not mu.caught],
        index_head=[
            *("case", "status", "bullets", "gen fig ok", "key out", "repaired", "fell back"),
            *("calls", "tokens", "mutants caught"),
        ],
        index=[
            {
                "anchor": f"{c.suite}-{c.case}",
                "name": f"{c.suite}/{c.case}",
                "cells": [
                    c.status,
                    c.bullets,
                    _ratio(c.generated_supported, c.generated_figures),
                    f"{c.key_output}/{c.key_figures}",
                    c.repaired,
                    c.fell_back,
                    c.llm_calls,
                    c.prompt_tokens + c.completion_tokens,
                    _ratio(c.mutants_caught, c.mutants),
                ],
            }
            for c in report.cases
        ],
        cases=cases,
    )


def _answer_view(ans: Any, expect: str | None) -> dict[str, Any]:
    """An ask's output: outcome against the expectation, the answer line, each statement with
    its verdicts and cited sentences, conflicts and closest evidence."""
    return {
        "status": ans.status.replace("_", " "),
        "expect": expect,
        "text": ans.text,
        "question": ans.question,
        "statements": [
            {
                "origin": b.origin,
                "flagged": b.flagged,
                "text": b.text,
                "verdicts": ", ".join(
                    f"{v.figure.text} {v.verdict}" for v in (b.check.verdicts if b.check else [])
                ),
                "citations": [c.text for c in b.citations],
            }
            for b in ans.statements()
        ],
        "conflicts": ans.conflicts,
        "evidence": [c.text for c in ans.closest_evidence],
    }
