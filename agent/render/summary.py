"""Terminal and Markdown rendering of a ``Summary``. Display only: every decision is in the models.

Footnotes are numbered by first appearance of each distinct cited span ``(doc_id, start, end)``,
so two bullets citing the same sentence share one footnote. ``agent.render.html`` uses the same
helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Answer, Bullet, Summary
from ..verify import FigureVerdict
from .report import MARK, STYLE

LABEL = {
    "supported": "supported",
    "contradicted": "contradicted",
    "not_found": "not found",
    "cited_elsewhere": "cited elsewhere",
}
EXTRACTIVE_MARK = "(quoted from source)"
FLAG_MARK = "⚠ unverified"
REJECTED_LABEL = "rejected, not verified — model wrote:"  # followed by the struck-out text
_WS = re.compile(r"\s+")


@dataclass
class Footnote:
    """One distinct cited span; ``bullets`` are the 0-based positions of bullets citing it."""

    n: int
    doc_id: str
    start: int
    end: int
    text: str
    bullets: list[int] = field(default_factory=list)


def footnotes(summary: Summary) -> tuple[list[Footnote], list[list[int]]]:
    """All footnotes in order, and for each bullet the footnote numbers it cites."""
    by_key: dict[tuple[str, int, int], Footnote] = {}
    per_bullet: list[list[int]] = []
    for i, b in enumerate(summary.bullets):
        nums: list[int] = []
        for c in b.citations:
            key = (c.doc_id, c.start, c.end)
            fn = by_key.get(key)
            if fn is None:
                fn = by_key[key] = Footnote(len(by_key) + 1, c.doc_id, c.start, c.end, c.text)
            if i not in fn.bullets:
                fn.bullets.append(i)
            if fn.n not in nums:
                nums.append(fn.n)
        per_bullet.append(nums)
    return list(by_key.values()), per_bullet


def figure_spans(bullet: Bullet) -> list[tuple[int, int, FigureVerdict]]:
    """``(start, end, verdict)`` of each checked figure inside ``bullet.text``: sorted, disjoint.

    Figure offsets point into the checked claim text; when that differs from the shown text the
    figure is looked up by its text, left to right, and left out when absent."""
    if bullet.check is None:
        return []
    text, out, pos = bullet.text, [], 0
    same = bullet.check.claim.text == text
    for v in sorted(bullet.check.verdicts, key=lambda v: v.figure.start):
        f = v.figure
        if same and text[f.start : f.end] == f.text:
            s = f.start
        else:
            s = text.find(f.text, pos)
            if s < 0 or not f.text:
                continue
        e = s + len(f.text)
        if s >= pos:
            out.append((s, e, v))
            pos = e
    return out


def failing(bullet: Bullet) -> list[FigureVerdict]:
    """The figure verdicts of a bullet that are not ``supported``."""
    return [v for v in bullet.check.verdicts if v.verdict != "supported"] if bullet.check else []


def verdict_counts(summary: Summary) -> dict[str, int]:
    out = dict.fromkeys(STYLE, 0)
    for b in summary.bullets:
        for v in b.check.verdicts if b.check else []:
            out[v.verdict] += 1
    return out


def one_line(text: str, limit: int = 0) -> str:
    """Whitespace runs collapsed; cut to ``limit`` characters with an ellipsis when given."""
    s = _WS.sub(" ", text).strip()
    return s if not limit or len(s) <= limit else s[: limit - 1].rstrip() + "…"


def doc_label(output: Summary | Answer, doc_id: str) -> str:
    """A document's title (else its source, else its short id) in a summary or an answer."""
    for d in output.documents:
        if d.id == doc_id:
            return d.title or d.source or doc_id[:12]
    return doc_id[:12]


def footer_parts(summary: Summary) -> list[str]:
    """The facts of the footer line, in order (shared by every format)."""
    vc = verdict_counts(summary)
    figs = sum(len(b.check.figures) for b in summary.bullets if b.check)
    others = sum(vc.values()) - figs  # names, negations, roles
    parts = [tally(summary.bullets, "bullets")]
    if summary.stats.dropped:
        parts[0] += f", {summary.stats.dropped} dropped"
    parts.append(
        f"{figs} figures"
        + (f", {others} names and negations" if others else "")
        + ": "
        + ", ".join(f"{vc[k]} {LABEL[k]}" for k in STYLE if vc[k] or k in ("supported",))
    )
    return parts + run_parts(summary)


def tally(statements: Sequence[Bullet], noun: str) -> str:
    """ "5 bullets: 3 verified (1 after repair), 2 quoted from source, 0 flagged"."""
    n_ver = sum(1 for b in statements if b.verified and b.origin != "extractive")
    n_ext = sum(1 for b in statements if b.origin == "extractive")
    n_flag = sum(1 for b in statements if b.flagged)
    n_rep = sum(1 for b in statements if b.origin == "repaired")
    out = f"{len(statements)} {noun}: {n_ver} verified"
    if n_rep:
        out += f" ({n_rep} after repair)"
    return out + f", {n_ext} quoted from source, {n_flag} flagged"


def run_parts(output: Summary | Answer) -> list[str]:
    """The end of every footer: the policy, the endpoint, the calls and tokens."""
    parts = [f"policy {output.policy}"]
    if output.endpoint:
        parts.append(f"endpoint {output.endpoint}")
    u = output.usage
    parts.append(f"{u.calls} call{'s' * (u.calls != 1)}, {u.total_tokens:,} tokens")
    return parts


