"""The terminal output of the plain commands: settings, documents, search hits, LLM calls and
ingest progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..models import DocInfo, LLMCall, SearchHit


def render_config(rows: Sequence[dict[str, Any]], console: Any) -> None:
    from rich.table import Table

    table = Table("setting", "value", "source", "description")
    for r in rows:
        table.add_row(
            r["env"], "" if r["value"] is None else str(r["value"]), r["source"], r["description"]
        )
    console.print(table)


def render_docs(docs: Sequence[DocInfo], console: Any) -> None:
    from rich.table import Table

    table = Table("id", "title", "chunks", "chars", "source", "ingested")
    for d in docs:
        more = f" (+{len(d.sources) - 1} identical)" if len(d.sources) > 1 else ""
        table.add_row(
            d.id, d.title[:60], str(d.chunks), str(d.chars), d.source + more, d.ingested_at
        )
    console.print(table if docs else "no documents (add some: verisum ingest PATH)")


def render_hits(hits: Sequence[SearchHit], console: Any) -> None:
    if not hits:
        console.print("no results (is anything ingested? verisum docs list)")
    for rank, h in enumerate(hits, 1):
        console.print(
            f"[bold]{rank}.[/] score {h.score:.3f}  doc {h.doc_id}  "
            f"chars {h.start}-{h.end} (chunk {h.chunk_index})",
            highlight=False,
        )
        console.print(h.text, markup=False, highlight=False)
        console.print()


def render_calls(calls: Sequence[LLMCall], console: Any, full: bool = False) -> None:
    """Recent LLM calls: one row each, or (``full``) every prompt and reply."""
    from rich.table import Table

    if full:
        for c in calls:
            console.rule(
                f"{c.ts.astimezone():%Y-%m-%d %H:%M:%S} · {c.prompt} · attempt {c.attempt} · "
                f"{c.status} · {c.endpoint} {c.model}"
            )
            for m in c.messages:
                console.print(f"[bold]\\[{m['role']}][/bold]")
                console.print(m["content"], markup=False, highlight=False, soft_wrap=True)
            console.print("[bold]\\[response][/bold]")
            console.print(c.response or "", markup=False, highlight=False, soft_wrap=True)
            if c.error:
                console.print(f"[red]{c.status}:[/red] {c.error}", highlight=False)
        return
    table = Table("time", "prompt", "model", "tokens in+out", "ms", "attempt", "status")
    colour = {"ok": "green", "invalid": "yellow", "error": "red"}
    for c in calls:
        table.add_row(
            f"{c.ts.astimezone():%m-%d %H:%M:%S}",
            c.prompt,
            f"{c.endpoint}:{c.model}",
            f"{c.usage.prompt_tokens}+{c.usage.completion_tokens}",
            f"{c.latency_ms:.0f}",
            str(c.attempt),
            f"[{colour[c.status]}]{c.status}[/]",
        )
    console.print(table)


@contextmanager
def ingest_progress(
    console: Any, interactive: bool, every: float
) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """``(on_total, on_chunks)`` callbacks for ``ingest``: a transient bar on a terminal, else
    a line on stderr at most every ``every`` seconds."""
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
            console=console,
        )
        with progress:
            task = progress.add_task("embedding chunks", total=None)
            yield (
                lambda n: progress.update(task, total=n),
                lambda n: progress.advance(task, n),
            )
        return
    import sys
    import time

    state = {"done": 0, "total": 0, "last": time.monotonic()}

    def on_chunks(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["last"] >= every:
            state["last"] = now
            line = f"embedded {state['done']:,} of {state['total']:,} chunks so far"
            print(line, file=sys.stderr)

    yield (lambda n: state.update(total=n), on_chunks)
