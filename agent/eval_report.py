"""Eval reports: baseline comparison, the terminal table, the HTML report, ``verisum eval``.

The numbers come from ``agent.evals``; this module only compares and renders them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from .errors import InputError
from .evals import (
    MUTANT_KINDS,
    CaseRun,
    EvalReport,
    default_folder,
    load_suites,
    record_suites,
    run_eval,
)

# ====================================================================== baseline
# metric -> (better direction, allowed slack): a metric regresses when it is worse than the
# baseline by more than the slack (absolute for shares and counts of errors, relative for cost).
THRESHOLDS: dict[str, tuple[Literal["higher", "lower"], float, bool]] = {
    # name: (direction, slack, relative)
    "generated_supported_share": ("higher", 0.02, False),
    "citation_validity": ("higher", 0.02, False),
    "key_recall_generated": ("higher", 0.02, False),
    "key_recall_output": ("higher", 0.02, False),
    "key_cited_share": ("higher", 0.02, False),
    "output_supported_share": ("higher", 0.0, False),
    "extractive_supported_share": ("higher", 0.0, False),
    "fell_back": ("lower", 0.0, False),
    "lead_fallbacks": ("lower", 0.0, False),
    "forbidden_in_output": ("lower", 0.0, False),
    "cases_failed": ("lower", 0.0, False),
    "mutation_caught_share": ("higher", 0.0, False),
    "verbatim_false_alarms": ("lower", 0.0, False),
    "expect_met_share": ("higher", 0.0, False),
    "abstention_correct_share": ("higher", 0.0, False),
    "conflicts_reported_share": ("higher", 0.0, False),
    "calls_per_case": ("lower", 0.10, True),
    "tokens_per_case": ("lower", 0.10, True),
}
VERIFIER_THRESHOLDS: dict[str, tuple[Literal["higher", "lower"], float, bool]] = {
    "recall": ("higher", 0.0, False),
    "recall_intrinsic": ("higher", 0.0, False),
    "false_alarms": ("lower", 0.0, False),
}


def _worse(
    name: str, now: Any, then: Any, rule: tuple[Literal["higher", "lower"], float, bool]
) -> str | None:
    if not isinstance(now, int | float) or not isinstance(then, int | float):
        return None
    direction, slack, relative = rule
    allowed = slack * abs(then) if relative else slack
    delta = (then - now) if direction == "higher" else (now - then)
    if delta > allowed + 1e-9:
        return f"{name}: {now:g} vs baseline {then:g} (allowed {direction} by {allowed:g})"
    return None


def compare(report: EvalReport, baseline: EvalReport) -> list[str]:
    """Regressions of ``report`` against ``baseline``, overall, per suite and verifier."""
    out: list[str] = []
    scopes = [("overall", report.overall, baseline.overall)]
    scopes += [
        (f"suite {s}", report.suites[s], baseline.suites[s])
        for s in report.suites
        if s in baseline.suites
    ]
    for scope, now, then in scopes:
        for name, rule in THRESHOLDS.items():
            msg = _worse(name, now.get(name), then.get(name), rule)
            if msg:
                out.append(f"{scope}: {msg}")
    for ds, res in report.verifier.items():
        base = baseline.verifier.get(ds, {})
        for name, rule in VERIFIER_THRESHOLDS.items():
            msg = _worse(name, res.get(name), base.get(name), rule)
            if msg:
                out.append(f"verifier {ds}: {msg}")
    return out


def load_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"baseline not found: {path}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not an eval report (--json output): {exc}") from None


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
_HTML_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}table{border-collapse:collapse;margin:.5em 0}
td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.notice{background:#fff6d6;border:1px solid #e8d48a;padding:.5em .8em;border-radius:4px}
.bad{color:#b00020}.ok{color:#1b7f3b}.dim{color:#777}
details{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}
summary{cursor:pointer;font-weight:600}iframe{width:100%;height:640px;border:1px solid #ccc}
code{background:#f4f4f4;padding:0 3px}ul.small{font-size:.92em}
"""


def _esc(text: Any) -> str:
    import html

    return html.escape(str(text), quote=True)


def _kv_table(d: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(_fmt(v))}</td></tr>" for k, v in d.items())
    return f"<table>{rows}</table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:,.1f}"
    return "-" if v is None else str(v)


