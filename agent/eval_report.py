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
from .evals import EvalReport, default_folder, load_suites, record_suites, run_eval
from .render.eval import render_html, render_terminal

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
