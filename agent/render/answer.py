"""Terminal and Markdown rendering of an ``Answer`` (JSON is ``Answer.model_dump_json``).

Display only: every decision (status, abstention, conflicts, verdicts) is in the model.
Footnotes are numbered by first appearance of each distinct cited span, across the answer, the
key points, the conflicts and the closest evidence.
"""

from __future__ import annotations

from typing import Any

from ..models import Answer, Bullet, Citation, RetrievedChunk
from .summary import (
    EXTRACTIVE_MARK,
    FLAG_MARK,
    LABEL,
    MARK,
    REJECTED_LABEL,
    STYLE,
    Footnote,
    doc_label,
    failing,
    figure_spans,
    md_escape,
    one_line,
    run_parts,
    styled,
    tally,
)

STATUS_LINE = {
    "answered": "Answer",
    "conflicting": "Sources disagree",
    "not_in_documents": "Not in the documents",
}


def status_line(ans: Answer) -> str:
    if ans.status == "conflicting" and ans.conflicts and all(c.within for c in ans.conflicts):
        return "Conflicting figures in the document"
    return STATUS_LINE[ans.status]


def conflict_head(c: Any) -> str:
    return "One document states different figures" if c.within else "Sources disagree"


class Notes:
    """Footnote numbers for cited spans, in order of first use."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int, int], Footnote] = {}

    def number(self, c: Citation) -> int:
        key = (c.doc_id, c.start, c.end)
        fn = self.by_key.get(key)
        if fn is None:
            fn = self.by_key[key] = Footnote(len(self.by_key) + 1, c.doc_id, c.start, c.end, c.text)
        return fn.n

    def marks(self, cites: list[Any]) -> list[int]:
        return list(dict.fromkeys(self.number(c) for c in cites))

    @property
    def all(self) -> list[Footnote]:
        return list(self.by_key.values())


def footer_parts(ans: Answer) -> list[str]:
    """The facts of the footer line (shared by the formats)."""
    st = ans.statements()
    figs = sum(len(b.check.figures) for b in st if b.check)
    ok = sum(1 for b in st if b.check for v in b.check.figures if v.verdict == "supported")
    parts = [tally(st, "statements"), f"{figs} figures: {ok} supported"]
    if ans.abstain_reasons:
        parts.append("abstained: " + ", ".join(r.replace("_", " ") for r in ans.abstain_reasons))
    return parts + run_parts(ans)


def _suffix(b: Bullet) -> str:
    if b.origin == "extractive":
        return " " + EXTRACTIVE_MARK
    if b.origin == "repaired":
        return " (repaired)"
    return ""


# ----------------------------------------------------------------- terminal
def render_context(chunks: list[RetrievedChunk], console: Any) -> None:
    """What retrieval returned, in MMR order (``--show-context``)."""
    from rich.text import Text

    console.print(Text(f"Retrieved {len(chunks)} chunks (MMR order)", style="bold"))
    for rank, c in enumerate(chunks, 1):
        head = Text(f"{rank}. score {c.score:.3f}  ", style="bold")
        head.append(
            f"{c.title or c.source or c.doc_id[:12]} · doc {c.doc_id[:12]} · chars "
            f"{c.start}–{c.end} (chunk {c.chunk_index}, {len(c.sentences)} sentences)",
            style="dim",
        )
        console.print(head)
        console.print(Text(one_line(c.text, 600)))
    console.print()


def _statement(con: Any, b: Bullet, marks: list[int], lead: str, pad: str) -> None:
    from rich.text import Text

    line = Text(lead)
    line.append_text(styled(b))
    if _suffix(b):
        line.append(_suffix(b), style="italic cyan")
    line.append(" " + "".join(f"[{n}]" for n in marks), style="bold blue")
    con.print(line)
    for v in failing(b):
        row = Text(pad)
        row.append(f"{MARK[v.verdict]} {v.figure.text}: {LABEL[v.verdict]}", style=STYLE[v.verdict])
        if v.reason:
            row.append(f" — {v.reason}", style="dim")
        con.print(row)
    if b.model_text and b.model_text != b.text:
        con.print(
            Text(f"{pad}{REJECTED_LABEL} ", style="dim").append(
                one_line(b.model_text, 200), style="dim strike"
            )
        )


def render_terminal(ans: Answer, console: Any = None) -> None:
    """Question, answer line, key points, conflicts, closest evidence, sources, footer."""
    from rich.console import Console
    from rich.text import Text

    con = console or Console()
    notes = Notes()
    if ans.notice:
        con.print(Text(ans.notice, style="dim"))
    con.print(Text(f"Q: {ans.question}", style="bold"))
    colour = {"answered": "bold green", "conflicting": "bold yellow"}.get(ans.status, "bold red")
    con.print(Text(status_line(ans), style=colour))
    if ans.answer is not None and ans.status == "answered":
        _statement(con, ans.answer, notes.marks(ans.answer.citations), "  ", "    ")
    else:
        con.print(Text("  " + ans.text))
        if ans.answer is not None:
            _statement(con, ans.answer, notes.marks(ans.answer.citations), "  ", "    ")
    if ans.key_points:
        con.print(Text("Key points", style="bold"))
        for i, b in enumerate(ans.key_points, 1):
            _statement(con, b, notes.marks(b.citations), f"  {i}. ", "       ")
    for c in ans.conflicts:
        con.print(Text(f"{conflict_head(c)} ({c.kind} of {c.noun})", style="bold yellow"))
        for v in c.values:
            row = Text("  • ")
            row.append(v.text, style="bold")
            row.append(f" — {doc_label(ans, v.citation.doc_id)} ")
            row.append(f"[{notes.number(v.citation)}]", style="bold blue")
            con.print(row)
    if ans.closest_evidence:
        con.print(Text("Closest evidence", style="bold"))
        for ev in ans.closest_evidence:
            row = Text(f"  “{one_line(ev.text, 300)}” ", style="italic")
            row.append(f"[{notes.number(ev)}]", style="bold blue")
            con.print(row)
    render_sources(ans, con, notes)
    ok = Text(
        "verified" if ans.verified else "NOT verified",
        style="bold green" if ans.verified else "bold red",
    )
    con.print(Text("\n").append_text(ok).append(" · " + " · ".join(footer_parts(ans))))


def render_sources(ans: Answer, console: Any, notes: Notes | None = None) -> None:
    """The numbered cited spans: document, exact offsets, text (also ``/sources``)."""
    from rich.text import Text

    standalone = notes is None
    if notes is None:
        notes = Notes()
        for b in ans.statements():
            notes.marks(b.citations)
        for c in ans.conflicts:
            notes.marks([v.citation for v in c.values])
        notes.marks(ans.closest_evidence)
    if not notes.all:
        if standalone:
            console.print(Text("(no sources)", style="dim"))
        return
    console.print(Text("\nSources", style="bold"))
    for fn in notes.all:
        row = Text()
        row.append(f" [{fn.n}] ", style="bold blue")
        row.append(doc_label(ans, fn.doc_id) + " ", style="bold")
        row.append(f"{fn.doc_id[:12]} {fn.start}–{fn.end} ", style="dim")
        row.append(f"“{one_line(fn.text, 400)}”", style="italic")
        console.print(row)


# ----------------------------------------------------------------- markdown
def _md_statement(b: Bullet, marks: list[int]) -> str:
    parts, pos = [], 0
    for s, e, v in figure_spans(b):
        parts.append(md_escape(b.text[pos:s]))
        fig = md_escape(b.text[s:e])
        parts.append(f"**{fig}**" if v.verdict == "supported" else f"**{fig}** ({MARK[v.verdict]})")
        pos = e
    parts.append(md_escape(b.text[pos:]))
    prefix = f"**{FLAG_MARK}:** " if b.flagged else ""
    suffix = f" *{_suffix(b).strip()}*" if _suffix(b) else ""
    out = f"{prefix}{''.join(parts).strip()}{suffix}" + "".join(f"[^{n}]" for n in marks)
    for v in failing(b):
        reason = f" — {md_escape(v.reason)}" if v.reason else ""
        out += f"\n    - {MARK[v.verdict]} `{v.figure.text}`: {LABEL[v.verdict]}{reason}"
    if b.model_text and b.model_text != b.text:
        out += f"\n    - {REJECTED_LABEL} ~~{md_escape(one_line(b.model_text, 300))}~~"
    return out


def render_markdown(ans: Answer, show_context: bool = False) -> str:
    notes = Notes()
    lines = [f"# {md_escape(ans.question)}", ""]
    if ans.notice:
        lines += [f"> {md_escape(ans.notice)}", ""]
    lines.append(f"**{status_line(ans)}:** ")
    if ans.answer is not None and ans.status == "answered":
        lines[-1] += _md_statement(ans.answer, notes.marks(ans.answer.citations))
    else:
        lines[-1] += md_escape(ans.text)
        if ans.answer is not None:
            lines += ["", _md_statement(ans.answer, notes.marks(ans.answer.citations))]
    lines.append("")
    if ans.key_points:
        lines += ["## Key points", ""]
        for i, b in enumerate(ans.key_points, 1):
            lines.append(f"{i}. {_md_statement(b, notes.marks(b.citations))}")
        lines.append("")
    for c in ans.conflicts:
        lines += [f"## {conflict_head(c)} ({md_escape(c.kind)} of {md_escape(c.noun)})", ""]
        for v in c.values:
            title = md_escape(doc_label(ans, v.citation.doc_id))
            lines.append(f"- **{md_escape(v.text)}** — {title}[^{notes.number(v.citation)}]")
        lines.append("")
    if ans.closest_evidence:
        lines += ["## Closest evidence", ""]
        for ev in ans.closest_evidence:
            lines.append(f"- “{md_escape(one_line(ev.text))}”[^{notes.number(ev)}]")
        lines.append("")
    for fn in notes.all:
        title = md_escape(doc_label(ans, fn.doc_id))
        quote = md_escape(one_line(fn.text))
        lines.append(f"[^{fn.n}]: {title}, chars {fn.start}–{fn.end}: “{quote}”")
    if show_context:
        lines += ["", "## Retrieved context", ""]
        for rank, r in enumerate(ans.retrieved, 1):
            lines.append(
                f"{rank}. score {r.score:.3f}, {md_escape(r.title or r.doc_id[:12])}, chars "
                f"{r.start}–{r.end}: {md_escape(one_line(r.text, 400))}"
            )
    status = "verified" if ans.verified else "**NOT verified**"
    lines += ["", "---", "", f"{status} · " + md_escape(" · ".join(footer_parts(ans)))]
    return "\n".join(lines) + "\n"


__all__ = ["Notes", "render_context", "render_markdown", "render_sources", "render_terminal"]
