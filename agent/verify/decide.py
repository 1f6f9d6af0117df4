"""The decision: each claim figure against the source mentions, frame by frame."""

from __future__ import annotations

from ..figures import extract_identifiers, stem
from .entities import entity_verdicts
from .frames import Frame, warm
from .index import Mention, SourceIndex, mentions, source_index
from .names import identifier_verdict
from .negation import negation_verdicts
from .report import Claim, ClaimCheck, FigureVerdict, Scope, Span, Verdict, VerificationReport
from .roles import role_verdicts
from .rules import on
from .values import BOUNDS, LOWER, compat, describe, same


def frame_clash(c: Frame, s: Frame, timed: bool = False) -> str:
    """The frame attribute on which a source mention cannot state the claim's figure, or "".

    Unknown attributes never clash: an age of another person ("Tom, 34" for "Maria, 34"),
    a prior value for a current one. Counted nouns are decided by specificity (``judge``):
    a noun the source never counts may be a paraphrase ("three people" / "three climbers").
    """
    if c.person and s.person and on("person") and not timed and not same_noun(c, s):
        return "person"
    if on("role") and not timed and c.role != s.role and "prior" in (c.role, s.role):
        return "role"
    return ""


def same_measure(c: Frame, s: Frame, timed: bool = False, per: str = "") -> str:
    """What makes a source mention a statement about the claim's measure ("" if nothing):
    the same counted noun, the same unit of account or period that both state ("a month"),
    or (neither counting a noun) the same governing verb."""
    if c.role != s.role and not timed:
        return ""
    if same_noun(c, s) and not narrower(c, s):
        return f"noun {c.noun!r}"
    if not c.noun and not s.noun and (per or (c.verb and c.verb == s.verb)):
        return f"period {per!r}" if per else f"verb {c.verb!r}"
    return ""


def same_noun(c: Frame, s: Frame) -> bool:
    """Both count the same noun (by stem), compounds joined ("cook books" / "cookbooks"); a
    person by any part of the name ("Greta" / "Greta Holm")."""
    if not c.noun or not s.noun:
        return False
    if c.person and s.person:
        return bool(c.parts & s.parts)

    def keys(f: Frame) -> set[str]:
        return {stem(f.title)} if f.person else {stem(f.noun), stem(f.compound)}

    return bool(keys(c) - {""} & keys(s))


def _named(c: Frame, s: Frame) -> bool:
    """A paraphrase of the same count: the source mention counts nothing and its sentence
    names the claim's noun or its verb is the claim's verb ("played 31 times" / "played 31
    games"), or its verb is the claim's noun ("640 homes have been connected" / "640
    connections")."""
    if c.person or s.person:
        return False
    key = stem(c.noun)
    if not s.noun and (key in s.sentence or (on("same_verb") and s.verb and s.verb == c.verb)):
        return True  # "has played 31 times" / "played 31 games"
    return bool(s.verb) and stem(s.verb) == key


def narrower(c: Frame, s: Frame) -> bool:
    """The claim counts a narrower class than the source mention: its noun carries a modifier
    the source's lacks ("35 admission-charging venues" / "120 venues")."""
    return bool(c.mods - s.mods)


def _restated(c: Frame, s: Frame) -> bool:
    """The source mention's noun phrase names what narrows the claim's noun: another word
    for the same class ("35 admission-charging venues" / "35 museums that charge admission")."""
    return bool(c.mods) and c.mods <= s.phrase


_PEOPLE = frozenset(["people", "person", "individual"])


def _people(s: Mention) -> bool:
    """A count of people in general ("640 people"), which a count of any kind of people
    ("640 patients", "three climbers") may restate."""
    return s.frame.noun in _PEOPLE


def _near_bound(c: Mention, s: Mention) -> bool:
    if c.value.dim != s.value.dim:
        return False
    b, v = c.value.lo, s.value.lo
    if b is None or v is None or b <= 0 or v <= 0:
        return b == v
    return 0.5 <= v / b <= 2.0


