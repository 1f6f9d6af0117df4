"""The deterministic checks of ``ask``: what a question asks for (a quantity, the noun a "how
many" question counts, the terms the text must hold), figures that disagree between documents
or within one, and the closest evidence shown with an abstention."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .context import Context
from .models import (
    ConflictValue,
    FigureConflict,
    SentenceCitation,
)
from .text import content_words

if TYPE_CHECKING:
    from .figures import Figure


MAX_EVIDENCE = 3  # closest-evidence sentences shown with an abstention
CONFLICT_OVERLAP = 0.5  # share of context words two figures must have in common
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
    """A question's word and a figure's noun (stems): equal, a prefix, or synonyms ("troop").
    Not the verifier's ``same_noun`` on purpose: that compares parsed frames; this needs recall."""
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    return any(a in g and b in g for g in _SYNONYMS)


def _mentions(text: str, noun: str) -> bool:

    return any(_same_noun(w, noun) for w, _, _ in content_words(text))


def _values_differ(a: Figure, b: Figure) -> bool:
    """Different values: both exact and not within 1% of each other (hedged: outside 5%).
    Not the verifier's ``same`` on purpose: symmetric, two documents alike, no claim precision."""
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


def _dedupe(cites: Sequence[SentenceCitation]) -> list[SentenceCitation]:
    seen: set[tuple[str, int]] = set()
    out = []
    for c in cites:
        if (c.doc_id, c.start) not in seen:
            seen.add((c.doc_id, c.start))
            out.append(c)
    return out
