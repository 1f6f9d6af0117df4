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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from .citations import MAX_CITED, DraftBullet, citation_checker, citation_problems
from .context import Context, Source
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
    Sentence,
    SentenceCitation,
    Statement,
    SummaryStats,
)
from .statements import LENGTH_WORDS, Run, reply_tokens, seal, settle
from .text import content_words

if TYPE_CHECKING:
    from .figures import Figure
    from .llm import ChatAdapter
    from .store import Store


MIN_SCORE = 0.3  # cosine; all-MiniLM-L6-v2: off-topic questions score < 0.25 on the seed
FETCH_FACTOR = 4  # MMR candidates per wanted chunk
MIN_FETCH = 20
MMR_LAMBDA = 0.6  # 1 = relevance only, 0 = diversity only
MAX_POINTS = 3
MAX_ANSWER = 300
MAX_EVIDENCE = 3  # closest-evidence sentences shown with an abstention
CONFLICT_OVERLAP = 0.5  # share of context words two figures must have in common
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


# ====================================================================== retrieval


def doc_filter(
    store: Store, doc_ids: Sequence[str] = (), where: Sequence[str] = ()
) -> list[str] | None:
    """Document ids allowed by ``--doc`` and ``--where key=value`` (``None``: no filter).

    ``where`` matches a document's title, source, media_type or a key of its metadata; the
    value is compared as text, and ``key~=value`` matches a substring (case-insensitive)."""
    ids = [store.resolve_id(d) for d in doc_ids] if doc_ids else None
    if not where:
        return ids
    rules = []
    for w in where:
        m = re.match(r"^\s*([\w.-]+)\s*(~?=)\s*(.*)$", w)
        if not m:
            raise InputError(f"--where takes KEY=VALUE or KEY~=TEXT, not {w!r}")
        rules.append((m.group(1), m.group(2), m.group(3).strip()))
    out = []
    for info in store.list_documents():
        fields = {
            "id": info.id,
            "title": info.title,
            "source": info.source,
            "media_type": info.media_type,
            **{k: v for k, v in info.metadata.items()},
        }
        ok = True
        for key, op, value in rules:
            got = fields.get(key)
            text = "" if got is None else str(got)
            ok = ok and (value.casefold() in text.casefold() if op == "~=" else text == value)
        if ok and (ids is None or info.id in ids):
            out.append(info.id)
    if not out:
        raise InputError("no ingested document matches the --doc/--where filter")
    return out


def mmr(query: Any, vectors: Any, k: int, lam: float = MMR_LAMBDA) -> list[int]:
    """Indices of ``k`` rows of ``vectors`` by maximal marginal relevance to ``query``."""
    import numpy as np

    vecs = np.asarray(vectors, dtype=np.float32)
    if len(vecs) == 0:
        return []
    q = np.asarray(query, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs = vecs / np.maximum(norms, 1e-12)
    rel = vecs @ (q / max(float(np.linalg.norm(q)), 1e-12))
    sim = vecs @ vecs.T
    chosen: list[int] = []
    left = list(range(len(vecs)))
    while left and len(chosen) < k:
        if chosen:
            penalty = sim[np.ix_(left, chosen)].max(axis=1)
            scores = lam * rel[left] - (1 - lam) * penalty
        else:
            scores = rel[left]
        best = left[int(np.argmax(scores))]
        chosen.append(best)
        left.remove(best)
    return chosen


def retrieve(
    store: Store,
    question: str,
    *,
    k: int = 5,
    doc_ids: Sequence[str] | None = None,
    fetch_k: int | None = None,
    lam: float = MMR_LAMBDA,
) -> list[RetrievedChunk]:
    """The ``k`` chunks for ``question``: nearest ``fetch_k`` by vector, then MMR."""
    if store.recorded_model() is None:
        return []  # nothing ingested yet
    store.check_model(claim=False)
    vector = store.embedder.embed_query(question)
    fetch = fetch_k or max(MIN_FETCH, FETCH_FACTOR * k)
    found = store.nearest(vector, fetch, doc_ids, with_vectors=True)
    order = mmr(vector, [v for _, _, v in found], k, lam)
    infos = {d.id: d for d in store.list_documents()}
    out = []
    for i in order:
        chunk, score, _ = found[i]
        info = infos.get(chunk.doc_id)
        out.append(
            RetrievedChunk(
                doc_id=chunk.doc_id,
                chunk_index=chunk.index,
                start=chunk.start,
                end=chunk.end,
                score=score,
                title=info.title if info else "",
                source=info.source if info else "",
                text=chunk.text,
                sentences=chunk.sentences,
            )
        )
    return out


def context_sources(store: Store, chunks: Sequence[RetrievedChunk]) -> list[Source]:
    """One ``Source`` per document, best-ranked first, holding its retrieved sentences."""
    by_doc: dict[str, dict[int, Sentence]] = {}
    for c in chunks:
        sents = by_doc.setdefault(c.doc_id, {})
        for s in c.sentences:
            sents.setdefault(s.index, s)
    out = []
    for doc_id, sents in by_doc.items():
        doc = store.get_document(doc_id)
        out.append(Source(doc, [sents[i] for i in sorted(sents)]))
    return out


# ====================================================================== deterministic checks
_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|long|old|far|big|large|often)\b|\bwhen\b|\bwhat\s+(?:year|date|day|"
    r"percentage|share|proportion|number|amount|figure|price|cost|age)\b|\bwhich\s+(?:year|date)\b",
    re.I,
)
_AUX = "are|is|were|was|have|has|had|did|do|does|will|would|could|can|may|might|in|at|on|of|for"
_HOW_MANY = re.compile(rf"\bhow\s+many\s+([\w\s'-]+?)(?=\s+(?:{_AUX})\b|[?.!,]|$)", re.I)
_SYNONYMS = [
    {"soldier", "troop", "servicemen", "personnel", "militari", "fighter"},
    {"peopl", "person", "individu", "resid", "citizen"},
    {"death", "dead", "kill", "fatal", "die"},
    {"injuri", "injur", "wound", "casualti"},
]


