"""The ask stage: a question in, a short cited answer out, every figure verified, or an honest
"the documents do not say".

1. Retrieve: the query's nearest chunks (``fetch_k``), re-ranked with maximal marginal relevance
   over the chunk vectors stored in Chroma (diversity), optionally filtered to some documents
   (``--doc``) or to documents whose metadata match (``--where key=value``).
2. Context: the retrieved chunks' sentences (exact spans from the chunk metadata), grouped by
   document, numbered ``[S1] ...`` the same way as the summarizer.
3. One model call (``prompts/answer.md``): answerable flag, a short answer and key points, each
   citing sentence ids; unknown ids or non-verbatim quotes are re-asked, then salvaged.
4. Verify every statement against its cited spans; the failing ones get one targeted repair call
   (``prompts/repair.md``); what still fails follows the policy (fallback | flag | drop).
5. Decide deterministically, not only on the model's word:
   - abstain when the best chunk scores below ``min_score``, when the model says so, when a
     "how many X" question's X or a name in the question occurs in no retrieved sentence, or
     when no statement the model wrote survived verification (quantity questions: none with
     a supported figure);
   - report conflicts: figures in retrieved sentences of different documents about the same
     noun, in similar wording, with different values (the verifier's figure parser).

Retrieval is ``agent.retrieval``, the deterministic checks ``agent.questions``; steps 3 and 4
are the statement pipeline (``agent.statements``) both ``summarize`` and ``answer`` use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from .citations import MAX_CITED, DraftBullet, citation_checker, citation_problems
from .context import Context
from .errors import InputError
from .models import (
    AbstainReason,
    Answer,
    ConflictValue,
    DocRef,
    Document,
    FigureConflict,
    Policy,
    RetrievedChunk,
    Statement,
    SummaryStats,
)
from .questions import (
    _mentions,
    _same_noun,
    closest_evidence,
    counted_noun,
    find_conflicts,
    find_conflicts_within,
    is_quantity_question,
    key_terms,
)
from .retrieval import context_sources, doc_filter, mmr, retrieve
from .statements import LENGTH_WORDS, Run, reply_tokens, seal, settle
from .text import content_words

if TYPE_CHECKING:
    from .llm import ChatAdapter
    from .store import Store


MIN_SCORE = 0.3  # cosine; all-MiniLM-L6-v2: off-topic questions score < 0.25 on the seed
MAX_POINTS = 3
MAX_ANSWER = 300
NOT_SAID = "The documents do not say"
ANSWER_WORDS = 30  # an answer or key point: one short sentence (MAX_ANSWER characters)


# ---------------------------------------------------------------- what the model returns
class DraftAnswer(BaseModel):
    """The reply: can the sentences answer? a short answer citing ids, and key points.

    Every field is required, so a grammar-constrained endpoint cannot leave out the ids."""

    answerable: bool
    answer: str = Field(max_length=MAX_ANSWER)
    sentence_ids: list[int] = Field(max_length=MAX_CITED)
    key_points: list[DraftBullet] = Field(max_length=MAX_POINTS)


# ====================================================================== the loop


def _draft_problems(reply: DraftAnswer, shown: dict[int, Any], ctx: Context) -> list[str]:
    items: list[DraftBullet] = list(reply.key_points)
    problems = []
    if reply.answerable:
        if not reply.sentence_ids:
            problems.append("the answer must cite the ids of the sentences it relies on")
        else:
            ans = DraftBullet(text=reply.answer or "-", sentence_ids=reply.sentence_ids)
            problems += citation_problems([ans], shown, ctx.multi, label="answer")
    problems += citation_problems(items, shown, ctx.multi, label="key point")
    return problems


def _conflict_text(conflicts: Sequence[FigureConflict], docs: dict[str, Document]) -> str:
    parts = []
    for c in conflicts:
        if c.within:
            doc = docs[c.values[0].citation.doc_id]
            vals = "; ".join(f"{v.text} (“{_snippet(v.citation.text)}”)" for v in c.values)
            parts.append(f"{doc.title or doc.source} states different figures: {vals}.")
            continue
        vals = "; ".join(
            f"{v.text} ({docs[v.citation.doc_id].title or docs[v.citation.doc_id].source})"
            for v in c.values
        )
        parts.append(f"Sources disagree on this figure: {vals}.")
    return " ".join(parts)


def answer(
    store: Store,
    question: str,
    adapter: ChatAdapter,
    *,
    k: int = 5,
    doc_ids: Sequence[str] = (),
    where: Sequence[str] = (),
    policy: Policy = "fallback",
    min_score: float = MIN_SCORE,
    max_points: int = MAX_POINTS,
) -> Answer:
    """Answer ``question`` from the store: cited, verified, or an honest abstention."""
    question = " ".join(question.split())
    if not question:
        raise InputError("empty question")
    if not 1 <= k <= 50:
        raise InputError(f"-k must be between 1 and 50, not {k}")
    if not 1 <= max_points <= MAX_POINTS:
        raise InputError(f"key points must be between 1 and {MAX_POINTS}")
    allowed_docs = doc_filter(store, doc_ids, where)
    chunks = retrieve(store, question, k=k, doc_ids=allowed_docs)
    if not chunks:
        raise InputError("nothing to search: ingest documents first (verisum ingest PATH)")
    sources = context_sources(store, chunks)
    ctx = Context(sources)
    run = Run(ctx, adapter, words=LENGTH_WORDS["short"], policy=policy)
    docs = [DocRef(id=s.doc.id, title=s.doc.title, source=s.doc.source) for s in sources]
    base: dict[str, Any] = {
        "question": question,
        "documents": docs,
        "retrieved": chunks,
        "policy": policy,
        "endpoint": adapter.endpoint.describe(),
    }
    conflicts = find_conflicts(ctx, question) + find_conflicts_within(ctx, question)
    reasons: list[AbstainReason] = []
    noun = counted_noun(question)
    if max(c.score for c in chunks) < min_score:
        reasons.append("low_retrieval")
    elif any(not any(_mentions(u.text, w) for u in ctx.units) for w in key_terms(question)):
        reasons.append("missing_term")
    if reasons:  # no model call: nothing relevant was retrieved
        return Answer(
            status="not_in_documents",
            text=f"{NOT_SAID} (nothing retrieved answers the question).",
            abstain_reasons=reasons,
            closest_evidence=closest_evidence(ctx, question, store.embedder),
            conflicts=conflicts,
            usage=run.usage,
            stats=run.stats,
            **base,
        )

    shown = {u.sid: u for u in ctx.units}  # the whole context, numbered S1..Sn
    reply = run.ask(
        "answer",
        DraftAnswer,
        citation_checker(lambda r: _draft_problems(r, shown, ctx)),
        max_tokens=reply_tokens(max_points + 1, ANSWER_WORDS),
        sentences=ctx.numbered(shown),
        question=question,
        max_points=max_points,
    )
    statements: list[Statement] = []
    if reply is not None:
        drafts: list[tuple[str, DraftBullet]] = []
        if reply.answerable and reply.answer.strip():
            if reply.sentence_ids:
                draft = DraftBullet(text=reply.answer.strip(), sentence_ids=reply.sentence_ids)
                drafts.append(("answer", draft))
            else:
                run.stats.dropped += 1  # an uncited answer is never shown
        for i, kp in enumerate(reply.key_points[:max_points], 1):
            drafts.append((f"k{i}", kp))
        for bid, d in drafts:
            cleaned = run.clean(d, shown)
            if cleaned is None:
                continue
            if not cleaned.text:
                run.stats.dropped += 1
                continue
            statements.append(cleaned.statement(bid, ctx))
    final = seal(run, settle(run, statements, min_repair_words=2))  # "B1" is no repair
    final = _tidy(final, run.stats)

    # ---------------------------------------------------------------- decide
    qwords = _words(question)
    written = [
        b
        for b in final
        if b.origin in ("model", "repaired")
        and b.verified
        # on the question: the statement, or the sentences it cites and restates, share a word
        # with it (a bare "11,000" answering "how many soldiers ...?" is on the question)
        and any(
            _same_noun(w, q)
            for text in (b.text, *(c.text for c in b.citations))
            for w in _words(text)
            for q in qwords
        )
    ]
    with_figures = [b for b in written if b.check and b.check.figures]
    if reply is not None and not reply.answerable:
        reasons.append("model")
    if not written:
        reasons.append("nothing_verified")
    elif is_quantity_question(question) and not with_figures:
        reasons.append("no_figure")
    by_id = {d.id: s.doc for d, s in zip(docs, sources, strict=True)}
    common = {
        "notice": adapter.endpoint.notice,
        "model_answerable": None if reply is None else reply.answerable,
        "conflicts": conflicts,
        "usage": run.usage,
        "stats": run.stats,
        **base,
    }
    if conflicts and (noun is None or _conflict_on(conflicts, noun)):
        ans = next((b for b in final if b.id == "answer"), None)
        points = [b for b in final if b.id != "answer"]
        return Answer(
            status="conflicting",
            text=_conflict_text(conflicts, by_id),
            answer=ans,
            key_points=points,
            **common,
        )
    if reasons:  # the quoted fallbacks become closest evidence; the rest stays (marked)
        cited = [c for b in final if b.origin == "extractive" for c in b.citations]
        kept = [b for b in final if b.origin != "extractive"]
        return Answer(
            status="not_in_documents",
            answer=next((b for b in kept if b.id == "answer"), None),
            key_points=[b for b in kept if b.id != "answer"],
            text=_abstain_text(reasons),
            abstain_reasons=reasons,
            closest_evidence=closest_evidence(ctx, question, store.embedder, cited),
            **common,
        )
    ans = next((b for b in final if b.id == "answer"), None)
    points = [b for b in final if b.id != "answer"]
    text = ans.text if ans else points[0].text
    return Answer(status="answered", text=text, answer=ans, key_points=points, **common)


def _snippet(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def _words(text: str) -> set[str]:
    return {w for w, _, _ in content_words(text)}


def _tidy(statements: list[Statement], stats: SummaryStats) -> list[Statement]:
    """Keep, of a verified statement's citations, those holding its figures' evidence (the
    weak model cites whole runs of sentences); drop key points repeating the answer."""
    out: list[Statement] = []
    seen: set[str] = set()
    for b in statements:
        if b.origin != "extractive" and b.verified and b.check and b.check.verdicts:
            spans = [(e.start, e.end) for v in b.check.verdicts for e in v.evidence]
            keep = [c for c in b.citations if any(s < c.end and c.start < e for s, e in spans)]
            if keep:
                b = b.model_copy(update={"citations": keep})
        key = " ".join(b.text.split()).casefold()
        if key in seen:
            stats.duplicates_removed += 1
            continue
        seen.add(key)
        out.append(b)
    return out


def _conflict_on(conflicts: Sequence[FigureConflict], noun: str | None) -> bool:
    """Is a conflict about what the question counts? (then it answers the question)"""
    return noun is not None and any(_same_noun(c.noun, noun) for c in conflicts)


def _abstain_text(reasons: Sequence[AbstainReason]) -> str:
    if "model" in reasons:
        why = "the model found no answer in the retrieved text"
    elif "no_figure" in reasons:
        why = "no figure answering the question could be verified in the retrieved text"
    else:
        why = "no answer the model wrote could be verified against the retrieved text"
    return f"{NOT_SAID} ({why}). Closest evidence below."


# ====================================================================== interactive session
SESSION_HELP = (
    "Ask a question about the ingested documents. Commands: /sources (sources of the last "
    "answer), /history (questions so far), /help, /quit."
)


def session(
    ask: Callable[[str], Answer],
    show: Callable[[Answer], None],
    show_sources: Callable[[Answer], None],
    read: Callable[[str], str],
    write: Callable[[str], None],
    *,
    prompt: str = "ask> ",
) -> list[tuple[str, Answer | None]]:
    """A read-answer loop until ``/quit`` or end of input; returns the history.

    An error in one question (a ``VerisumError``) is shown and the session goes on."""
    from .errors import VerisumError

    history: list[tuple[str, Answer | None]] = []
    last: Answer | None = None
    write(SESSION_HELP)
    while True:
        try:
            line = read(prompt)
        except EOFError:
            break
        q = line.strip()
        if not q:
            continue
        if q in ("/quit", "/exit", "/q"):
            break
        if q == "/help":
            write(SESSION_HELP)
        elif q == "/sources":
            if last is None:
                write("no answer yet")
            else:
                show_sources(last)
        elif q == "/history":
            if not history:
                write("no questions yet")
            for i, (hq, ha) in enumerate(history, 1):
                write(f"{i}. {hq} — {ha.status.replace('_', ' ') if ha else 'error'}")
        elif q.startswith("/"):
            write(f"unknown command {q}; {SESSION_HELP}")
        else:
            try:
                last = ask(q)
            except VerisumError as exc:
                write(f"error: {exc}")
                history.append((q, None))
                continue
            history.append((q, last))
            show(last)
    return history


__all__ = [
    "Answer",
    "ConflictValue",
    "DraftAnswer",
    "FigureConflict",
    "RetrievedChunk",
    "answer",
    "closest_evidence",
    "counted_noun",
    "doc_filter",
    "find_conflicts",
    "find_conflicts_within",
    "is_quantity_question",
    "key_terms",
    "mmr",
    "retrieve",
    "session",
]