def render_html(report: EvalReport, runs: Sequence[CaseRun]) -> str:
    """One self-contained HTML file: overall numbers, then a drill-down per case (the output
    rendered by ``agent.html``: source with cited spans highlighted, each figure's verdict)."""
    from .html import render_html as render_summary_html

    by_case = {(r.suite, r.case.id): r for r in runs}
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>verisum eval report</title>",
        f"<style>{_HTML_CSS}</style></head><body>",
        "<h1>verisum eval report</h1>",
        f"<p class='notice'>{_esc(model_line(report))}</p>",
        f"<p class='dim'>run {report.created_at:%Y-%m-%d %H:%M} UTC · {report.mode} · "
        f"{report.wall_s} s</p>",
    ]
    if report.problems or report.regressions:
        out.append("<h2 class='bad'>Problems</h2><ul>")
        out += [f"<li class='bad'>{_esc(p)}</li>" for p in report.problems + report.regressions]
        out.append("</ul>")
    out.append("<h2>Overall</h2>")
    names = ["overall", *report.suites]
    cols = [report.overall, *report.suites.values()]
    head = "".join(f"<th>{_esc(n)}</th>" for n in names)
    body = "".join(
        f"<tr><td>{_esc(k)}</td>"
        + "".join(f"<td>{_esc(_fmt(c.get(k)))}</td>" for c in cols)
        + "</tr>"
        for k in report.overall
    )
    out.append(f"<table><tr><th>metric</th>{head}</tr>{body}</table>")
    if report.verifier:
        out.append("<h2>Verifier on human labels</h2>")
        for ds, res in report.verifier.items():
            flat = {k: v for k, v in res.items() if not k.endswith("_detail")}
            out.append(f"<h3>{_esc(ds)}</h3>{_kv_table(flat)}")
            for k in ("misses_detail", "false_alarms_detail"):
                items = res.get(k) or []
                if items:
                    lis = "".join(f"<li>{_esc(x)}</li>" for x in items)
                    out.append(
                        f"<details><summary>{_esc(k.replace('_detail', ''))} ({len(items)})"
                        f"</summary><ul class='small'>{lis}</ul></details>"
                    )
    missed = [mu for c in report.cases for mu in c.mutant_detail if not mu.caught]
    if missed:
        lis = "".join(
            f"<li>{_esc(mu.case)} [{mu.kind}] <code>{_esc(mu.original)}</code> → "
            f"<code>{_esc(mu.mutated)}</code>: {_esc(mu.verdict)} — {_esc(mu.claim[:200])}</li>"
            for mu in missed
        )
        out.append(
            f"<h2>Mutants the verifier missed ({len(missed)})</h2><ul class='small'>{lis}</ul>"
        )
    out.append("<h2>Cases</h2>")
    out.append(_case_index(report))
    for c in report.cases:
        run = by_case.get((c.suite, c.case))
        cls = "ok" if c.status == "ok" else "bad"
        out.append(
            f"<details id='{_esc(c.suite)}-{_esc(c.case)}'><summary>{_esc(c.suite)}/{_esc(c.case)} "
            f"<span class='{cls}'>{_esc(c.status)}</span> · {c.bullets} bullets · key "
            f"{c.key_output}/{c.key_figures} · mutants {c.mutants_caught}/{c.mutants}</summary>"
        )
        if c.error:
            out.append(f"<p class='bad'>{_esc(c.error)}</p>")
        if c.key_missing:
            out.append(f"<p>key figures not in the output: {_esc(', '.join(c.key_missing))}</p>")
        if c.forbidden_in_output:
            out.append(
                f"<p class='bad'>forbidden figures in the output: "
                f"{_esc(', '.join(c.forbidden_in_output))}</p>"
            )
        ans = run.output.answer if run and run.output else None
        if ans is not None:
            out.append(_answer_html(ans, c.expect))
        summary = run.output.summary if run and run.output else None
        if summary is not None and run is not None:
            docs = {s.doc.id: s.doc for s in run.sources}
            page = render_summary_html(summary, docs)
            out.append(
                f"<iframe title='output of {_esc(c.case)}' srcdoc=\"{_esc(page)}\"></iframe>"
            )
        for label, items in (
            ("verifier false alarms on verbatim figures", c.false_alarm_detail),
            (
                "mutants",
                [
                    f"{'caught' if m.caught else 'MISSED'} [{m.kind}] {m.original} → {m.mutated}"
                    f" ({m.verdict}): {m.claim[:120]}"
                    for m in c.mutant_detail
                ],
            ),
        ):
            if items:
                lis = "".join(f"<li>{_esc(x)}</li>" for x in items)
                out.append(f"<p>{label}:</p><ul class='small'>{lis}</ul>")
        flat = c.model_dump(exclude={"mutant_detail", "false_alarm_detail", "suite", "case"})
        out.append(f"<details><summary>all numbers</summary>{_kv_table(flat)}</details>")
        out.append("</details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _answer_html(ans: Any, expect: str | None) -> str:
    """An ask's output: outcome against the expectation, the answer line, each statement with
    its verdicts and cited sentences, conflicts and closest evidence."""
    met = "" if expect is None else f" (expected: {_esc(expect)})"
    parts = [
        f"<p><b>{_esc(ans.status.replace('_', ' '))}</b>{met}: {_esc(ans.text)}</p>",
        f"<p class='dim'>Q: {_esc(ans.question)}</p><ul>",
    ]
    for b in ans.statements():
        verdicts = ", ".join(
            f"{v.figure.text} {v.verdict}" for v in (b.check.verdicts if b.check else [])
        )
        cites = "".join(f"<li class='small'>{_esc(c.text)}</li>" for c in b.citations)
        parts.append(
            f"<li>[{_esc(b.origin)}{', flagged' if b.flagged else ''}] {_esc(b.text)}"
            f"{' · ' + _esc(verdicts) if verdicts else ''}<ul>{cites}</ul></li>"
        )
    parts.append("</ul>")
    for conflict in ans.conflicts:
        lis = "".join(f"<li>{_esc(v.text)}: {_esc(v.citation.text)}</li>" for v in conflict.values)
        parts.append(f"<p>sources disagree on {_esc(conflict.noun)}:</p><ul>{lis}</ul>")
    if ans.closest_evidence:
        lis = "".join(f"<li>{_esc(c.text)}</li>" for c in ans.closest_evidence)
        parts.append(f"<p>closest evidence:</p><ul class='small'>{lis}</ul>")
    return "".join(parts)


def _case_index(report: EvalReport) -> str:
    """One row per case, linking to its drill-down."""
    cols = ["case", "status", "bullets", "gen fig ok", "key out", "repaired", "fell back"]
    cols += ["calls", "tokens", "mutants caught"]
    rows = []
    for c in report.cases:
        anchor = f"{c.suite}-{c.case}"
        cells = [
            f"<a href='#{_esc(anchor)}'>{_esc(c.suite)}/{_esc(c.case)}</a>",
            _esc(c.status),
            str(c.bullets),
            _ratio(c.generated_supported, c.generated_figures),
            f"{c.key_output}/{c.key_figures}",
            str(c.repaired),
            str(c.fell_back),
            str(c.llm_calls),
            str(c.prompt_tokens + c.completion_tokens),
            _ratio(c.mutants_caught, c.mutants),
        ]
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    head = "".join(f"<th>{_esc(x)}</th>" for x in cols)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


# ====================================================================== the command
@contextmanager
def progress_bar(total: int, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr; the callback advances it, naming the next item."""
    if not enabled or total == 0:
        yield lambda _msg: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("eval", total=total)
        started = [False]

        def step(msg: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=msg)

        yield step
        bar.update(task, completed=total)


def eval_command(
    *,
    suites: Sequence[str] = (),
    cases: Sequence[str] = (),
    record: bool = False,
    as_json: bool = False,
    html: Path | None = None,
    baseline: Path | None = None,
    save: Path | None = None,
    folder: Path | None = None,
    progress: bool = True,
    extractive: bool = False,
) -> int:
    """``verisum eval``: (re-record, then) replay, score and report; the exit code."""

    from rich.console import Console

    folder = folder or default_folder()
    chosen = load_suites(folder, suites, cases)
    n_cases = sum(len(s.cases) for s in chosen if s.kind == "cases")
    if record:
        with progress_bar(n_cases, progress) as step:
            runs = record_suites(chosen, folder=folder, progress=step)
        failed = [r for r in runs if r.status not in ("ok", "skipped")]
        for r in failed:
            sys.stderr.write(f"recording {r.suite}/{r.case.id}: {r.status}: {r.error}\n")
    n_steps = n_cases + sum(s.kind == "verifier-benchmark" for s in chosen)
    with progress_bar(n_steps, progress) as step:
        report, runs = run_eval(chosen, folder=folder, progress=step, extractive=extractive)
    report.mode = "record" if record else "replay"
    if baseline is not None:
        report.regressions = compare(report, load_report(baseline))
    if save is not None:
        save.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if html is not None:
        html.write_text(render_html(report, runs), encoding="utf-8")
        sys.stderr.write(f"wrote {html}\n")
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        render_terminal(report, Console(soft_wrap=False, width=max(160, Console().width)))
    return 0 if report.ok else 1