def _specific(c: Frame, s: Frame, named: bool = False) -> bool:
    """The source mention counts the claim's noun (an age: belongs to the same person); with
    ``named``, a paraphrase of it (``_named``) is enough."""
    if not c.noun:
        return False
    return same_noun(c, s) or (named and (_named(c, s) or _restated(c, s)))


def _span(idx: SourceIndex, m: Mention) -> list[Span]:
    a, b = idx.sentences[m.sent] if 0 <= m.sent < len(idx.sentences) else (0, 0)
    f = m.fig
    return [
        Span(start=f.start, end=f.end, text=idx.text[f.start : f.end]),
        Span(start=a, end=b, text=idx.text[a:b]),
    ]


def _verdict(
    c: Mention,
    verdict: Verdict,
    scope: Scope,
    reason: str,
    binds: str,
    s: Mention | None = None,
    idx: SourceIndex | None = None,
) -> FigureVerdict:
    return FigureVerdict(
        figure=c.fig,
        verdict=verdict,
        evidence=_span(idx, s) if s is not None and idx is not None else [],
        reason=reason,
        scope=scope,
        source_figure=s.fig if s is not None else None,
        score=1.0 if s is not None else 0.0,
        binds=binds,
    )


def judge(c: Mention, idx: SourceIndex, cited: set[int] | None) -> FigureVerdict:
    """One claim figure. Rules, in order:

    1. supported: a mention in scope (the cited sentences, else the document) states the same
       value (``values.same``) in a comparable unit with no frame clash;
    2. cited_elsewhere: rule 1 holds outside the cited sentences only;
    3. contradicted: no mention anywhere states the value with a compatible frame, and a
       mention in scope of the same measure (``same_measure``) states another value;
    4. not_found: otherwise (the reason names the frame attribute that ruled mentions out).
    """
    scope: Scope = "cited" if cited is not None else "document"
    candidates = [(s, k) for s, k in ((s, _compat(c, s)) for s in idx.mentions) if k != "no"]
    equal = [s for s, _ in candidates if same(c.value, s.value, idx.years)]
    fits, clashes = _fitting(c, equal, [s for s, _ in candidates], cited)
    misquoted = _misquoted_bound(c, [s for s, k in candidates if k == "same"], equal, cited)
    if misquoted is not None:
        s, by = misquoted
        says = f"source says {s.fig.text!r} for the same {by}, not {c.fig.text!r}"
        return _verdict(c, "contradicted", scope, says, "bound", s, idx)
    here = [s for s in fits if cited is None or s.sent in cited]
    glued = _glued(c, here, [s for s, k in candidates if k == "same" and s not in equal], cited)
    if glued is not None:
        s, own = glued
        says = (
            f"the source gives {s.frame.subject_text} {s.fig.text!r} and {own.frame.subject_text}"
            f" {c.fig.text!r}"
        )
        return _verdict(c, "contradicted", scope, says, "subject", s, idx)
    if here:
        says = f"source says {here[0].fig.text!r}"
        return _verdict(c, "supported", scope, says, "value", here[0], idx)
    if fits:
        says = f"not in the cited sentences; the source says {fits[0].fig.text!r} elsewhere"
        return _verdict(c, "cited_elsewhere", "document", says, "citation", fits[0], idx)
    conflict = _conflict(c, [s for s, k in candidates if k == "same" and s not in equal], cited)
    if conflict is not None:
        s, by = conflict
        says = f"source says {s.fig.text!r} for the same {by}, not {c.fig.text!r}"
        return _verdict(c, "contradicted", scope, says, describe(c.value), s, idx)
    named = _numbered_name(c, idx)
    if named is not None:
        a, b = named
        says = f"source names {idx.text[a:b]!r}"
        v = _verdict(c, "supported", scope, says, "name")
        k = idx.sentence_of(a)
        sa, sb = idx.sentences[k] if k >= 0 else (a, b)
        ev = [
            Span(start=a, end=b, text=idx.text[a:b]),
            Span(start=sa, end=sb, text=idx.text[sa:sb]),
        ]
        return v.model_copy(update={"evidence": ev, "score": 1.0})
    if clashes:
        s, why = clashes[0]
        owner = s.frame.noun or s.frame.role
        mine = c.frame.noun or c.frame.role
        says = f"{s.fig.text!r} occurs, but for {owner!r} ({why}), not {mine!r}"
        return _verdict(c, "not_found", scope, says, why, s, idx)
    says = f"no figure with the value {c.fig.text!r} in the source"
    return _verdict(c, "not_found", scope, says, "value")


