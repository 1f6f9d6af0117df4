"""The ``verisum`` command line. Commands parse options, call one stage function, print.

Heavy libraries (chromadb, onnxruntime, langchain) are imported inside command bodies so
``verisum --help`` stays instant. Errors become one line on stderr and an exit code here,
and only here (see ``main``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from . import __version__
from .errors import VerisumError

app = typer.Typer(
    name="verisum",
    help="Summaries whose every figure is checked against the source.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: importing rich's help renderer costs ~250 ms
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

_state: dict[str, Any] = {"debug": False}
PROGRESS_EVERY = 10.0  # seconds between progress lines when not on a terminal
PIPE_WIDTH = 200  # table width when stdout is not a terminal (rich's default 80 cuts names)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"verisum {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Summaries whose every figure is checked against the source."""
    _state["debug"] = debug


def print_json(data: Any) -> None:
    """Write JSON to stdout (pydantic models and lists of them included)."""
    from pydantic import BaseModel

    def default(o: Any) -> Any:
        if isinstance(o, BaseModel):
            return o.model_dump(mode="json")
        return str(o)

    sys.stdout.write(json.dumps(data, default=default, ensure_ascii=False, indent=2) + "\n")


def console_for(stderr: bool = False) -> Any:
    """A rich console; plain (no colour) when not writing to a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True)


def table_console() -> Any:
    """A console for tables: the terminal's width, or ``PIPE_WIDTH`` when piped (rich's
    default 80 columns would cut names)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)


# ---------------------------------------------------------------- config
@app.command("config", short_help="Show the settings and where each came from.")
def config_cmd(as_json: JsonOpt = False) -> None:
    """Show the effective settings (secrets masked) and where each came from."""
    from .settings import describe, get_settings

    rows = describe(get_settings())
    rows.append(_endpoint_row())
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("setting", "value", "source", "description")
    for r in rows:
        table.add_row(
            r["env"], "" if r["value"] is None else str(r["value"]), r["source"], r["description"]
        )
    table_console().print(table)


def _endpoint_row() -> dict[str, Any]:
    """What summarize and ask would call with these settings (VERISUM_MODEL is only used
    with OPENAI_API_KEY or VERISUM_BASE_URL)."""
    from .errors import ModelError
    from .llm import resolve_endpoint

    try:
        value = resolve_endpoint().describe()
    except ModelError as exc:
        value = f"none: {exc}"
    return {
        "name": "endpoint",
        "env": "(endpoint in use)",
        "value": value,
        "source": "resolved",
        "description": "The chat endpoint and model summarize and ask use.",
    }


