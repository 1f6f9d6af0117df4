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
from .options import AnswerFormat, Length, OnUnverified, SummaryFormat

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
    figures_only: Annotated[
        bool,
        typer.Option(
            "--figures-only", help="Check figures only, not names and negations (VERISUM_CHECKS)."
        ),
    ] = False,
) -> None:
    """Summaries whose every figure is checked against the source."""
    _state["debug"] = debug
    from .errors import VerisumError
    from .settings import get_settings

    try:
        checks = get_settings().checks
    except VerisumError:  # a bad setting is reported by the command that needs it
        checks = "all"
    if figures_only or checks == "figures":
        from .verify import figures_only as only_figures

        only_figures()


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
    from .commands import endpoint_row
    from .settings import describe, get_settings

    rows = describe(get_settings())
    rows.append(endpoint_row())
    if as_json:
        print_json(rows)
        return
    from .render.tables import render_config

    render_config(rows, table_console())


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

    from .render.tables import ingest_progress

    interactive = sys.stdout.isatty() and not as_json
    with ingest_progress(out, interactive, PROGRESS_EVERY) as (on_total, on_chunks):
        report = ingest(
            paths,
            include=include,
            exclude=exclude,
            on_total=on_total,
            on_chunks=on_chunks,
            on_result=None if as_json else show,
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
    from .render.tables import render_docs

    render_docs(docs, table_console())


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
    from .commands import remove_documents

    removed = remove_documents(doc_ids)
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
    from .render.tables import render_hits

    render_hits(hits, console_for())


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
    from .commands import check_summary

    report = check_summary(summary, source, doc)
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
    from .render.tables import render_calls

    render_calls(calls, table_console(), full=full)


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
    length: Annotated[Length, typer.Option("--length", help="Words per bullet.")] = Length.medium,
    focus: Annotated[str | None, typer.Option("--focus", help="What to focus on.")] = None,
    fmt: Annotated[
        SummaryFormat, typer.Option("--format", "-f", help="The output format.")
    ] = SummaryFormat.terminal,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    on_unverified: Annotated[
        OnUnverified,
        typer.Option("--on-unverified", help="fallback (source sentences), flag or drop."),
    ] = OnUnverified.fallback,
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
    select: Annotated[
        bool,
        typer.Option("--select", help="Show the model a long document's central sentences."),
    ] = False,
) -> None:
    """Summarize documents into cited bullets; every figure is verified before output.

    Exit 1 when flagged (unverified) bullets are shown or --strict trips; 3 on model errors.
    """
    from pathlib import Path

    from . import commands
    from .llm import ChatAdapter
    from .summarize import summarize, summarize_extractive

    form = commands.output_format("json" if as_json else fmt.value, output)
    commands.check_source_choice(file, doc or [], all_docs, query)
    if output:
        commands.check_writable(Path(output))  # before any model work
    sources = commands.summary_sources(file, doc or [], all_docs, query)
    if extractive:
        result = summarize_extractive(sources, bullets=bullets)
    else:
        with ChatAdapter(show_prompts=show_prompts) as adapter:
            result = summarize(
                sources,
                adapter,
                bullets=bullets,
                length=length.value,
                focus=focus,
                policy=on_unverified.value,
                context_chars=context_chars,
                select=select or None,
            )
    text = commands.summary_text(result, form, {s.doc.id: s.doc for s in sources})
    if output:
        commands.write_output(output, text or "")
        typer.echo(f"wrote {output}", err=True)
    elif text is not None:
        sys.stdout.write(text)
    else:
        from .render.summary import render_terminal

        # the adapter already said it on stderr: once is enough on a terminal
        render_terminal(result.model_copy(update={"notice": None}), console_for())
    for line in commands.summary_notes(result):
        typer.echo(line, err=True)
    rc, message = commands.summary_exit(result, strict)
    if message:
        typer.echo(message, err=True)
    if rc:
        raise typer.Exit(rc)


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
        AnswerFormat, typer.Option("--format", "-f", help="The output format.")
    ] = AnswerFormat.terminal,
    as_json: JsonOpt = False,
    on_unverified: Annotated[
        OnUnverified,
        typer.Option("--on-unverified", help="fallback (source sentences), flag or drop."),
    ] = OnUnverified.fallback,
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
    from .answer import answer, session
    from .commands import answer_exit
    from .llm import ChatAdapter
    from .models import Answer
    from .render.answer import render_context, render_markdown, render_sources, render_terminal
    from .store import open_store

    form = "json" if as_json else fmt.value
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
                policy=on_unverified.value,
                min_score=min_score,
            )

        def show(result: Answer) -> None:
            if form == "json":
                sys.stdout.write(result.model_dump_json(indent=2) + "\n")
                return
            if form == "markdown":
                sys.stdout.write(render_markdown(result, show_context=show_context))
                return
            if show_context:
                render_context(result.retrieved, out)
            # the adapter already said it on stderr: once is enough on a terminal
            render_terminal(result.model_copy(update={"notice": None}), out)

        if question is not None:
            result = ask(question)
            show(result)
            rc, message = answer_exit(result)
            if message:
                typer.echo(message, err=True)
            if rc:
                raise typer.Exit(rc)
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


INTERRUPTED = 130  # the exit code of Ctrl-C (128 + SIGINT); no command exits with it itself


def main() -> None:
    """Entry point: run the app, map ``VerisumError`` to one line and an exit code."""
    try:
        rc = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        if rc == INTERRUPTED:  # Typer turns Ctrl-C inside a command into a silent Exit(130)
            typer.echo("interrupted", err=True)
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
        sys.exit(INTERRUPTED)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(INTERRUPTED)
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
