"""What the commands decide, without the command line: which sources to summarize, the output
format, the notes and exit codes after a summary or an answer, and checking a summary file.

``agent.cli`` parses options and prints; everything it decides is here, so it can be tested
without Typer. Heavy modules are imported inside the functions (the CLI imports this one
before any command runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import NO_MODEL_TEXT_EXIT, InputError

if TYPE_CHECKING:
    from .context import Source
    from .models import Answer, Document, Summary, VerificationReport

SUFFIX_FORMAT = {".json": "json", ".html": "html", ".htm": "html"}  # else markdown


# ---------------------------------------------------------------- config, docs
def endpoint_row() -> dict[str, Any]:
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


def remove_documents(doc_ids: list[str]) -> list[str]:
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
        return [store.delete_document(d) for d in dict.fromkeys(resolved)]


# ---------------------------------------------------------------- summarize
def check_source_choice(
    file: str | None, doc_ids: list[str], all_docs: bool, query: str | None
) -> None:
    if sum([file is not None, bool(doc_ids), all_docs, query is not None]) != 1:
        raise InputError("give exactly one of FILE, --doc ID, --all or --query TOPIC")


def summary_sources(
    file: str | None, doc_ids: list[str], all_docs: bool, query: str | None
) -> list[Source]:
    """The documents to summarize: one file (not stored), ingested ids, all, or a topic."""
    check_source_choice(file, doc_ids, all_docs, query)
    if file is not None:
        from .context import source_from_file

        return [source_from_file(file)]
    from .store import open_store
    from .summarize import sources_from_store

    return sources_from_store(open_store(), doc_ids=doc_ids, all_docs=all_docs, query=query)


def output_format(fmt: str, output: str | None) -> str:
    """``--format``, or for ``-o FILE`` without one the format its suffix names."""
    if output and fmt == "terminal":
        return SUFFIX_FORMAT.get(Path(output).suffix.lower(), "markdown")
    return fmt


def check_writable(path: Path) -> None:
    """Refuse an output path that cannot be written, before any model work."""
    import os

    target = path if path.exists() else path.parent.resolve()
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not target.exists():
        raise InputError(f"{path}: cannot write (no folder {target})")
    if not os.access(target, os.W_OK):
        raise InputError(f"{path}: cannot write (permission denied)")


def summary_text(result: Summary, fmt: str, documents: dict[str, Document]) -> str | None:
    """The summary as text in ``fmt`` (``None`` for the terminal, which rich draws)."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        from .render.summary import render_markdown

        return render_markdown(result)
    if fmt == "html":
        from .render.html import render_html

        return render_html(result, documents)
    return None


def write_output(output: str, text: str) -> None:
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from None


def summary_notes(result: Summary) -> list[str]:
    """Lines for stderr: documents no bullet cites (of several), and the run's warnings."""
    out = []
    cited = {c.doc_id for b in result.bullets for c in b.citations}
    left_out = [d for d in result.documents if d.id not in cited]
    if left_out and len(result.documents) > 1:
        names = ", ".join(d.title or d.source or d.id for d in left_out[:5])
        more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
        out.append(
            f"note: {len(left_out)} of {len(result.documents)} documents are in no bullet: "
            f"{names}{more} (raise -n, or summarize them with --doc ID)"
        )
    out += [f"warning: {w}" for w in result.warnings]
    return out


def summary_exit(result: Summary, strict: bool) -> tuple[int, str | None]:
    """The exit code of ``summarize`` and the error line that goes with it."""
    if not result.model_written and result.bullets and not result.stats.extractive_only:
        why = "no reply was usable" if result.stats.lead_fallback else "every bullet failed"
        return NO_MODEL_TEXT_EXIT, (
            f"error: the model wrote none of this summary ({why}): every bullet quotes the "
            f"source; not verified (see: verisum logs)"
        )
    if result.stats.flagged or (strict and result.stats.unverified_before_repair):
        return 1, None
    return 0, None


# ---------------------------------------------------------------- ask
def model_gave_nothing(result: Answer) -> bool:
    """An abstention only because no model reply was usable (not because retrieval found
    nothing relevant, nor because the model said the documents do not answer)."""
    retrieval = {"low_retrieval", "missing_term"}
    return (
        result.status in ("not_in_documents", "conflicting")
        and result.model_answerable is None
        and not retrieval & set(result.abstain_reasons)
    )


def answer_exit(result: Answer) -> tuple[int, str | None]:
    """The exit code of ``ask QUESTION`` and the error line that goes with it."""
    if model_gave_nothing(result):
        why = (
            "the differing figures shown are quoted from the documents, so the answer is not known"
            if result.status == "conflicting"
            else "so whether the documents say it is not known"
        )
        return NO_MODEL_TEXT_EXIT, (
            f"error: {result.endpoint} gave no usable answer; {why} (see: verisum logs)"
        )
    if any(b.flagged for b in result.statements()):
        return 1, None
    return 0, None


# ---------------------------------------------------------------- verify
def check_summary(summary: str, source: str | None, doc: str | None) -> VerificationReport:
    """Every figure of a summary file (``-``: stdin) checked against a source file or an
    ingested document."""
    import sys

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
    return verify_claims(
        document.text, claims, sentences, source_id=document.id, source_title=document.title
    )