def _numbered_name(c: Mention, idx: SourceIndex) -> tuple[int, int] | None:
    """The span of a numbered name of the source that states the claim's ordinal: the name
    word is in the claim's sentence and its number is the ordinal ("the 12th season of
    Quizmasters" / "Quizmasters 12", "the eleventh Apollo mission" / "Apollo 11")."""
    if c.value.dim != "ordinal" or c.value.lo is None or not on("numbered_names"):
        return None
    names = [
        (f.start, f.end, f.noun, f.text[len(f.noun or "") :].strip(" -"))
        for f in extract_identifiers(idx.text)
        if f.noun
    ] + [
        (m.label[0], m.label[1], idx.text[m.label[0] : m.fig.start].strip(), m.fig.text)
        for m in idx.mentions
        if m.label is not None
    ]
    for a, b, word, digits in names:
        if (
            digits.isdigit()
            and float(digits) == c.value.lo
            and stem(word.lower()) in c.frame.sentence
        ):
            return a, b
    return None


def _compat(c: Mention, s: Mention) -> str:
    """``values.compat`` of two mentions; a number standing for an age or an hour counts
    nothing."""
    k = compat(c.value, s.value)
    if k != "no" and (s.value.dim == c.value.dim or not s.frame.noun or s.value.yearish):
        return k
    return "no"


def _fitting(
    c: Mention, equal: list[Mention], comparable: list[Mention], cited: set[int] | None
) -> tuple[list[Mention], list[tuple[Mention, str]]]:
    """The same-valued mentions whose frame can state the claim's figure, and every
    same-valued mention with the attribute that rules it out ("" if none)."""
    timed = c.value.dim == "time_point"
    clashes = [(s, frame_clash(c.frame, s.frame, timed)) for s in equal]
    fits = [s for s, why in clashes if not why]
    if c.value.approx in BOUNDS and on("bound_frame"):
        # a bound is weak evidence: "at least 100 runners" is not stated by 3.5 million trees,
        # only by the same measure or a value near the bound ("over 600" / "almost 700")
        fits = [s for s in fits if _near_bound(c, s) or same_measure(c.frame, s.frame, timed)]
    if on("specific_measure"):
        # where the source counts the claim's noun itself, only a mention of that noun (or a
        # paraphrase of it: its sentence names it; or a count of people, which any kind of
        # people restates) can state the figure: "11,000 soldiers" does not state "11,000
        # tanks" beside "3,000 tanks", nor "The 81-year-old died" "an 81-year-old bank
        # clerk" beside "a 23-year-old bank clerk"
        scope = [s for s in comparable if (cited is None or s.sent in cited) and not s.weak]
        if any(_specific(c.frame, s.frame) for s in scope):
            fits = [s for s in fits if _specific(c.frame, s.frame, named=True) or _people(s)]
            if not fits:
                clashes = [(s, why or "noun") for s, why in clashes]
    return fits, clashes


def _glued(
    c: Mention, here: list[Mention], others: list[Mention], cited: set[int] | None
) -> tuple[Mention, Mention] | None:
    """A value glued to another subject: every mention stating it is about another subject,
    and in the same sentence a mention about the claim's subject states another value of the
    same kind ("Spending on schools will rise to $1.3 billion, while road repairs get $310
    million" does not support "road repairs will rise to $1.3 billion"). Returns (that
    mention, the one stating the value)."""
    want = stem(c.frame.subject)
    if not want or not here or not on("subject_binding"):
        return None
    if any(not s.frame.subject or stem(s.frame.subject) == want for s in here):
        return None
    for s in others:
        if (cited is not None and s.sent not in cited) or s.weak:
            continue
        if stem(s.frame.subject) != want or s.frame.role != c.frame.role:
            continue
        own = next((h for h in here if h.sent == s.sent), None)
        if own is not None:  # one sentence gives each subject its own value
            return s, own
    return None


