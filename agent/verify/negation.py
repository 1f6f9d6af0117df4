"""Negation: a claim's clause must agree in polarity with the source clause it restates.

A clause is a verb with its arguments (subject, objects, complements: the content stems of
its subtree). A claim clause is aligned to a source clause when both have the same verb
lemma and share at least ``MIN_SHARED`` argument stems, and at least ``MIN_SHARE`` of the
claim's. Polarity: "not", "n't", "never" on the verb, "no" on an argument ("found no
evidence"), or a negating verb above it ("failed to", "refused to", "denied"). Only an
aligned pair of opposite polarity, with no aligned clause of the same polarity, is
``contradicted``; a weak alignment says nothing.

A negation no clause aligns (``negation_scope``): its scope is the negated predicate with its
arguments, subject aside ("[the client] is not interested in home insurance"), or the negated
noun with the verb governing it ("offers life insurance but no quote tool"). When one source
sentence holds ``SCOPE_SHARE`` of the scope and a word of its core (the negated word, or a
copula's predicate), and no source sentence holding ``SCOPE_BLOCK`` of it and its core
negates anything or asks a question, the source states it only without the negation: flagged.
"not" before a degree adverb ("not very busy", "not necessarily") is a hedge, not a negation.
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
SCOPE_MIN = 3  # a negation's scope of this many words (subject aside)...
SCOPE_SHARE = 0.5  # ...this much in one source sentence, with a word of its core...
SCOPE_BLOCK = 0.3  # ...and no source sentence holding this much of it and its core negating
_NEGATORS = frozenset(["not", "n't", "never", "no", "nor", "neither", "without", "none",
                       "nothing", "nobody", "nowhere", "lack", "unable", "fail", "refuse",
                       "deny", "decline", "failure", "refusal", "absence", "cease", "stop",
                       "cannot", "hardly", "barely", "reject", "avoid", "prevent"])  # fmt: skip
_NEG_VERBS = frozenset(["fail", "refuse", "deny", "decline", "cease", "stop", "failure", "refusal"])
# "managed to win" asserts "win" with the head's polarity; any other head ("tried to win",
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
    report", "won't agree to sell"), None when it is affirmed, ``_UNASSERTED`` when it
    asserts nothing (a question, "if"/"whether", "tried to win", a gerund subject)."""
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
    if (v.dep_ in ("xcomp", "acl") or infinitive) and h.i != v.i:
        if h.lemma_.lower() in _NEG_VERBS:
            return h
        if _own(h) is not None:  # "won't agree to sell"
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
    prefix ("unclear", "unsuccessful"), or a verb of trying ("tried to win")."""
    low, lemma = t.lower_, t.lemma_.lower()
    if t.dep_ == "neg" or low in _NEGATORS or lemma in _NEGATORS:
        return True
    if lemma in _TRIED and t.pos_ in ("VERB", "AUX"):  # "tried to", not "the plans"
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
        neg = "?" in sent.text or any(_blocks(t) for t in sent)
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
        out.append(_verdict(fig, verdict, reason, src, k, cited))
    if on("negation_scope"):
        done = {(v.figure.start, v.figure.end) for v in out}
        out += [
            v
            for v in _scope_verdicts(claim_text, src, cited)
            if (v.figure.start, v.figure.end) not in done
        ]
    return out


def _verdict(
    fig: Figure, verdict: str, reason: str, src: SourceIndex, k: int, cited: set[int] | None
) -> FigureVerdict:
    sa, sb = src.sentences[k]
    return FigureVerdict(
        kind="negation",
        figure=fig,
        verdict=verdict,
        evidence=[Span(start=sa, end=sb, text=src.text[sa:sb])],
        reason=reason,
        scope="cited" if cited and k in cited else "document",
        binds="polarity",
    )


def _scope_verdicts(
    claim_text: str, src: SourceIndex, cited: set[int] | None
) -> list[FigureVerdict]:
    """A negation whose scope a source sentence states without any negation, when no source
    sentence about it (its core and ``SCOPE_BLOCK`` of its words) negates anything: "the
    client is not interested in car insurance" where the source only says "I'm interested in
    car insurance". ``contradicted`` when the sentence holds ``SENTENCE_SHARE`` of the scope,
    else ``not_found``."""
    sents = [
        (src.sentence_of(a), stems, neg)
        for a, stems, neg in _source_sentences(src.text)
        if src.sentence_of(a) not in src.instructions
    ]
    out = []
    for (a, b), words, core, _who in negated_units(parse(claim_text)):
        if len(words) < SCOPE_MIN or not core & words:
            continue
        block = max(MIN_SHARED, SCOPE_BLOCK * len(words))
        if any(neg and core & st and len(words & st) >= block for _, st, neg in sents):
            continue
        best = max(((len(words & st), k) for k, st, _ in sents if core & st), default=(0, -1))
        share = best[0] / len(words)
        if share < SCOPE_SHARE:
            continue
        fig = Figure(text=claim_text[a:b], start=a, end=b, kind="negation")
        strong = share >= SENTENCE_SHARE
        reason = "the source states it without a negation" + (
            "" if strong else " (a partial restatement: not a contradiction)"
        )
        out.append(
            _verdict(fig, "contradicted" if strong else "not_found", reason, src, best[1], cited)
        )
    return out


_CONTENT = ("NOUN", "PROPN", "ADJ", "VERB", "NUM")
_GOVERNED = frozenset(["dobj", "pobj", "attr", "conj"])
_OWN_CLAUSE = frozenset(["conj", "cc", "advcl", "relcl", "parataxis", "punct", "mark"])


def _stems(toks: Any) -> set[str]:
    return {
        stem(t.lemma_.lower()) for t in toks if t.pos_ in _CONTENT and not t.is_stop and t.is_alpha
    }


def _scope(h: Any, skip: Any) -> list[Any]:
    """``h`` with its dependents, not the clauses joined to it ("..., and needs rest")."""
    out = [h] if h is not skip else []
    for c in h.children:
        if c is not skip and c.dep_ not in _OWN_CLAUSE:
            out += [x for x in c.subtree if x is not skip]
    return out


def _cue(t: Any) -> bool:
    """A word that negates what it governs: "not", "never", "cannot", "no" / "neither" as a
    determiner, "unable", "fail(ed) to"."""
    low, lemma = t.lower_, t.lemma_.lower()
    if t.dep_ == "neg" or low in ("never", "cannot"):
        return True
    if t.dep_ == "det" and low in ("no", "neither"):
        return True
    if lemma == "fail":
        return t.pos_ == "VERB" and any(c.dep_ == "xcomp" for c in t.children)
    return lemma == "unable"


def _core(h: Any) -> list[Any]:
    """The words a negation is about: a content head itself; for a copula, its predicate
    ("is not interested", "was in no hurry")."""
    if h.pos_ != "AUX" and h.lemma_.lower() != "be":
        return [h]
    out = [c for c in h.children if c.dep_ in ("acomp", "attr", "oprd")]
    out += [g for c in h.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
    return out


def negated_units(
    doc: Any,
) -> list[tuple[tuple[int, int], frozenset[str], frozenset[str], frozenset[str]]]:
    """Each asserted negation of a claim: the cue's span, the content stems it scopes over,
    the stems of its core and those of its subject (who says it: often not written beside
    it in a transcript). The scope is the negated predicate with its arguments ("is
    not interested in yoga classes", plus the noun a relative clause describes), or the
    negated noun with the verb governing it and that verb's subject ("offered a trial week
    but no tennis classes"). Questions, "if"/"whether" clauses, "tried to ..." and
    clauses under a noun ("concerns that it would not be found") assert nothing."""
    out = []
    for t in doc:
        if not _cue(t) or "?" in t.sent.text:
            continue
        lemma = t.lemma_.lower()
        nxt = t.nbor(1) if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "ADV" and nxt.dep_ == "advmod":
            continue  # "not very busy", "not necessarily": a degree, not the opposite
        h = t if lemma in ("unable", "fail") else t.head
        if lemma == "unable" and h.dep_ == "acomp":
            h = h.head  # "is unable to book": the copula carries the subject
        if any(a.dep_ == "mark" and a.lower_ in _HYPOTHETICAL for a in h.children):
            continue
        v = h
        while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
            v = v.head
        if v.pos_ in ("VERB", "AUX") and v.i != t.i and _negation(v) is _UNASSERTED:
            continue
        if v.dep_ in ("acl", "ccomp") and v.head.pos_ == "NOUN":
            continue
        core = (
            _core(h)
            if lemma not in ("unable", "fail")
            else [x for x in h.subtree if x.dep_ in ("pobj", "xcomp") and x.head.i <= h.i + 2]
        )
        subj = {
            x for c in h.children if c.dep_ in ("nsubj", "nsubjpass", "expl") for x in c.subtree
        }
        words = _stems(x for x in _scope(h, t) if x not in subj)
        who = _stems(subj)
        if h.dep_ == "relcl" or (h.dep_ in ("conj", "appos") and h.pos_ in ("NOUN", "PROPN")):
            words |= _stems([h.head])  # "a caller who is not...", "classes but not a trial"
        if h.i != t.i and h.pos_ in ("NOUN", "PROPN", "ADJ") and h.dep_ in _GOVERNED:
            g = h.head
            while g.dep_ in ("conj", "prep", "dobj", "pobj") and g.head.i != g.i:
                g = g.head
            if g.pos_ in ("VERB", "AUX"):
                words |= _stems([g])
                who |= _stems(
                    x for c in g.children if c.dep_ in ("nsubj", "nsubjpass") for x in c.subtree
                )
        cue = (t.idx, t.idx + len(t.text))
        out.append((cue, frozenset(words - who), frozenset(_stems(core)), frozenset(who)))
    return out