def is_quantity_question(question: str) -> bool:
    """Does the question ask for a figure (how many, when, what percentage ...)?"""
    return bool(_QUANTITY.search(question))


def counted_noun(question: str) -> str | None:
    """The stem of X in "how many X ..." (its last content word), if any. ("How much money"
    is left out: amounts rarely name their noun.)"""

    m = _HOW_MANY.search(question)
    if not m:
        return None
    words = content_words(m.group(1))
    return words[-1][0] if words else None


def key_terms(question: str) -> list[str]:
    """Stems the retrieved text must contain for the question to be answerable: the counted
    noun of "how many X", names (capitalized words after the first word), and words for
    people, deaths and injuries ("killed" is not answered by a sentence about captures)."""

    terms = [n] if (n := counted_noun(question)) else []
    for w, s, _ in content_words(question):
        named = s > 0 and question[s].isupper()
        if (named or any(w in g for g in _SYNONYMS[1:])) and w not in terms:
            terms.append(w)
    return terms


def _same_noun(a: str, b: str) -> bool:
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    return any(a in g and b in g for g in _SYNONYMS)


def _mentions(text: str, noun: str) -> bool:

    return any(_same_noun(w, noun) for w, _, _ in content_words(text))


def _values_differ(a: Figure, b: Figure) -> bool:
    """Different values: both exact and not within 1% of each other (hedged: outside 5%)."""
    if a.value is None or b.value is None:
        return False
    tol = 0.05 if (a.approx or b.approx) else 0.01
    return abs(a.value - b.value) > tol * max(abs(a.value), abs(b.value))


def _comparable(a: Figure, b: Figure) -> bool:
    return (
        a.kind == b.kind
        and a.kind in ("count", "money", "percent", "measure")
        and a.unit == b.unit
        and a.currency == b.currency
        and a.per == b.per
        and not a.is_range
        and not b.is_range
    )


def find_conflicts(ctx: Context, question: str) -> list[FigureConflict]:
    """Figures in the retrieved sentences of different documents that disagree.

    Two figures conflict when they are comparable (kind, unit, currency, period), count the
    same noun (or a synonym), share at least ``CONFLICT_OVERLAP`` of their context words, differ
    in value, and neither document also states the other's value for that noun. Only figures
    relevant to the question count: the noun, or two of its context words, is in the question.
    """
    from .figures import extract_figures

    if not ctx.multi:
        return []
    qwords = {w for w, _, _ in content_words(question)}
    found: list[tuple[Figure, Any]] = []  # (figure, unit)
    for u in ctx.units:
        for f in extract_figures(u.text):
            if f.noun is None or f.value is None:
                continue
            ctxw = set(f.context)
            relevant = any(_same_noun(f.noun, q) for q in qwords) or len(ctxw & qwords) >= 2
            if relevant:
                found.append((f, u))
    per_doc: dict[str, list[tuple[Figure, Any]]] = {}
    for f, u in found:
        per_doc.setdefault(u.doc.id, []).append((f, u))
    out: list[FigureConflict] = []
    ids = list(per_doc)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            for fa, ua in per_doc[a]:
                for fb, ub in per_doc[b]:
                    if not (_related(fa, fb) and _values_differ(fa, fb)):
                        continue
                    # b also states a's value in wording as close (or a b's): no disagreement
                    near = _overlap_score(fa, fb)
                    if _agrees(fa, per_doc[b], near) or _agrees(fb, per_doc[a], near):
                        continue
                    _add(out, ctx, fa, ua, fb, ub)
    return out


WITHIN_QUESTION_WORDS = 3  # question words (the counted noun among them) near each figure