# ---------------------------------------------------------------- ingest / docs / search
@app.command("ingest", short_help="Add files, folders or stdin to the store.")
def ingest_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    include: Annotated[
        list[str] | None, typer.Option("--include", "-i", help="Glob of files to take.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", "-x", help="Glob of files to skip.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load documents (txt, md, html, pdf) into the store, chunked with exact offsets."""
    import time

    from .ingest import FileResult, ingest

    err = console_for(stderr=True)
    out = console_for()

    def show(r: FileResult) -> None:
        if r.status == "failed":
            err.print(f"[red]failed[/]    {r.error}", highlight=False, markup=True)
            return
        same = f"  (same content as {', '.join(r.same_as)})" if r.same_as else ""
        out.print(
            f"{r.status:<10} {r.doc_id}  {r.chunks:>4} chunks  {r.source}{same}",
            highlight=False,
            markup=False,
        )

    on_result = None if as_json else show
    if sys.stdout.isatty() and not as_json:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
            console=out,
        )
        with progress:
            task = progress.add_task("embedding chunks", total=None)
            report = ingest(
                paths,
                include=include,
                exclude=exclude,
                on_total=lambda n: progress.update(task, total=n),
                on_chunks=lambda n: progress.advance(task, n),
                on_result=on_result,
            )
    else:
        # Not a terminal: a progress line on stderr at most every PROGRESS_EVERY seconds.
        state = {"done": 0, "total": 0, "last": time.monotonic()}

        def on_chunks(n: int) -> None:
            state["done"] += n
            now = time.monotonic()
            if now - state["last"] >= PROGRESS_EVERY:
                state["last"] = now
                typer.echo(
                    f"embedded {state['done']:,} of {state['total']:,} chunks so far", err=True
                )

        report = ingest(
            paths,
            include=include,
            exclude=exclude,
            on_total=lambda n: state.update(total=n),
            on_chunks=on_chunks,
            on_result=on_result,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        if report.recovered:
            err.print(
                "recovered from an interrupted ingest or removal: "
                f"{len(report.recovered)} leftover document(s) removed"
            )
        out.print(
            f"{report.count('added')} added, {report.count('replaced')} replaced, "
            f"{report.count('unchanged')} unchanged, {report.count('failed')} failed; "
            f"{report.chunks} chunks in {report.seconds:.1f}s",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)


docs_app = typer.Typer(help="List, show and remove ingested documents.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("list")
def docs_list(as_json: JsonOpt = False) -> None:
    """List ingested documents."""
    from .store import open_store

    docs = open_store().list_documents()
    if as_json:
        print_json(docs)
        return
    from rich.table import Table

    table = Table("id", "title", "chunks", "chars", "source", "ingested")
    for d in docs:
        more = f" (+{len(d.sources) - 1} identical)" if len(d.sources) > 1 else ""
        table.add_row(
            d.id, d.title[:60], str(d.chunks), str(d.chars), d.source + more, d.ingested_at
        )
    table_console().print(table if docs else "no documents (add some: verisum ingest PATH)")


@docs_app.command("show")
def docs_show(
    doc_id: Annotated[str, typer.Argument(help="Document id (or a unique prefix).")],
    chunks: Annotated[bool, typer.Option("--chunks", help="List the chunks too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one document: metadata and canonical text."""
    from .store import open_store

    store = open_store()
    doc = store.get_document(doc_id)
    parts = store.get_chunks(doc.id) if chunks or as_json else []
    if as_json:
        print_json({"document": doc, "chunks": parts})
        return
    out = console_for()
    out.print(
        f"[bold]{doc.title}[/]  {doc.id}\n{doc.source}  {len(doc.text)} chars", highlight=False
    )
    out.print(doc.text, markup=False, highlight=False)
    for c in parts:
        out.print(f"[dim]chunk {c.index}: {c.start}-{c.end}, {len(c.sentences)} sentences[/]")


@docs_app.command("rm")
def docs_rm(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids (or unique prefixes).")],
    as_json: JsonOpt = False,
) -> None:
    """Remove documents and their chunks. Every id is checked first: one unknown id and
    nothing is removed."""
    from .errors import NotFoundError
    from .store import open_store

    store = open_store()
    with store.writing():
        resolved: list[str] = []
        problems: list[str] = []
        for d in doc_ids:
            try:
                resolved.append(store.resolve_id(d))
            except NotFoundError as exc:
                problems.append(str(exc))
        if problems:
            raise NotFoundError("; ".join(problems) + "; nothing removed")
        removed = [store.delete_document(d) for d in dict.fromkeys(resolved)]
    if as_json:
        print_json({"removed": removed})
    else:
        for d in removed:
            typer.echo(f"removed {d}")


@app.command("search", short_help="Find the chunks most similar to a query.")
def search_cmd(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Number of chunks.")] = 5,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find the chunks most similar to a query (text, doc, offsets, score)."""
    from .store import open_store

    hits = open_store().search(query, k=k, doc_id=doc)
    if as_json:
        print_json(hits)
        return
    out = console_for()
    if not hits:
        out.print("no results (is anything ingested? verisum docs list)")
    for rank, h in enumerate(hits, 1):
        out.print(
            f"[bold]{rank}.[/] score {h.score:.3f}  doc {h.doc_id}  "
            f"chars {h.start}-{h.end} (chunk {h.chunk_index})",
            highlight=False,
        )
        out.print(h.text, markup=False, highlight=False)
        out.print()


# ---------------------------------------------------------------- verify
@app.command("verify", short_help="Check every figure of a summary.")
def verify_cmd(
    summary: Annotated[
        str, typer.Option("--summary", "-s", help="Summary file to check, or - for stdin.")
    ],
    source: Annotated[str | None, typer.Option("--source", help="Source document file.")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Id of an ingested document.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every figure of a summary against its source; exit 1 if any is unsupported."""
    from pathlib import Path

    from .errors import InputError
    from .verify import claims_from_text, verify_claims

    if (source is None) == (doc is None):
        raise InputError("give exactly one of --source FILE or --doc ID")
    if summary == "-":
        summary_text = sys.stdin.read()
    else:
        try:
            summary_text = Path(summary).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{summary}: cannot read summary ({exc})") from None
    sentences = None
    if source is not None:
        from .documents import load_path

        document = load_path(Path(source))
    else:
        from .store import open_store

        store = open_store()
        document = store.get_document(str(doc))
        sentences = [(s.start, s.end) for s in store.sentences(document.id)] or None
    claims = claims_from_text(summary_text)
    if not claims:
        raise InputError("the summary has no claims to check")
    report = verify_claims(
        document.text, claims, sentences, source_id=document.id, source_title=document.title
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        from .render.report import render_report

        render_report(report, console_for())
    if not report.verified:
        raise typer.Exit(1)


# ---------------------------------------------------------------- logs
@app.command("logs", short_help="Show recent LLM calls and their tokens.")
def logs_cmd(
    n: Annotated[int, typer.Option("-n", "--last", min=1, help="How many calls.")] = 20,
    full: Annotated[bool, typer.Option("--full", help="Print prompts and responses.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show recent LLM calls: prompt, model, tokens, latency, attempt, status."""
    from .calllog import log_file, recent

    calls = recent(n)
    if as_json:
        print_json(calls)
        return
    if not calls:
        typer.echo(f"no LLM calls logged yet ({log_file()})")
        return
    from rich.table import Table

    console = table_console()
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


# ---------------------------------------------------------------- summarize
@app.command("summarize", short_help="Cited bullet summary, every figure verified.")
def summarize_cmd(
    file: Annotated[str | None, typer.Argument(help="A file to summarize (not stored).")] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Id of an ingested document (repeatable).")
    ] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="All ingested documents.")] = False,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Ingested documents matching a topic.")
    ] = None,
    bullets: Annotated[int, typer.Option("--bullets", "-n", help="At most this many.")] = 5,
    length: Annotated[
        str, typer.Option("--length", help="Words per bullet: short, medium or long.")
    ] = "medium",
    focus: Annotated[str | None, typer.Option("--focus", help="What to focus on.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, markdown, json or html.")
    ] = "terminal",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    on_unverified: Annotated[
        str,
        typer.Option("--on-unverified", help="fallback (source sentences), flag or drop."),
    ] = "fallback",
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if anything was unverified before repair.")
    ] = False,
    show_prompts: Annotated[
        bool, typer.Option("--show-prompts", help="Print every prompt and reply live.")
    ] = False,
    context_chars: Annotated[
        int | None,
        typer.Option("--context-chars", min=500, help="Characters per call (longer: sections)."),
    ] = None,
    as_json: JsonOpt = False,
    extractive: Annotated[
        bool,
        typer.Option("--extractive", help="No model: quote the most central sentences."),
    ] = False,
) -> None:
    """Summarize documents into cited bullets; every figure is verified before output.

    Exit 1 when flagged (unverified) bullets are shown or --strict trips; 3 on model errors.
    """
    from pathlib import Path

    from .errors import InputError
    from .llm import ChatAdapter
    from .summarize import (
        LENGTH_WORDS,
        source_from_file,
        sources_from_store,
        summarize,
        summarize_extractive,
    )

    formats = ("terminal", "markdown", "json", "html")
    if as_json:
        fmt = "json"
    if fmt not in formats:
        raise InputError(f"--format must be one of {', '.join(formats)}, not {fmt!r}")
    if on_unverified not in ("fallback", "flag", "drop"):
        raise InputError(f"--on-unverified must be fallback, flag or drop, not {on_unverified!r}")
    if length not in LENGTH_WORDS:
        raise InputError(f"--length must be one of {', '.join(LENGTH_WORDS)}, not {length!r}")
    if sum([file is not None, bool(doc), all_docs, query is not None]) != 1:
        raise InputError("give exactly one of FILE, --doc ID, --all or --query TOPIC")
    if output and fmt == "terminal":
        fmt = {".json": "json", ".html": "html", ".htm": "html"}.get(
            Path(output).suffix.lower(), "markdown"
        )
    if output:
        _check_writable(Path(output))  # before any model work
    if file is not None:
        sources = [source_from_file(file)]
    else:
        from .store import open_store

        sources = sources_from_store(
            open_store(), doc_ids=doc or (), all_docs=all_docs, query=query
        )
    if extractive:
        result = summarize_extractive(sources, bullets=bullets)
    else:
        with ChatAdapter(show_prompts=show_prompts) as adapter:
            result = summarize(
                sources,
                adapter,
                bullets=bullets,
                length=length,  # type: ignore[arg-type]
                focus=focus,
                policy=on_unverified,  # type: ignore[arg-type]
                context_chars=context_chars,
            )
    text: str | None = None
    if fmt == "json":
        text = result.model_dump_json(indent=2) + "\n"
    elif fmt == "markdown":
        from .render.summary import render_markdown

        text = render_markdown(result)
    elif fmt == "html":
        from .render.html import render_html

        text = render_html(result, {s.doc.id: s.doc for s in sources})
    if output:
        try:
            Path(output).write_text(text or "", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from None
        typer.echo(f"wrote {output}", err=True)
    elif text is not None:
        sys.stdout.write(text)
    else:
        from .render.summary import render_terminal

        # the adapter already said it on stderr: once is enough on a terminal
        render_terminal(result.model_copy(update={"notice": None}), console_for())
    cited = {c.doc_id for b in result.bullets for c in b.citations}
    left_out = [d for d in result.documents if d.id not in cited]
    if left_out and len(result.documents) > 1:
        names = ", ".join(d.title or d.source or d.id for d in left_out[:5])
        more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
        typer.echo(
            f"note: {len(left_out)} of {len(result.documents)} documents are in no bullet: "
            f"{names}{more} (raise -n, or summarize them with --doc ID)",
            err=True,
        )
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if not result.model_written and result.bullets and not result.stats.extractive_only:
        from .errors import NO_MODEL_TEXT_EXIT

        why = "no reply was usable" if result.stats.lead_fallback else "every bullet failed"
        typer.echo(
            f"error: the model wrote none of this summary ({why}): every bullet quotes the "
            f"source; not verified (see: verisum logs)",
            err=True,
        )
        raise typer.Exit(NO_MODEL_TEXT_EXIT)
    if result.stats.flagged or (strict and result.stats.unverified_before_repair):
        raise typer.Exit(1)


def _check_writable(path: Any) -> None:
    import os

    from .errors import InputError

    target = path if path.exists() else path.parent.resolve()
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not target.exists():
        raise InputError(f"{path}: cannot write (no folder {target})")
    if not os.access(target, os.W_OK):
        raise InputError(f"{path}: cannot write (permission denied)")


# ---------------------------------------------------------------- ask
@app.command("ask", short_help="Answer a question from the ingested documents.")
def ask_cmd(
    question: Annotated[
        str | None, typer.Argument(help="The question (none: an interactive session).")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Chunks to retrieve.")] = 5,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document id (repeatable).")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="Only documents whose KEY=VALUE (or KEY~=TEXT) matches."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, markdown or json.")
    ] = "terminal",
    as_json: JsonOpt = False,
    on_unverified: Annotated[
        str,
        typer.Option("--on-unverified", help="fallback (source sentences), flag or drop."),
    ] = "fallback",
    min_score: Annotated[
        float, typer.Option("--min-score", help="Abstain when no chunk scores this high.")
    ] = 0.3,
    show_context: Annotated[
        bool, typer.Option("--show-context", help="Print the retrieved chunks.")
    ] = False,
    show_prompts: Annotated[
        bool, typer.Option("--show-prompts", help="Print every prompt and reply live.")
    ] = False,
) -> None:
    """Answer a question from the ingested documents: cited, every figure verified, or
    "the documents do not say". Without a question: an interactive session.

    Exit 1 when a flagged (unverified) statement is shown; 3 on model errors.
    """
    from .answer import Answer, answer, session
    from .errors import InputError
    from .llm import ChatAdapter
    from .render.answer import render_context, render_markdown, render_sources, render_terminal
    from .store import open_store

    fmt = "json" if as_json else fmt
    if fmt not in ("terminal", "markdown", "json"):
        raise InputError(f"--format must be terminal, markdown or json, not {fmt!r}")
    if on_unverified not in ("fallback", "flag", "drop"):
        raise InputError(f"--on-unverified must be fallback, flag or drop, not {on_unverified!r}")
    store = open_store()
    out = console_for()
    with ChatAdapter(show_prompts=show_prompts) as adapter:

        def ask(q: str) -> Answer:
            return answer(
                store,
                q,
                adapter,
                k=k,
                doc_ids=doc or (),
                where=where or (),
                policy=on_unverified,  # type: ignore[arg-type]
                min_score=min_score,
            )

        def show(result: Answer) -> None:
            if fmt == "json":
                sys.stdout.write(result.model_dump_json(indent=2) + "\n")
                return
            if fmt == "markdown":
                sys.stdout.write(render_markdown(result, show_context=show_context))
                return
            if show_context:
                render_context(result.retrieved, out)
            # the adapter already said it on stderr: once is enough on a terminal
            render_terminal(result.model_copy(update={"notice": None}), out)

        if question is not None:
            result = ask(question)
            show(result)
            if _model_gave_nothing(result):
                from .errors import NO_MODEL_TEXT_EXIT

                why = (
                    "the differing figures shown are quoted from the documents, so the answer is "
                    "not known"
                    if result.status == "conflicting"
                    else "so whether the documents say it is not known"
                )
                typer.echo(
                    f"error: {result.endpoint} gave no usable answer; {why} (see: verisum logs)",
                    err=True,
                )
                raise typer.Exit(NO_MODEL_TEXT_EXIT)
            if any(b.flagged for b in result.statements()):
                raise typer.Exit(1)
            return
        history_file = None
        if sys.stdin.isatty():
            try:
                import readline

                from .settings import get_settings

                history_file = get_settings().home / "ask_history"
                if history_file.is_file():
                    readline.read_history_file(str(history_file))
            except (ImportError, OSError):
                history_file = None

        def read(prompt: str) -> str:
            if sys.stdin.isatty():
                return input(prompt)
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            return line

        session(
            ask,
            show,
            lambda a: render_sources(a, out),
            read,
            lambda s: out.print(s, markup=False, highlight=False),
        )
        if history_file is not None:
            import contextlib

            with contextlib.suppress(OSError):
                readline.set_history_length(1000)
                readline.write_history_file(str(history_file))


def _model_gave_nothing(result: Any) -> bool:
    """An abstention only because no model reply was usable (not because retrieval found
    nothing relevant, nor because the model said the documents do not answer)."""
    retrieval = {"low_retrieval", "missing_term"}
    return (
        result.status in ("not_in_documents", "conflicting")
        and result.model_answerable is None
        and not retrieval & set(result.abstain_reasons)
    )


# ---------------------------------------------------------------- eval
@app.command("eval", short_help="Run the eval suites on recorded responses.")
def eval_cmd(
    suite: Annotated[
        list[str] | None, typer.Option("--suite", "-s", help="Only this suite (repeatable).")
    ] = None,
    case: Annotated[
        list[str] | None, typer.Option("--case", "-c", help="Only this case id (repeatable).")
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Re-record against the configured endpoint first.")
    ] = False,
    as_json: JsonOpt = False,
    html: Annotated[
        str | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="A saved --json report: exit 1 on a regression."),
    ] = None,
    save: Annotated[
        str | None, typer.Option("--save", help="Also write the JSON report to this file.")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    extractive: Annotated[
        bool, typer.Option("--extractive", help="Score summarize --extractive (no model).")
    ] = False,
) -> None:
    """Run the eval suites offline from recordings (evals/) and report the numbers.

    Exit 1 when a recording is stale, an invariant breaks or a metric regresses past its
    threshold against --baseline.
    """
    from pathlib import Path

    from .eval_report import eval_command

    rc = eval_command(
        suites=suite or (),
        cases=case or (),
        record=record,
        as_json=as_json,
        html=Path(html) if html else None,
        baseline=Path(baseline) if baseline else None,
        save=Path(save) if save else None,
        progress=not no_progress and not as_json,
        extractive=extractive,
    )
    if rc:
        raise typer.Exit(rc)


def main() -> None:
    """Entry point: run the app, map ``VerisumError`` to one line and an exit code."""
    try:
        rc = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except VerisumError as exc:
        if _state["debug"]:
            import traceback

            traceback.print_exc()
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)  # the same code with or without --debug
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors (Typer's click) and anything unexpected
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            import traceback

            traceback.print_exc()
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
