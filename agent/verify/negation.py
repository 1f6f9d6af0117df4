"""Negation: a claim's clause must agree in polarity with the source clause it restates.

A clause is a verb with its arguments (subject, objects, complements: the content stems of
its subtree). A claim clause is aligned to a source clause when both have the same verb
lemma and share at least ``MIN_SHARED`` argument stems, and at least ``MIN_SHARE`` of the
claim's. Polarity: "not", "n't", "never" on the verb, "no" on an argument ("found no
evidence"), or a negating verb above it ("failed to", "refused to", "denied"). Only an
aligned pair of opposite polarity, with no aligned clause of the same polarity, is
``contradicted``; a weak alignment says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..figures import Figure, stem
from .frames import parse
from .index import SourceIndex
from .report import FigureVerdict, Span
from .rules import on

MIN_SHARED = 2
MIN_SHARE = 0.6
SENTENCE_SHARE = 0.8  # a negated claim clause whose words a source sentence holds this much
SENTENCE_MIN = 3  # (of at least this many words) restates that sentence
_NEGATORS = frozenset(["not", "n't", "never", "no", "nor", "neither", "without", "none",
                       "nothing", "nobody", "nowhere", "lack", "unable", "fail", "refuse",
                       "deny", "decline", "failure", "refusal", "absence", "cease", "stop",
                       "cannot", "hardly", "barely", "reject", "avoid", "prevent"])  # fmt: skip
_NEG_VERBS = frozenset(["fail", "refuse", "deny", "decline", "cease", "stop", "failure", "refusal"])
# "managed to win" asserts "win" with the head's polarity; any other head ("tried to land",
# "wants to buy") leaves it unasserted
_CARRY = frozenset(["manage", "continue", "begin", "start", "keep", "go", "use", "have"])
_HYPOTHETICAL = frozenset(["if", "whether", "unless", "lest"])
_ARGS = frozenset(["nsubj", "nsubjpass", "dobj", "attr", "acomp", "prep", "pobj", "xcomp",
                   "ccomp", "dative", "oprd", "agent", "advmod", "npadvmod"])  # fmt: skip
_LIGHT = frozenset(["be", "have", "do", "say", "make", "get", "go", "take", "come"])


@dataclass(frozen=True)
class Clause:
    verb: str  # lemma
    negated: bool
    args: frozenset[str]
    start: int  # the verb's character span in its text
    end: int
    cue: tuple[int, int] | None  # the negation word's span


def _own(v: Any) -> Any | None:
    """The token that negates verb ``v`` itself ("not", "never", "found no evidence")."""
    for c in v.children:
        if c.dep_ == "neg" or c.lower_ in ("never", "not", "n't"):
            nxt = c.nbor(1) if c.i + 1 < len(c.doc) else None
            if nxt is not None and nxt.lower_ in ("only", "just", "merely"):
                continue  # "not only raise questions but..."
            return c
        if c.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and any(
            d.dep_ == "det" and d.lower_ in ("no", "neither") for d in c.children
        ):
            return next(d for d in c.children if d.dep_ == "det")
    return None


_UNASSERTED = object()


def _negation(v: Any) -> Any | None:
    """What negates the clause of verb ``v`` (its own "not", or a negating head: "failed to
    report", "won't work to dismantle"), None when it is affirmed, ``_UNASSERTED`` when it
    asserts nothing (a question, "if"/"whether", "tried to land", a gerund subject)."""
    if v.sent.text.rstrip().endswith("?"):
        return _UNASSERTED
    if any(c.dep_ == "mark" and c.lower_ in _HYPOTHETICAL for c in v.children):
        return _UNASSERTED
    if v.tag_ == "VBG" and v.dep_ in ("csubj", "nsubj", "pcomp", "pobj"):
        return _UNASSERTED
    own = _own(v)
    if own is not None:
        return own
    h = v.head
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in v.children)
    if (v.dep_ in ("xcomp", "acl") or infinitive) and h is not v:
        if h.lemma_.lower() in _NEG_VERBS:
            return h
        if _own(h) is not None:  # "won't work to dismantle"
            return _own(h)
        if v.dep_ == "xcomp" and h.lemma_.lower() in _CARRY:
            return _negation(h)
        return _UNASSERTED
    return None


def _args(v: Any) -> frozenset[str]:
    out = set()
    for c in v.children:
        if c.dep_ not in _ARGS:
            continue
        for t in c.subtree:
            if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB", "NUM") and not t.is_stop:
                out.add(stem(t.lemma_.lower()))
    return frozenset(out)


def clauses(doc: Any) -> list[Clause]:
    out = []
    for v in doc:
        if v.pos_ not in ("VERB", "AUX") or (v.lemma_.lower() in _LIGHT and v.pos_ == "AUX"):
            continue
        if v.lemma_.lower() in _LIGHT and not any(c.dep_ == "neg" for c in v.children):
            continue
        neg = _negation(v)
        if neg is _UNASSERTED:
            continue
        cue = (neg.idx, neg.idx + len(neg.text)) if neg is not None else None
        lemma = v.lemma_.lower()
        out.append(Clause(lemma, neg is not None, _args(v), v.idx, v.idx + len(v.text), cue))
    return out


@lru_cache(maxsize=256)
def _source_clauses(text: str) -> dict[str, list[tuple[Clause, int]]]:
    """The source's clauses by verb lemma, with the character offset of each."""
    by: dict[str, list[tuple[Clause, int]]] = {}
    for c in clauses(parse(text)):
        by.setdefault(c.verb, []).append((c, c.start))
    return by


_TRIED = frozenset(["try", "attempt", "seek", "hope", "aim", "plan", "want", "wish"])


def _blocks(t: Any) -> bool:
    """A word that keeps a sentence from stating a plain affirmative: a negator, a negative
    prefix ("unclear", "unsuccessful"), or a verb of trying ("tried to land")."""
    low, lemma = t.lower_, t.lemma_.lower()
    if t.dep_ == "neg" or low in _NEGATORS or lemma in _NEGATORS or lemma in _TRIED:
        return True
    return t.pos_ in ("ADJ", "ADV") and low.startswith("un") and len(low) >= 6


@lru_cache(maxsize=256)
def _source_sentences(text: str) -> list[tuple[int, frozenset[str], bool]]:
    """Each source sentence's start, content stems, and whether any word in it negates."""
    out = []
    for sent in parse(text).sents:
        stems = frozenset(
            stem(t.lemma_.lower())
            for t in sent
            if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB", "NUM") and not t.is_stop
        )
        neg = sent.text.rstrip().endswith("?") or any(_blocks(t) for t in sent)
        out.append((sent.start_char, stems, neg))
    return out


def _restated(c: Clause, src: SourceIndex) -> int | None:
    """The source sentence a negated claim clause restates word for word, when that
    sentence negates nothing ("it does not provide support" / "it helps support all")."""
    words = c.args | {stem(c.verb)}
    if len(words) < SENTENCE_MIN:
        return None
    best, share = None, 0.0
    for start, stems, neg in _source_sentences(src.text):
        k = src.sentence_of(start)
        if k in src.instructions:
            continue
        sh = len(words & stems) / len(words)
        if sh > share:
            best, share, bneg = k, sh, neg
    if best is None or share < SENTENCE_SHARE or bneg:
        return None
    return best


def negation_verdicts(
    claim_text: str, src: SourceIndex, cited: set[int] | None
) -> list[FigureVerdict]:
    """A verdict for each claim clause aligned to a source clause of opposite polarity, and
    for each negated claim clause aligned to a negated one."""
    by = _source_clauses(src.text)
    out = []
    for c in clauses(parse(claim_text)):
        if len(c.args) < MIN_SHARED:
            continue
        same: list[tuple[Clause, int]] = []
        other: list[tuple[Clause, int]] = []
        for s, pos in by.get(c.verb, []):
            k = src.sentence_of(pos)
            if k in src.instructions:
                continue
            shared = len(c.args & s.args)
            if shared < MIN_SHARED or shared < MIN_SHARE * len(c.args):
                continue
            (same if s.negated == c.negated else other).append((s, k))
        if not same and not other:
            hit = _restated(c, src) if c.negated and on("negation_sentence") else None
            if hit is None:
                continue
            other = [(c, hit)]
        a, b = c.cue if c.cue else (c.start, c.end)
        fig = Figure(text=claim_text[a:b], start=a, end=b, kind="negation")
        if same:
            if not c.negated:
                continue
            s, k = same[0]
            verdict, reason = "supported", "the source says it in the negative too"
        else:
            s, k = other[0]
            verdict = "contradicted"
            reason = (
                f"the source says {'it' if c.negated else 'not'}: the claim "
                f"{'negates' if c.negated else 'asserts'} {c.verb!r}"
            )
        sa, sb = src.sentences[k]
        out.append(
            FigureVerdict(
                kind="negation",
                figure=fig,
                verdict=verdict,
                evidence=[Span(start=sa, end=sb, text=src.text[sa:sb])],
                reason=reason,
                scope="cited" if cited and k in cited else "document",
                binds="polarity",
            )
        )
    return out