def find_conflicts_within(ctx: Context, question: str) -> list[FigureConflict]:
    """Different values one document states for what a "how many X" question counts.

    A figure counts when it is a count of X (or a synonym) and at least
    ``WITHIN_QUESTION_WORDS`` of the question's words are among its context words. Two or
    more distinct values in one document make a conflict, each value cited once (by the
    sentence sharing the most words with the question, the first on a tie)."""
    from .figures import extract_figures

    noun = counted_noun(question)
    if noun is None:
        return []
    qwords = {w for w, _, _ in content_words(question)}
    out: list[FigureConflict] = []
    for src in ctx.sources:
        best: dict[float, tuple[int, Figure, Any]] = {}  # value -> (overlap, figure, unit)
        kind = None
        for u in ctx.units:
            if u.doc.id != src.doc.id:
                continue
            for f in extract_figures(u.text):
                if f.value is None or f.noun is None or f.kind != "count" or f.is_range:
                    continue
                if not _same_noun(f.noun, noun):
                    continue
                shared = {q for q in qwords if any(_same_noun(q, w) for w in f.context)}
                if len(shared) < WITHIN_QUESTION_WORDS:
                    continue
                kind = f.kind
                have = best.get(f.value)
                if have is None or len(shared) > have[0]:
                    best[f.value] = (len(shared), f, u)
        values = sorted(best.values(), key=lambda t: (t[2].sid, t[1].start))
        distinct: list[tuple[int, Figure, Any]] = []
        for v in values:
            if all(_values_differ(v[1], w[1]) for w in distinct):
                distinct.append(v)
        if len(distinct) < 2 or kind is None:
            continue
        out.append(
            FigureConflict(
                noun=noun,
                kind=kind,
                within=True,
                values=[
                    ConflictValue(text=f.text, value=f.value, citation=ctx.citations([u.sid])[0])
                    for _, f, u in distinct
                ],
            )
        )
    return out


def _agrees(f: Figure, others: list[tuple[Figure, Any]], near: float) -> bool:
    """Does another document state ``f``'s value about the same thing, as closely worded?"""
    return any(
        _related(f, x) and not _values_differ(f, x) and _overlap_score(f, x) >= near
        for x, _ in others
    )


def _related(a: Figure, b: Figure) -> bool:
    return (
        _comparable(a, b)
        and a.noun is not None
        and b.noun is not None
        and _same_noun(a.noun, b.noun)
        and _overlap(a, b)
    )


def _add(out: list[FigureConflict], ctx: Context, fa: Figure, ua: Any, fb: Figure, ub: Any) -> None:
    """Put the pair into the conflict about the same noun (or a new one)."""
    group = next(
        (c for c in out if c.kind == fa.kind and fa.noun and _same_noun(c.noun, fa.noun)), None
    )
    if group is None:
        group = FigureConflict(noun=fa.noun or "", kind=fa.kind, values=[])
        out.append(group)
    for f, u in ((fa, ua), (fb, ub)):
        cite = ctx.citations([u.sid])[0]
        if not any(v.citation == cite and v.text == f.text for v in group.values):
            group.values.append(ConflictValue(text=f.text, value=f.value, citation=cite))


def _overlap_score(a: Figure, b: Figure) -> float:
    """Shared context words over the smaller context (0 when either is empty)."""
    ca, cb = set(a.context), set(b.context)
    if not ca or not cb:
        return 0.0
    return len(ca & cb) / min(len(ca), len(cb))


def _overlap(a: Figure, b: Figure) -> bool:
    return _overlap_score(a, b) >= CONFLICT_OVERLAP


def closest_evidence(
    ctx: Context,
    question: str,
    embedder: Any,
    first: Sequence[SentenceCitation] = (),
    n: int = MAX_EVIDENCE,
) -> list[SentenceCitation]:
    """``first`` (e.g. what the model cited), then the retrieved sentences nearest to the
    question by embedding, up to ``n``."""
    import numpy as np

    out = _dedupe(first)[:n]
    keys = {(c.doc_id, c.start) for c in out}
    if len(out) >= n or not ctx.units:
        return out
    vecs = embedder.embed([question] + [u.text for u in ctx.units])
    sims = np.asarray(vecs[1:]) @ np.asarray(vecs[0])
    for i in np.argsort(-sims, kind="stable"):
        if len(out) >= n:
            break
        c = ctx.citations([ctx.units[int(i)].sid])[0]
        if (c.doc_id, c.start) not in keys:
            keys.add((c.doc_id, c.start))
            out.append(c)
    return out


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
    with_figures = [b for b in written if b.check and b.check.verdicts]
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


def _dedupe(cites: Sequence[SentenceCitation]) -> list[SentenceCitation]:
    seen: set[tuple[str, int]] = set()
    out = []
    for c in cites:
        if (c.doc_id, c.start) not in seen:
            seen.add((c.doc_id, c.start))
            out.append(c)
    return out


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