# ----------------------------------------------------------------- terminal
def styled(b: Bullet) -> Any:
    """A statement as rich ``Text``: the flag mark if flagged, each figure in its verdict's
    colour."""
    from rich.text import Text

    out = Text()
    if b.flagged:
        out.append(FLAG_MARK + " ", style="bold red reverse")
    body = Text(b.text)
    for s, e, v in figure_spans(b):
        body.stylize(STYLE[v.verdict], s, e)
    out.append_text(body)
    return out


def render_terminal(summary: Summary, console: Any = None) -> None:
    """Print bullets with footnote markers and coloured figures, the sources, one footer line."""
    from rich.console import Console
    from rich.text import Text

    con = console or Console()
    notes, per_bullet = footnotes(summary)
    if summary.notice:
        con.print(Text(summary.notice, style="dim"))
    titles = ", ".join(d.title or d.source or d.id[:12] for d in summary.documents)
    con.print(Text(f"Summary of {titles}", style="bold"))
    width = len(str(len(summary.bullets)))
    for i, b in enumerate(summary.bullets):
        line = Text()
        line.append(f"{i + 1:>{width}}. ", style="dim")
        line.append_text(styled(b))
        if b.origin == "extractive":
            line.append(" " + EXTRACTIVE_MARK, style="italic cyan")
        elif b.origin == "repaired":
            line.append(" (repaired)", style="italic dim")
        line.append(" " + "".join(f"[{n}]" for n in per_bullet[i]), style="bold blue")
        con.print(line)
        pad = " " * (width + 2)
        for v in failing(b):
            row = Text(pad + "  ")
            row.append(
                f"{MARK[v.verdict]} {v.figure.text}: {LABEL[v.verdict]}", style=STYLE[v.verdict]
            )
            if v.reason:
                row.append(f" — {v.reason}", style="dim")
            con.print(row)
        for problem in b.problems:
            con.print(Text(f"{pad}  ⚠ {problem}", style="yellow"))
        if b.model_text and b.model_text != b.text:
            con.print(
                Text(f"{pad}  {REJECTED_LABEL} ", style="dim").append(
                    one_line(b.model_text, 200), style="dim strike"
                )
            )
    if notes:
        con.print(Text("\nSources", style="bold"))
    for fn in notes:
        row = Text()
        row.append(f" [{fn.n}] ", style="bold blue")
        if len(summary.documents) > 1:
            row.append(doc_label(summary, fn.doc_id) + " ", style="bold")
        row.append(f"{fn.start}–{fn.end} ", style="dim")
        row.append(f"“{one_line(fn.text, 400)}”", style="italic")
        con.print(row)
    ok = Text(status_text(summary), style="bold green" if summary.verified else "bold red")
    con.print(Text("\n").append_text(ok).append(" · " + " · ".join(footer_parts(summary))))


def status_text(summary: Summary) -> str:
    if summary.verified:
        return "verified"
    if summary.bullets and not summary.model_written:
        return "NOT verified: the model wrote no bullet, all are quoted from the source"
    return "NOT verified"


# ----------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax (and raw HTML) in plain text; collapse whitespace."""
    return _MD_SPECIAL.sub(r"\\\1", _WS.sub(" ", text))


def render_markdown(summary: Summary) -> str:
    """The same content as the terminal, in Markdown: footnotes as ``[^n]``."""
    notes, per_bullet = footnotes(summary)
    titles = ", ".join(md_escape(d.title or d.source or d.id[:12]) for d in summary.documents)
    lines = [f"# Summary of {titles}", ""]
    if summary.notice:
        lines += [f"> {md_escape(summary.notice)}", ""]
    for i, b in enumerate(summary.bullets):
        text, pos = [], 0
        for s, e, v in figure_spans(b):
            text.append(md_escape(b.text[pos:s]))
            fig = md_escape(b.text[s:e])
            text.append(
                f"**{fig}**" if v.verdict == "supported" else f"**{fig}** ({MARK[v.verdict]})"
            )
            pos = e
        text.append(md_escape(b.text[pos:]))
        body = "".join(text).strip()
        if not body.endswith(" "):
            body += " "
        prefix = f"**{FLAG_MARK}:** " if b.flagged else ""
        suffix = ""
        if b.origin == "extractive":
            suffix = f" *{EXTRACTIVE_MARK}*"
        elif b.origin == "repaired":
            suffix = " *(repaired)*"
        marks = "".join(f"[^{n}]" for n in per_bullet[i])
        lines.append(f"{i + 1}. {prefix}{body.rstrip()}{suffix}{marks}")
        for v in failing(b):
            reason = f" — {md_escape(v.reason)}" if v.reason else ""
            lines.append(f"    - {MARK[v.verdict]} `{v.figure.text}`: {LABEL[v.verdict]}{reason}")
        for problem in b.problems:
            lines.append(f"    - ⚠ {md_escape(problem)}")
        if b.model_text and b.model_text != b.text:
            lines.append(f"    - {REJECTED_LABEL} ~~{md_escape(one_line(b.model_text, 300))}~~")
    lines.append("")
    many = len(summary.documents) > 1
    for fn in notes:
        label = md_escape(doc_label(summary, fn.doc_id)) + ", " if many else ""
        quote = md_escape(one_line(fn.text))
        lines.append(f"[^{fn.n}]: {label}chars {fn.start}–{fn.end}: “{quote}”")
    status = status_text(summary) if summary.verified else f"**{status_text(summary)}**"
    lines += ["", "---", "", f"{status} · " + md_escape(" · ".join(footer_parts(summary)))]
    return "\n".join(lines) + "\n"


__all__ = [
    "EXTRACTIVE_MARK",
    "FLAG_MARK",
    "REJECTED_LABEL",
    "Footnote",
    "failing",
    "figure_spans",
    "footnotes",
    "render_markdown",
    "render_terminal",
]
