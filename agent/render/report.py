"""Terminal rendering of a ``VerificationReport`` with rich. Display only: no decisions here."""

from __future__ import annotations

from typing import Any

from ..verify import VerificationReport

STYLE = {
    "supported": "bold green",
    "contradicted": "bold red",
    "not_found": "bold yellow",
    "cited_elsewhere": "bold magenta",
}
MARK = {"supported": "✓", "contradicted": "✗", "not_found": "?", "cited_elsewhere": "↪"}


def render_report(report: VerificationReport, console: Any = None) -> None:
    """Print each claim with its figures coloured by verdict and the evidence beside them."""
    from rich.console import Console
    from rich.text import Text

    con = console or Console()
    if report.source_title:
        con.print(Text(f"source: {report.source_title}", style="bold"))
    for check in report.checks:
        line = Text(f"[{check.claim.id}] ", style="dim")
        body = Text(check.claim.text)
        for v in check.verdicts:
            body.stylize(STYLE[v.verdict], v.figure.start, v.figure.end)
        line.append_text(body)
        con.print(line)
        for v in check.verdicts:
            row = Text("    ")
            row.append(f"{MARK[v.verdict]} {v.figure.text}", style=STYLE[v.verdict])
            row.append(f"  {v.verdict}", style=STYLE[v.verdict])
            row.append(f"  {v.reason}", style="dim")
            con.print(row)
            if v.evidence:
                ev = v.evidence[-1]
                quote = Text(f"      “{ev.text.strip()[:300]}”", style="italic")
                quote.append(f"  [{ev.start}:{ev.end}]", style="dim")
                con.print(quote)
    for w in report.warnings:
        con.print(Text(f"warning: {w}", style="yellow"))
    c = report.counts
    status = Text(
        "verified" if report.verified else "NOT verified",
        style="bold green" if report.verified else "bold red",
    )
    con.print(
        Text(
            f"\n{c['claims']} claims, {c['figures']} figures, {c['names']} names, "
            f"{c['negations']} negations, {c['roles']} roles: {c['supported']} supported, "
            f"{c['contradicted']} contradicted, {c['not_found']} not found, "
            f"{c['cited_elsewhere']} cited elsewhere — "
        ).append_text(status)
    )