def _misquoted_bound(
    c: Mention, others: list[Mention], equal: list[Mention], cited: set[int] | None
) -> tuple[Mention, str] | None:
    """A claimed bound that misquotes the source's bound of the same measure ("over 20
    flooded" / "more than 30 flooded"), even where another value implies it: no mention
    states the claim's bound itself."""
    if not on("misquoted_bound") or c.value.approx not in BOUNDS:
        return None
    side = c.value.approx in LOWER
    if any(s.value.approx in BOUNDS for s in equal):
        return None
    timed = c.value.dim == "time_point"
    for s in others:
        if (cited is not None and s.sent not in cited) or s.weak or s in equal:
            continue
        if s.value.approx not in BOUNDS or (s.value.approx in LOWER) != side:
            continue
        by = same_measure(c.frame, s.frame, timed)
        if by and _same_predicate(c.frame, s.frame):
            return s, by
    return None


def _same_predicate(c: Frame, s: Frame) -> bool:
    """The two figures are stated by the same verb, where both have one: either's verb
    governs the other ("left over 20 homes flooded" / "left more than 30 homes flooded"), not
    "injured at least three riders" / "left over 30 riders stranded"."""
    if not c.verb or not s.verb:
        return True
    return c.verb == s.verb or c.verb in s.verbs or s.verb in c.verbs


def _conflict(
    c: Mention, others: list[Mention], cited: set[int] | None
) -> tuple[Mention, str] | None:
    """A mention in scope of the claim's measure stating another value, and what binds it."""
    if not on("contradiction"):
        return None
    timed = c.value.dim == "time_point"
    for s in others:
        if (cited is not None and s.sent not in cited) or s.weak:
            continue
        per = c.value.per if c.value.per == s.value.per else ""
        by = same_measure(c.frame, s.frame, timed, per)
        if by and (not by.startswith("noun") or _same_predicate(c.frame, s.frame)):
            return s, by
    return None


def _label_verdict(text: str, m: Mention, idx: SourceIndex) -> FigureVerdict:
    """A number that labels a name ("Season 44") is checked as the name it is part of."""
    assert m.label is not None
    s, e = m.label
    name = m.fig.model_copy(update={"text": text[s:e], "start": s, "end": e, "kind": "identifier"})
    v = identifier_verdict(name, idx)
    return v.model_copy(update={"figure": m.fig})


def check_claim(claim: Claim, idx: SourceIndex) -> ClaimCheck:
    cited: set[int] | None = None
    if claim.citations:
        cited = {
            i
            for i, (s, e) in enumerate(idx.sentences)
            if any(s < ce and cs < e for cs, ce in claim.citations)
        }
    verdicts = [
        judge(m, idx, cited) if m.label is None else _label_verdict(claim.text, m, idx)
        for m in mentions(claim.text, claim=True)
    ]
    verdicts += [identifier_verdict(f, idx) for f in extract_identifiers(claim.text)]
    if on("names"):
        verdicts += entity_verdicts(claim.text, idx, cited)
    if on("negation"):
        verdicts += negation_verdicts(claim.text, idx, cited)
    if on("roles"):
        verdicts += role_verdicts(claim.text, idx, cited)
    verdicts.sort(key=lambda v: v.figure.start)
    return ClaimCheck(
        claim=claim, verdicts=verdicts, verified=all(v.verdict == "supported" for v in verdicts)
    )


def verify_claims(
    source_text: str,
    claims: list[Claim],
    sentences: list[tuple[int, int]] | None = None,
    *,
    source_id: str = "",
    source_title: str = "",
) -> VerificationReport:
    """Check every figure of every claim against ``source_text``."""
    idx = source_index(source_text, tuple(sentences) if sentences is not None else None)
    warm([c.text for c in claims])
    warnings = [
        f"the source addresses the model in sentence {i + 1} (not used as evidence): "
        f"{source_text[a:b][:120]!r}"
        for i in idx.instructions
        for a, b in [idx.sentences[i]]
    ]
    return VerificationReport(
        source_id=source_id,
        source_title=source_title,
        checks=[check_claim(c, idx) for c in claims],
        warnings=warnings,
    )
