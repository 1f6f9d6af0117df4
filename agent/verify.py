"""The figure verifier: every figure of every claim checked against the source text.

Pure functions, no I/O, no model calls. ``verify_claims(source_text, claims)`` returns a
``VerificationReport`` with one ``FigureVerdict`` per figure (parsed by ``agent.figures``).

Evidence, in order: the claim's cited spans if it has any; else the source sentences most
related to the claim; else the whole document. A source figure is a *candidate* when its kind
is comparable (a bare number compares with anything numeric; money needs the same currency and
period; durations convert between units; dates compare field by field). Each candidate gets a
context score in [0, 1]: how much of the claim's wording around the figure (IDF-weighted within
the document, nearer words weigh more, the figure's noun most) appears around the candidate in
its sentence (neighbouring sentences count a little). Verdicts:

- ``supported``: a candidate with a matching value (tolerances below) and context score
  >= ``MIN_SUPPORT``, not beaten by a different-valued candidate whose context is clearly
  better (by ``MARGIN``); a claim noun that differs from the source noun ("11,000 tanks" vs
  "11,000 soldiers") rules a candidate out unless the claim noun occurs in that sentence.
- ``contradicted``: the best-context comparable candidate has a different value (score >=
  ``MIN_CONFLICT``) and beats every matching candidate by ``MARGIN``; the swapped number that
  occurs elsewhere in the article is caught here.
- Best alignment first: when the claim's value occurs in the sentence(s) the claim aligns
  to best (alignment plus co-figure bonus) and no different value there fits the claim's
  words clearly better on its own (``MARGIN``), it is supported, whatever other sentences
  say: the sentence the claim was paraphrased from outranks a different value elsewhere.
  A noun paraphrase ("870 cases" / "870 people") counts there only when that sentence also
  states another figure of the claim (so "11,000 drones" still fails against "11,000
  soldiers").
- Slot alignment (``figure_slot``, ``slot_score``): a figure's slot is the ``SLOT_WIDTH``
  nearest content words on each side inside its clause ("spent £___ converting her home").
  When a different comparable value sits in a source slot matching the claim's slot with
  score >= ``SLOT_STRONG`` and beats every mention of the claim's value by ``SLOT_MARGIN``,
  the figure is contradicted, whatever the rules above say (the intrinsic swap: the claim's
  value is true of another slot). Not when a sentence holding the claim's value states more of
  the claim's other figures (and no other value in as good a slot) than the conflicting one.
  Dates and years are matched unsided (time adverbials move around their clause).
- ``not_found``: neither.
- ``cited_elsewhere``: not supported inside the cited spans, supported elsewhere in the document
  (the evidence points at where).

Tolerances (``_interval``):

- A figure written with a scale word ("$1.8 billion", "3.5 million") is itself rounded: a
  source hedging the same written value ("some/nearly $1.8 billion") supports it.
- An unhedged claim figure is exact up to its written precision: it stands for
  ``[v - h, v + h]`` with ``h = min(p/2, ROUND_REL x v)``, where ``p`` is the place value of
  its last written digit times its scale (rounding never moves a value by more than 5 %: "1%"
  is not 0.505%, "$2 billion" is not $1.8 billion, "about $2 billion" is). "3.5 million" is
  supported by 3,512,000 and "45%" by 45.3%; "11,000" is *not* supported by 10,970, and
  "45.3%" is not supported by "45%" (a claim may not add precision).
- Rounding does not reach a value whose own sentence states the rounded value exactly for
  something else ("touched 0.505%, breaching the 0.5% cap": "touched 0.5%" is not supported
  there; ``_rounding_blurs``).
- "about/around/roughly/some/approximately/an estimated X" stands for ``X ± t`` with
  ``t = max(5% of X, half the place value of X's last non-zero digit)``: "about 11,000" is
  supported by 10,970 (t = 550). "nearly/almost/close to X" stands for ``[X - t, X]``.
- "more than/over/above X" stands for ``(X, inf)``, "at least X" / "X+" / "X or more" for
  ``[X, inf)``, "under/less than/fewer than X" for ``(-inf, X)``, "up to/at most X" for
  ``(-inf, X]``; ranges "X to Y" for ``[X, Y]``.
- Source figures are read the same way, and a claim is supported only when the source's
  interval lies inside the claim's: "more than 10,000" is supported by 11,000, but "11,000" is
  not supported by "about 11,000" (only a hedged claim accepts a hedged source).
- Values in different units of one dimension (days/weeks/months/years, ft/m, kg/lb) are
  converted and allowed a further 2% for rounding of the conversion.
- Dates: every field the claim states (day, month, year) must equal the source's; a source
  date without a year accepts the claim's year when that year occurs in the document.
  A year is supported by a date in that year; a decade by any year inside it.
- A unit price ("£100 each", "$5 apiece") compares only with another unit price; a rate and a
  sum ("£9.15 an hour" / "£12billion") conflict only within a factor of 10 (a source often
  drops the period: "$24,121 per year" / "top $30,000").
- A partitive counts its own noun: "2-4 slices of bread" does not support "2-4 breads", though
  "bread" occurs in its sentence.
- Measures of different nouns never support each other ("5,000 square foot suite" / "5,000
  square foot of roof space"), even when the claim's noun occurs in that sentence.
- An unhedged claim whose value the source gives only hedged ("about £10,000") is
  ``not_found`` with the hedged figure as evidence, unless a conflicting value binds clearly
  better.
- Scores ("2-1") match in either order; ordinals and times of day match exactly.
- "up to/as many as X" in the source supports an unhedged claim of X (summaries drop the hedge
  and keep the stated maximum); a claim bound restating a source bound of the same side keeps
  its number ("over 40 books" does not support "over 33 books").

Binding (what a figure is about): context words outside the figure's clause (split at commas,
semicolons, brackets, dashes, "but/while/although") count ``OUT_OF_CLAUSE`` as much. A match
whose context score (alignment included) is below ``MIN_RELATED`` is an unrelated mention and
does not support the claim, except for ages and decades (specific on their own), range
ends, and matches inside cited spans. A date or year is unrelated too when its sentence shares
no word with the claim, states none of the claim's other figures and is not the sentence the
claim aligns to ("his death on April 12" / "arrested on April 12"); "early/late/mid" before a
date says when, not what, and binds nothing ("bag fitted in early 2013" / "meeting early
2013"). The source sentence: when exactly one sentence states all of the claim's other figures
(two or more) and a figure of this one's kind, that is the sentence the claim was written
from; a single different value of the kind there, and none equal, is a contradiction
("302 ... from 285 in 2009" / "302 - down from 285 in 2014").

A contradiction needs the conflicting figure's own sentence (not its neighbours, no bonus) to
reach ``MIN_OWN``, or to lie in the best-aligned sentence: a co-figure bonus alone does not make
an unrelated value a contradiction. Not comparable: a counted noun and an age ("26 timepieces" /
"26 year old"), an age and a duration ("17-year-old" / "17-year hobby"), a rate and a plain
measure ("9,500ft a minute" / "9,500ft"). Never contradicted: relative amounts ("two more
points", "3 times"); a total by one of its parts ("executed seven" by "executed five people ...
to shoot two more"); ages bound to a name the claim does not mention ("a son Stephan, 17,");
ordinals of different nouns ("17th" / "first time"); a counted noun against a bare number whose
clause does not use that noun; counts or measures of different nouns ("11,000 square foot suite"
/ "5,000 square foot of roof space"). Identifiers (``extract_identifiers``: "COVID-19",
"SARS-CoV-2", "MH17", "Under 21", "Boeing 747") are names, not figures, but they are checked
too: one must occur in the source as written (separators and case aside; a number in a name
may be written as a Roman numeral or a word: "Formula 1" / "Formula One"; "FY2023" / "fiscal
2023"); the same name with another number is a contradiction ("Under 23" / "Under 21",
"SARS-CoV-4" / "SARS-CoV-2"); a label whose name word and number both occur apart ("Boeing 747"
/ "Boeing ... 747 planes") is supported; else ``not_found``. "Q3" and "H1" are ordinals (the
third quarter, the first half), compared with "third quarter" / "first half".

Alignment and conflicts: every source sentence gets a bonus of ``ALIGN_WEIGHT`` x its share of
the claim's IDF-weighted non-figure words (relative to the best sentence), so a value from the
sentence the claim paraphrases beats the same value swapped in from elsewhere. A different
source value is no conflict when another figure of the same claim matches it and fits its
context at least as well, or when it is a scale-word figure that rounds the claim ("£13.2bn"
vs "£13.17billion"); money with different periods conflicts only on the same amount.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from .figures import (
    DURATIONS,
    NUMBER_NAMES,
    Figure,
    content_words,
    extract_figures,
    extract_identifiers,
    stem,
)

SCHEMA_VERSION = "1"
MIN_SUPPORT = 0.0
MIN_CONFLICT = 0.25
MARGIN = 0.15
ABOUT_REL = 0.05
ROUND_REL = 0.05
UNIT_SLACK = 0.02
RETRIEVE_K = 3
NEIGHBOUR_WEIGHT = 0.3
COFIG_BONUS = 0.25
ALIGN_WEIGHT = 0.5
OUT_OF_CLAUSE = 0.5
MIN_OWN = 0.1
# kinds whose value is specific enough to stand without matching context
_SELF_BINDING = frozenset(["age", "decade"])
MIN_RELATED = 0.1
SLOT_WIDTH = 4
SLOT_OTHER_SIDE = 0.5
SLOT_STRONG = 0.3
SLOT_MARGIN = 0.1

Verdict = Literal["supported", "contradicted", "not_found", "cited_elsewhere"]
Scope = Literal["cited", "retrieved", "document"]


class Span(BaseModel):
    """An exact span of the source: ``source_text[start:end] == text``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class Claim(BaseModel):
    """One checkable statement; ``citations`` are (start, end) offsets into the source."""

    id: str
    text: str
    citations: list[tuple[int, int]] = Field(default_factory=list)


class FigureVerdict(BaseModel):
    figure: Figure
    verdict: Verdict
    evidence: list[Span] = Field(default_factory=list)
    reason: str = ""
    scope: Scope = "document"
    source_figure: Figure | None = None
    score: float = 0.0


class ClaimCheck(BaseModel):
    claim: Claim
    verdicts: list[FigureVerdict]
    verified: bool


class VerificationReport(BaseModel):
    schema_version: str = SCHEMA_VERSION
    source_id: str = ""
    source_title: str = ""
    checks: list[ClaimCheck]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        out = {
            "claims": len(self.checks),
            "figures": 0,
            "supported": 0,
            "contradicted": 0,
            "not_found": 0,
            "cited_elsewhere": 0,
        }
        for c in self.checks:
            for v in c.verdicts:
                out["figures"] += 1
                out[v.verdict] += 1
        return out

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        return all(c.verified for c in self.checks)


# ----------------------------------------------------------------- claims
_BULLET = re.compile(r"^[ \t]*(?:[•\-*–—·▪‣]|\d{1,3}[.)])[ \t]+(?=\S)")


MIN_GROUNDING = 0.5


def grounding(claim: str, evidence: Sequence[str]) -> float:
    """Share of the claim's content words (stemmed) that occur in the evidence texts.

    Not a figure check: it catches a bullet that cites sentences it does not restate (a model
    echoing its instructions, or mixing in outside facts). A claim with no content words is
    fully grounded. Below ``MIN_GROUNDING`` the summarizer treats the bullet as unverified.
    """
    words = {w for w, _, _ in content_words(claim) if not w.isdigit()}
    if not words:
        return 1.0
    seen = {w for text in evidence for w, _, _ in content_words(text)}
    return len(words & seen) / len(words)


def claims_from_text(summary: str) -> list[Claim]:
    """Split a summary into claims: one per bullet line, else one per sentence."""
    claims: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            claims.extend(_sentences_of(" ".join(para)))
            para.clear()

    for line in summary.splitlines():
        m = _BULLET.match(line)
        if m:
            flush()
            claims.append(line[m.end() :].strip())
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
    flush()
    return [Claim(id=str(i + 1), text=t) for i, t in enumerate(c for c in claims if c)]


def _sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in _sentence_spans(text)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    try:
        from .chunking import split_sentences
    except ImportError:  # pragma: no cover - chunking is part of the package
        return [
            (m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]*", text) if m.group().strip()
        ]
    return [(s.start, s.end) for s in split_sentences(text)]


# ----------------------------------------------------------------- source index
@dataclass
class _SourceFig:
    fig: Figure
    sent: int
    ctx: dict[str, float]
    rel: bool = False
    own: dict[str, float] = field(default_factory=dict)
    slot: dict[tuple[str, int], float] = field(default_factory=dict)


@dataclass
class _Index:
    text: str
    sentences: list[tuple[int, int]]
    sent_tokens: list[frozenset[str]]
    idf: dict[str, float]
    figs: list[_SourceFig]
    years: frozenset[int]
    n_sent: int = 0
    token_sents: dict[str, list[int]] = field(default_factory=dict)
    # claim figure -> sentences stating its value (memo for _cofigure_sentences)
    value_sents: dict[Figure, frozenset[int]] = field(default_factory=dict)


def _decay(d: int) -> float:
    return 1.0 / (1.0 + d / 3.0)


_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014](?!\d)|\s-\s|\b(?:but|while|whereas|although)\b")


def _clause_breaks(text: str) -> list[int]:
    """Positions where a clause ends: punctuation that separates clauses, and contrastive
    conjunctions."""
    return [m.start() for m in _CLAUSE_BREAK.finditer(text)]


# "the third quarter" / "Q3": the noun of these ordinals is part of the figure, not its slot
_PERIOD_NOUNS = frozenset(["quarter", "half"])
_TIME_QUALIFIERS = frozenset(stem(w) for w in ("early", "late", "mid", "end", "start", "beginning"))


def _clause_bounds(fs: int, fe: int, breaks: list[int] | None) -> tuple[float, float]:
    """The clause breaks just before ``fs`` and just after ``fe`` (-1 / inf when none)."""
    lo: float = -1
    hi: float = math.inf
    for b in breaks or ():
        if b < fs:
            lo = b
        elif b >= fe:
            hi = b
            break
    return lo, hi


def _figure_context(
    words: list[tuple[str, int, int]],
    fig: Figure,
    base: int = 0,
    breaks: list[int] | None = None,
) -> dict[str, float]:
    """Content words around a figure, weighted by distance in words (its noun weighs most);
    words outside the figure's clause count ``OUT_OF_CLAUSE`` as much."""
    fs, fe = fig.start + base, fig.end + base
    left = sum(1 for _, _, e in words if e <= fs)
    lo, hi = _clause_bounds(fs, fe, breaks)
    ctx: dict[str, float] = {}
    timed = _family(fig) == "time_point"
    for i, (w, s, e) in enumerate(words):
        if fs <= s < fe:
            continue
        d = left - i - 1 if e <= fs else i - left
        if timed and d == 0 and e <= fs and w in _TIME_QUALIFIERS:
            continue  # "early 2013" says when, not what: no binding to "meeting early 2013"
        wt = _decay(max(d, 0))
        if s < lo or s > hi:
            wt *= OUT_OF_CLAUSE
        if wt > ctx.get(w, 0.0):
            ctx[w] = wt
    if fig.noun:
        ctx[fig.noun] = max(ctx.get(fig.noun, 0.0), 1.5)
    return ctx


def figure_slot(
    words: list[tuple[str, int, int]],
    fig: Figure,
    breaks: list[int] | None = None,
    figs: list[Figure] | tuple[Figure, ...] = (),
) -> dict[tuple[str, int], float]:
    """The figure's *slot*: the ``SLOT_WIDTH`` nearest content words on each side of it inside
    its clause ("spent £___ converting her home" -> spent/-1, convert/+1, home/+1), keyed by
    (stem, side) with side -1 (before) or +1 (after), weighted ``_decay(rank)`` (1, 0.75, 0.6,
    0.5). Words inside any of ``figs`` (other figures: "£6billion", "a year") are skipped.
    ``words``, ``fig`` and ``figs`` share one coordinate system (``content_words`` spans)."""
    spans = [(g.start, g.end) for g in figs]
    words = [x for x in words if not any(a <= x[1] < b for a, b in spans)]
    if fig.kind == "ordinal" and fig.noun in _PERIOD_NOUNS:
        # "the fourth quarter" / "Q4": the period noun is part of the figure, not its slot
        words = [x for x in words if x[0] != fig.noun]
    fs, fe = fig.start, fig.end
    lo, hi = _clause_bounds(fs, fe, breaks)
    before = [w for w, s, e in words if e <= fs and s > lo]
    after = [w for w, s, e in words if s >= fe and s < hi]
    out: dict[tuple[str, int], float] = {}
    for side, seq in ((-1, before[::-1]), (1, after)):
        for rank, w in enumerate(seq[:SLOT_WIDTH]):
            key = (w, side)
            out[key] = max(out.get(key, 0.0), _decay(rank))
    return out


def slot_score(
    cslot: dict[tuple[str, int], float],
    sslot: dict[tuple[str, int], float],
    idf: dict[str, float],
    sided: bool = True,
) -> float:
    """How well a source figure's slot matches the claim figure's slot, in [0, 1]: the
    IDF-weighted share of the claim's slot words found in the source slot, each credited with
    the smaller of the two rank weights (a word on the other side of the figure counts
    ``SLOT_OTHER_SIDE`` as much, or fully when not ``sided``: time adverbials such as "in July
    1967" move freely around their clause). Claim words the source never uses are left out
    (they cannot tell two source mentions apart)."""
    num = den = 0.0
    other_side = SLOT_OTHER_SIDE if sided else 1.0
    for (w, side), wt in cslot.items():
        i = idf.get(w)
        if i is None:
            continue
        den += i * wt
        same = sslot.get((w, side), 0.0)
        other = sslot.get((w, -side), 0.0) * other_side
        num += i * min(wt, max(same, other))
    return num / den if den else 0.0


@lru_cache(maxsize=256)
def _index(text: str, sentences: tuple[tuple[int, int], ...] | None) -> _Index:
    spans = list(sentences) if sentences is not None else _sentence_spans(text)
    if not spans:
        spans = [(0, len(text))]
    sent_words = [content_words(text[s:e]) for s, e in spans]
    sent_tokens = [frozenset(w for w, _, _ in ws) for ws in sent_words]
    df: dict[str, int] = {}
    for toks in sent_tokens:
        for t in toks:
            df[t] = df.get(t, 0) + 1
    n = len(spans)
    idf = {t: math.log(1.0 + n / c) for t, c in df.items()}
    token_sents: dict[str, list[int]] = {}
    for i, toks in enumerate(sent_tokens):
        for t in toks:
            token_sents.setdefault(t, []).append(i)
    figs: list[_SourceFig] = []
    years: set[int] = set()
    for i, (s, e) in enumerate(spans):
        breaks = _clause_breaks(text[s:e])
        sent_figs = extract_figures(text[s:e])
        for f in sent_figs:
            g = f.model_copy(update={"start": f.start + s, "end": f.end + s})
            ctx = _figure_context(sent_words[i], f, 0, breaks)
            own = dict(ctx)
            for j in (i - 1, i + 1):
                if 0 <= j < n:
                    for w in sent_tokens[j]:
                        if ctx.get(w, 0.0) < NEIGHBOUR_WEIGHT:
                            ctx[w] = NEIGHBOUR_WEIGHT
            slot = figure_slot(sent_words[i], f, breaks, sent_figs)
            figs.append(_SourceFig(g, i, ctx, _relative(text, g), own, slot))
            if g.year is not None:
                years.add(g.year)
            if g.kind == "year" and g.value is not None:
                years.add(int(g.value))
    return _Index(text, spans, sent_tokens, idf, figs, frozenset(years), n, token_sents)


# ----------------------------------------------------------------- values
def _family(f: Figure) -> str:
    if f.kind in ("date", "year", "decade"):
        return "time_point"
    if f.kind in ("count", "number"):
        return "count"
    if f.kind == "money":
        return "money"
    if f.kind in ("duration", "age"):
        return "duration"
    if f.kind == "measure":
        return "measure"
    return f.kind


def _about_tol(x: float) -> float:
    ax = abs(x)
    if ax == 0:
        return 0.5
    mag = 1.0
    if float(ax).is_integer():
        n = round(ax)
        while n and n % 10 == 0:
            n //= 10
            mag *= 10
    return max(ABOUT_REL * ax, mag / 2.0)


def _interval(f: Figure, claim: bool) -> tuple[float, float] | None:
    """The interval a figure asserts (see the module docstring)."""
    if f.is_range:
        if f.low is None or f.high is None:
            return None
        slack = f.precision / 2.0 if claim else 0.0
        return f.low - slack, f.high + slack
    v = f.value
    if v is None:
        return None
    eps = 1e-9 * max(1.0, abs(v))
    if f.approx is None:
        half = min(f.precision / 2.0, ROUND_REL * abs(v)) if claim else 0.0
        return v - half, v + half
    t = _about_tol(v)
    return {
        "about": (v - t, v + t),
        "nearly": (v - t, v),
        "more_than": (v + eps, math.inf),
        "at_least": (v, math.inf),
        "under": (-math.inf, v - eps),
        "at_most": (-math.inf, v),
    }[f.approx]


def _base_factor(f: Figure) -> tuple[str, float]:
    if f.kind in ("duration", "age") and f.unit in {c for c, _ in DURATIONS.values()}:
        days = next(d for c, d in DURATIONS.values() if c == f.unit)
        return "days", days
    if f.kind == "measure" and f.unit:
        from .figures import _UNIT_TABLE

        for canon, factor, dim in _UNIT_TABLE.values():
            if canon == f.unit:
                return dim, factor
    return f.unit or "", 1.0


def _comparable(c: Figure, s: Figure) -> bool:
    """Whether two figures measure the same kind of thing (so values can be compared)."""
    fc, fs = _family(c), _family(s)
    if fc == "time_point" or fs == "time_point":
        return fc == fs
    if {c.kind, s.kind} == {"number", "ordinal"}:
        return True  # "ranked 302" / "302nd"
    if {c.kind, s.kind} == {"count", "ordinal"}:
        return bool(c.noun and s.noun and _same_noun(c.noun, s.noun))  # "first man"/"one man"
    if fc in ("score", "ordinal", "time", "percent", "percentage_point") or fs in (
        "score",
        "ordinal",
        "time",
        "percent",
        "percentage_point",
    ):
        return fc == fs or (fc == "count" and c.kind == "number" and fs == "percent")
    if {c.kind, s.kind} == {"age", "duration"}:
        return False  # "the 17-year-old" is not "a 17-year hobby"
    if fc == "count" or fs == "count":
        counted = (c.kind == "count" and c.noun) or (s.kind == "count" and s.noun)
        if counted and "age" in (c.kind, s.kind):
            return False  # "26 timepieces" says nothing about "the 26 year old"
        # a source counting a noun says nothing about a claim's time or measure ("One
        # Londoner" / "a one-month anniversary"); the other way round is a paraphrase ("the
        # past 76 races" from "every race for the past 76 years")
        return not (s.kind == "count" and s.noun and c.kind in ("duration", "measure"))
    if fc != fs:
        return False
    if fc == "money":
        if (c.per == "each") != (s.per == "each"):
            return False  # a unit price ("£100 each") is not a sum ("spent £100")
        return not (c.currency and s.currency and c.currency != s.currency)
    if fc == "measure" and (c.per is None) != (s.per is None):
        return False  # "9,500ft a minute" is a rate, not a height
    if fc in ("measure", "duration"):
        return _base_factor(c)[0] == _base_factor(s)[0]
    return True


def _strict_comparable(c: Figure, s: Figure) -> bool:
    """Comparable enough for a different value to count as a contradiction."""
    if not _comparable(c, s):
        return False
    if c.kind == "year" and s.kind == "date" and s.year is None:
        return False  # "2023" says nothing against "23 February"
    if c.kind != s.kind and not ({c.kind, s.kind} <= {"count", "number"}):
        return c.kind in ("date", "year") and s.kind in ("date", "year")
    if c.kind == s.kind and c.kind in ("count", "measure") and c.noun and s.noun:
        return _same_noun(c.noun, s.noun)  # "11,000 sq ft suite" vs "5,000 sq ft of space"
    if c.kind == "ordinal" and s.kind == "ordinal" and (c.noun or s.noun):
        # "17th" vs "for the first time": ranks of different things
        return bool(c.noun and s.noun and _same_noun(c.noun, s.noun))
    if c.kind in ("duration", "measure", "age") and c.unit != s.unit:
        return False  # "three weeks" and "41 years" are seldom the same quantity
    if (
        c.kind == "money"
        and (c.per is None) != (s.per is None)
        and c.value
        and s.value
        and max(c.value / s.value, s.value / c.value) > 10
    ):
        return False  # a rate against a sum of another order: "£9.15 an hour" / "£12billion"
    if c.kind == "money" and c.per and s.per and c.per != s.per:
        return (
            c.value == s.value
        )  # "$2,000 a week" vs "$2,000 a month"; not "£9 an hour" vs "£6bn a year"
    if c.kind == "date" and s.kind == "date":
        # only dates stating the same fields contradict each other
        return (c.day is None) == (s.day is None) and (c.month is None) == (s.month is None)
    return True


_BOUND_SIDE = {"more_than": "low", "at_least": "low", "under": "high", "at_most": "high"}


def _value_match(c: Figure, s: Figure, years: frozenset[int]) -> bool:
    if _family(c) == "time_point":
        return _date_match(c, s, years)
    if c.kind == "score":
        return {(c.low, c.high), (c.high, c.low)} >= {(s.low, s.high)} or (
            (c.low, c.high) == (s.high, s.low)
        )
    if c.kind == "money" and c.per and s.per and c.per != s.per:
        return False
    ci, si = _interval(c, True), _interval(s, False)
    if ci is None or si is None:
        return False
    if c.scale > 1 and c.approx is None and s.approx in ("about", "nearly") and s.value == c.value:
        return True
    if c.approx is None and s.approx == "at_most" and s.value == c.value and not s.is_range:
        return True  # "up to 16 hours a day" restated as "16 hours a day": the stated maximum
    side_c, side_s = _BOUND_SIDE.get(c.approx or ""), _BOUND_SIDE.get(s.approx or "")
    if side_c and side_c == side_s and c.value is not None and s.value is not None:
        # a bound restating a bound keeps its number: "over 40 books" does not support "over 33"
        return abs(c.value - s.value) <= c.precision / 2.0 + 1e-9 * abs(
            s.value
        )  # "3.5 million" is itself a rounded figure: "some 3.5 million" supports it
    dim_c, fc = _base_factor(c)
    dim_s, fs = _base_factor(s)
    if not dim_c or not dim_s:
        fc = fs = 1.0  # one side is a bare number: compare as written
    lo, hi = ci[0] * fc, ci[1] * fc
    slo, shi = si[0] * fs, si[1] * fs
    if fc != fs:
        lo -= abs(lo) * UNIT_SLACK
        hi += abs(hi) * UNIT_SLACK
    tiny = 1e-9 * max(1.0, abs(slo) if math.isfinite(slo) else 1.0)
    return lo - tiny <= slo and shi <= hi + tiny


def _date_match(c: Figure, s: Figure, years: frozenset[int]) -> bool:
    if c.kind == "decade":
        y = s.year if s.kind != "year" else (int(s.low) if s.low is not None else None)
        return (
            y is not None
            and c.low is not None
            and c.high is not None
            and (c.low <= y <= c.high)
            and (s.kind != "decade" or s.year == c.year)
        )
    if c.kind == "year":
        if c.is_range:
            return s.kind == "year" and s.is_range and (s.low, s.high) == (c.low, c.high)
        cy = int(c.value) if c.value is not None else None
        if s.kind == "year":
            return (not s.is_range and s.value == c.value) or (
                s.is_range
                and s.low is not None
                and s.high is not None
                and cy is not None
                and s.low <= cy <= s.high
                and False
            )
        if s.kind == "date":
            return s.year == cy
        return False
    # c is a date
    if s.kind != "date":
        return False
    if c.month != s.month:
        return False
    if c.day is not None and c.day != s.day:
        return False
    if c.year is not None and s.year != c.year:
        return s.year is None and c.year in years
    return not (c.day is None and s.day is not None and c.year is None)


_SYNONYMS = [
    "troop soldier force serviceman servicemen personnel fighter",
    "people person individual resident citizen adult",
    "child kid youngster pupil student boy girl son daughter",
    "man male",
    "woman female",
    "death dead fatality killed victim life",
    "injury injured wounded casualty",
    "car vehicle",
    "home house property dwelling",
    "game match fixture",
    "win victory",
]
_SYN_OF: dict[str, int] = {stem(w): i for i, grp in enumerate(_SYNONYMS) for w in grp.split()}


_GENERIC_NOUNS = frozenset(["time", "occas"])  # "played 19 times" counts games


def _same_noun(a: str, b: str) -> bool:
    if a == b or a.startswith(b) or b.startswith(a) or a in _GENERIC_NOUNS or b in _GENERIC_NOUNS:
        return True
    ia, ib = _SYN_OF.get(a), _SYN_OF.get(b)
    return ia is not None and ia == ib


# ----------------------------------------------------------------- scoring
def _score(cctx: dict[str, float], idx: _Index, sf: _SourceFig) -> float:
    num = 0.0
    den = 0.0
    for t, w in cctx.items():
        i = idx.idf.get(t)
        if i is None:
            continue
        den += i * w
        sw = sf.ctx.get(t)
        if sw:
            num += i * w * min(1.0, sw)
    return num / den if den else 0.0


def _own_score(cctx: dict[str, float], idx: _Index, sf: _SourceFig) -> float:
    """``_score`` on the words of the source figure's own sentence only."""
    return _score(cctx, idx, _SourceFig(sf.fig, sf.sent, sf.own))


def _unbound_number(c: Figure, sf: _SourceFig) -> bool:
    """A claim count with a noun ("two sons") against a bare source number whose clause does
    not speak of that noun: no evidence either way."""
    if c.kind != "count" or not c.noun or sf.fig.kind != "number" or sf.fig.noun:
        return False
    return sf.own.get(c.noun, 0.0) < 0.5


_PARTITIVE = re.compile(r"\s+[A-Za-z]+\s+of\s+(?:the\s+|their\s+|his\s+|her\s+)?([A-Za-z]+)")


def _noun_conflict(c: Figure, sf: _SourceFig, idx: _Index) -> bool:
    """The claim counts something else than the source does ("11,000 tanks" vs soldiers)."""
    s = sf.fig
    if not c.noun or not s.noun or _same_noun(c.noun, s.noun):
        return False
    if c.kind == "measure" and s.kind == "measure":
        return True  # "5,000 square foot suite" / "5,000 square foot of roof space"
    if s.kind not in ("count", "number") or c.kind not in ("count", "number"):
        return False
    if c.noun not in idx.idf:  # a word the source never uses: nothing to hold against
        return not any(_same_noun(c.noun, t) for t in idx.sent_tokens[sf.sent])
    pm = _PARTITIVE.match(idx.text, s.end)
    if pm is not None and _same_noun(c.noun, stem(pm.group(1))):
        return True  # "2-4 slices of bread" counts slices, not the breads of "2-4 breads"
    return c.noun not in idx.sent_tokens[sf.sent]


@dataclass
class _Best:
    sf: _SourceFig | None = None
    score: float = -1.0

    def offer(self, sf: _SourceFig, score: float) -> None:
        if score > self.score:
            self.sf, self.score = sf, score


def _cofigure_sentences(others: list[Figure], idx: _Index) -> dict[int, int]:
    """Source sentence -> how many of the claim's other figures it also states."""
    out: dict[int, int] = {}
    for o in others:
        hit = idx.value_sents.get(o)
        if hit is None:
            hit = idx.value_sents[o] = frozenset(
                sf.sent
                for sf in idx.figs
                if _comparable(o, sf.fig) and _value_match(o, sf.fig, idx.years)
            )
        for i in hit:
            out[i] = out.get(i, 0) + 1
    return out


def _explained(
    c: Figure,
    cctx: dict[str, float],
    sf: _SourceFig,
    others: tuple[tuple[Figure, dict[str, float]], ...],
    idx: _Index,
) -> bool:
    """A different source value is no evidence against ``c`` when it is accounted for: it is
    the value of another figure of the same claim ("Abbie, 12, and Kerry, 13"), or ``c`` is
    that value at a finer precision (a source written with a scale word, "£13.2bn", rounds the
    claim's "£13.17billion"; bare figures such as "0.5%" are taken as written).
    The other figure must fit that source figure's context at least as well as ``c`` does, so
    two values swapped within a sentence are still caught."""
    s = sf.fig
    own = _score(cctx, idx, sf)
    if any(
        _comparable(o, s) and _value_match(o, s, idx.years) and _score(octx, idx, sf) >= own
        for o, octx in others
    ):
        return True
    if c.value is None or s.value is None or s.approx is not None or s.scale <= 1:
        return False
    if _family(c) == "time_point":
        return False
    dim_c, fc = _base_factor(c)
    dim_s, fs = _base_factor(s)
    if not dim_c or not dim_s:
        fc = fs = 1.0
    return abs(c.value * fc - s.value * fs) <= s.precision * fs / 2.0 + 1e-9 * abs(s.value * fs)


def _part_of_total(c: Figure, sf: _SourceFig, idx: _Index) -> bool:
    """The source value is one part of the claim's total: its sentence adds a relative amount
    that sums with it to the claim's value ("executed five people ... and shot two more" for
    "executed seven")."""
    if c.value is None or sf.fig.value is None or _family(c) != "count":
        return False
    return any(
        o.rel
        and o.sent == sf.sent
        and o.fig.value is not None
        and _family(o.fig) == "count"
        and abs(sf.fig.value + o.fig.value - c.value) < 1e-9
        for o in idx.figs
    )


_RELATIVE_AFTER = re.compile(r"\s+(?:more|extra|additional|further|fewer|less|times)\b", re.I)


def _relative(text: str, f: Figure) -> bool:
    """A relative amount ("two more points", "3 times"): a difference or a multiple, which a
    total stated elsewhere does not contradict."""
    return _RELATIVE_AFTER.match(text, f.end) is not None


def _other_person(c: Figure, cctx: dict[str, float], s: Figure) -> bool:
    """Ages of different people: the source age is bound to a name ("Stephan, 17") that the
    claim does not mention."""
    if c.kind != "age" and s.kind != "age":
        return False
    return bool(s.noun and s.noun not in cctx and s.noun != c.noun)


def _top_sentences(bonus: dict[int, float] | None) -> set[int]:
    """The sentence(s) the claim aligns to best (alignment plus co-figure bonus)."""
    if not bonus:
        return set()
    best = max(bonus.values())
    return {i for i, v in bonus.items() if v >= best - 1e-9}


def _binds_better(conflict: _Best, match: _Best) -> bool:
    """Whether a different value in the best-aligned sentence fits the claim's words on its
    own clearly better (by ``MARGIN``) than the same value there."""
    if conflict.sf is None or match.sf is None:
        return False
    return conflict.score > match.score + MARGIN


def _vouched(same_at: dict[int, float], diff_at: dict[int, float], cofig: dict[int, int]) -> int:
    """How many of the claim's other figures vouch for its value: the most co-figures stated
    in a sentence that holds the claim's value ("870 people ... 457 deaths in 21 countries"
    vouches for "870 cases ... 457 deaths in 21 countries"), unless that sentence also holds
    another value in as good a slot (then it is no evidence for either)."""
    return max(
        (k for i, k in cofig.items() if i in same_at and same_at[i] > diff_at.get(i, -1.0)),
        default=0,
    )


def _source_sentence(cofig: dict[int, int], n_others: int, stating: set[int]) -> int | None:
    """The one source sentence that states every other figure of the claim (at least two)
    and a figure of this one's kind: the sentence the claim was written from."""
    if n_others < 2:
        return None
    full = [i for i, k in cofig.items() if k >= n_others and i in stating]
    return full[0] if len(full) == 1 else None


def _unrelated_time(cctx: dict[str, float], idx: _Index, sf: _SourceFig, top: set[int]) -> bool:
    """A date or year whose sentence shares no word with the claim and is not the sentence
    the claim aligns to: the same day or year said of another event ("his death on April 12"
    / "arrested on April 12")."""
    return sf.sent not in top and _own_score(cctx, idx, sf) <= 0


def _rounding_blurs(c: Figure, sf: _SourceFig, idx: _Index) -> bool:
    """The claim rounds this source value to a value its sentence states exactly for
    something else ("touched 0.505%, breaching the 0.5% cap"): that sentence tells the two
    apart, so the rounded claim is not a match here."""
    s = sf.fig
    if c.value is None or s.value is None or c.is_range or s.is_range or c.value == s.value:
        return False
    return any(
        o.sent == sf.sent
        and o is not sf
        and o.fig.kind == s.kind
        and o.fig.value == c.value
        and o.fig.unit == s.unit
        for o in idx.figs
    )


def _only_hedged(c: Figure, s: Figure) -> bool:
    """An unhedged claim value that the source states hedged ("£10,000" / "about £10,000")."""
    return c.approx is None and s.approx in ("about", "nearly") and s.value == c.value


def _judge(
    c: Figure,
    cctx: dict[str, float],
    idx: _Index,
    allowed: set[int] | None,
    bonus: dict[int, float] | None = None,
    *rest: Any,
    **kw: Any,
) -> tuple[str, _Best, _Best]:
    """``_judge_values`` (same arguments), then: an unhedged claim whose value the source
    states only hedged, at least as near the claim's words as any conflict, is ``not_found``
    with that hedged figure as the match (so the reason names it)."""
    res, match, conflict = _judge_values(c, cctx, idx, allowed, bonus, *rest, **kw)
    if res == "supported" or c.approx is not None or c.value is None or c.is_range:
        return res, match, conflict
    hedged = _Best()
    for sf in idx.figs:
        s = sf.fig
        if (allowed is None or sf.sent in allowed) and _only_hedged(c, s) and _comparable(c, s):
            hedged.offer(sf, _score(cctx, idx, sf) + (bonus or {}).get(sf.sent, 0.0))
    if hedged.sf is not None and hedged.score + MARGIN >= conflict.score:
        return "not_found", hedged, _Best()
    return res, match, conflict


def _judge_values(
    c: Figure,
    cctx: dict[str, float],
    idx: _Index,
    allowed: set[int] | None,
    bonus: dict[int, float] | None = None,
    others: tuple[tuple[Figure, dict[str, float]], ...] = (),
    rel: bool = False,
    loose_ok: bool = True,
    cslot: dict[tuple[str, int], float] | None = None,
) -> tuple[str, _Best, _Best]:
    """('supported' | 'contradicted' | 'not_found', best match, best conflict)."""
    match, conflict, weak, loose = _Best(), _Best(), _Best(), _Best()
    aligned, top_conflict = _Best(), _Best()
    slot_same, slot_diff = _Best(), _Best()
    top = _top_sentences(bonus)
    cofig = _cofigure_sentences([o for o, _ in others], idx) if cslot and others else {}
    # slot score per sentence of the claim's value (any matching mention) and of other values
    same_at: dict[int, float] = {}
    diff_at: dict[int, float] = {}
    matched_in: set[int] = set()
    differ_in: dict[int, list[_SourceFig]] = {}
    sided = _family(c) != "time_point"
    for sf in idx.figs:
        if allowed is not None and sf.sent not in allowed:
            continue
        s = sf.fig
        if not _comparable(c, s):
            continue
        sc = _score(cctx, idx, sf)
        if bonus:
            sc += bonus.get(sf.sent, 0.0)
        if _value_match(c, s, idx.years) and not _rounding_blurs(c, sf, idx):
            matched_in.add(sf.sent)
            paraphrased = _noun_conflict(c, sf, idx)
            if cslot:
                ss = slot_score(cslot, sf.slot, idx.idf, sided)
                same_at[sf.sent] = max(same_at.get(sf.sent, 0.0), ss)
                if not paraphrased:
                    slot_same.offer(sf, ss)
            if sf.sent in top and (
                not paraphrased or sf.sent in _cofigure_sentences([o for o, _ in others], idx)
            ):  # a noun paraphrase ("870 cases"/"870 people") only where co-figures agree
                aligned.offer(sf, _own_score(cctx, idx, sf))
            if paraphrased:
                weak.offer(sf, sc)
            elif (
                c.kind not in _SELF_BINDING
                and not c.is_range
                and loose_ok
                and allowed is None  # a cited span is the claim's own binding
                and (
                    sc < MIN_RELATED
                    or (not sided and sf.sent not in cofig and _unrelated_time(cctx, idx, sf, top))
                )
            ):
                loose.offer(sf, sc)
            else:
                match.offer(sf, sc)
        elif (
            not rel
            and not sf.rel
            and not _unbound_number(c, sf)
            and _strict_comparable(c, s)
            and not _other_person(c, cctx, s)
            and not _explained(c, cctx, sf, others, idx)
            and not _part_of_total(c, sf, idx)
        ):
            if s.kind == c.kind:
                differ_in.setdefault(sf.sent, []).append(sf)
            if cslot:
                ds = slot_score(cslot, sf.slot, idx.idf, sided)
                diff_at[sf.sent] = max(diff_at.get(sf.sent, 0.0), ds)
                slot_diff.offer(sf, ds)
            if _own_score(cctx, idx, sf) >= MIN_OWN or sf.sent in top:
                conflict.offer(sf, sc)
                if sf.sent in top:
                    top_conflict.offer(sf, _own_score(cctx, idx, sf))
    source = _source_sentence(cofig, len(others), matched_in | differ_in.keys())
    if source is not None and source not in matched_in and len(differ_in.get(source, [])) == 1:
        # the one sentence stating the claim's other figures holds another value of this kind
        k = _Best()
        k.offer(differ_in[source][0], _own_score(cctx, idx, differ_in[source][0]))
        return "contradicted", match, k
    if (
        slot_diff.sf is not None
        and slot_diff.score >= SLOT_STRONG
        and _vouched(same_at, diff_at, cofig) <= cofig.get(slot_diff.sf.sent, 0)
        and slot_diff.score > max(slot_same.score, 0.0) + SLOT_MARGIN
    ):
        # the claim's slot holds another value in the source; the claim's own value only sits
        # in weaker slots: the intrinsic swap
        return "contradicted", match, slot_diff
    if aligned.sf is not None and not _binds_better(top_conflict, aligned):
        # the claim's value stands in the sentence the claim was paraphrased from
        return "supported", aligned, conflict
    if (
        match.sf is not None
        and match.score >= MIN_SUPPORT
        and not (conflict.score >= MIN_CONFLICT and conflict.score > match.score + MARGIN)
    ):
        return "supported", match, conflict
    if (
        conflict.sf is not None
        and conflict.score >= MIN_CONFLICT
        and (conflict.score > match.score + MARGIN)
    ):
        return "contradicted", match, conflict
    if match.sf is None and weak.sf is not None:
        return "not_found", weak, conflict
    if match.sf is None and loose.sf is not None:
        return "not_found", loose, conflict
    return "not_found", match, conflict


def _span(idx: _Index, s: int, e: int) -> Span:
    return Span(start=s, end=e, text=idx.text[s:e])


def _sent_span(idx: _Index, sf: _SourceFig) -> list[Span]:
    s, e = idx.sentences[sf.sent]
    return [_span(idx, sf.fig.start, sf.fig.end), _span(idx, s, e)]


def _verdict_for(
    c: Figure,
    cctx: dict[str, float],
    idx: _Index,
    cited: set[int] | None,
    retrieved: list[int],
    bonus: dict[int, float] | None = None,
    others: tuple[tuple[Figure, dict[str, float]], ...] = (),
    rel: bool = False,
    cslot: dict[tuple[str, int], float] | None = None,
) -> FigureVerdict:
    if cited is not None:
        res, m, k = _judge(c, cctx, idx, cited, bonus, others, rel, cslot=cslot)
        if res == "supported" and m.sf is not None:
            return _from_match(
                c, idx, m, "supported", "cited", f"cited span says {m.sf.fig.text!r}"
            )
        res2, m2, k2 = _judge(c, cctx, idx, None, bonus, others, rel, cslot=cslot)
        if res2 == "supported" and m2.sf is not None:
            where = f"{m2.sf.fig.text!r} at {m2.sf.fig.start}-{m2.sf.fig.end}"
            return _from_match(
                c,
                idx,
                m2,
                "cited_elsewhere",
                "document",
                f"not in the cited span; the source says {where}",
            )
        if res == "contradicted" and k.sf is not None:
            return _contradiction(c, idx, k, "cited")
        return _unsupported(c, idx, res2, m2, k2, retrieved)
    res, m, k = _judge(c, cctx, idx, None, bonus, others, rel, cslot=cslot)
    if res != "supported" and c.is_range and c.low is not None and c.high is not None:
        ends = [_endpoint(c, c.low), _endpoint(c, c.high)]
        judged = [_judge(e, cctx, idx, None, bonus, others, rel, False, cslot) for e in ends]
        if all(j[0] == "supported" for j in judged):
            first, last = judged[0][1].sf, judged[1][1].sf
            assert first is not None and last is not None
            return FigureVerdict(
                figure=c,
                verdict="supported",
                evidence=_sent_span(idx, first) + _sent_span(idx, last),
                scope="document",
                source_figure=first.fig,
                score=round(min(j[1].score for j in judged), 3),
                reason=f"source gives both ends: {first.fig.text!r} and {last.fig.text!r}",
            )
    if res == "supported" and m.sf is not None:
        scope: Scope = "retrieved" if m.sf.sent in retrieved else "document"
        return _from_match(c, idx, m, "supported", scope, f"source says {m.sf.fig.text!r}")
    return _unsupported(c, idx, res, m, k, retrieved)


def _endpoint(c: Figure, v: float) -> Figure:
    return c.model_copy(update={"value": v, "low": v, "high": v, "is_range": False})


def _from_match(
    c: Figure, idx: _Index, best: _Best, verdict: Verdict, scope: Scope, reason: str
) -> FigureVerdict:
    """A verdict resting on one source figure: its sentence is the evidence."""
    assert best.sf is not None
    return FigureVerdict(
        figure=c,
        verdict=verdict,
        evidence=_sent_span(idx, best.sf),
        scope=scope,
        source_figure=best.sf.fig,
        score=round(best.score, 3),
        reason=reason,
    )


def _contradiction(c: Figure, idx: _Index, k: _Best, scope: Scope) -> FigureVerdict:
    assert k.sf is not None
    reason = f"source says {k.sf.fig.text!r} here, not {c.text!r}"
    return _from_match(c, idx, k, "contradicted", scope, reason)


def _unsupported(
    c: Figure, idx: _Index, res: str, m: _Best, k: _Best, retrieved: list[int]
) -> FigureVerdict:
    if res == "contradicted" and k.sf is not None:
        return _contradiction(c, idx, k, "retrieved" if k.sf.sent in retrieved else "document")
    if m.sf is not None:
        if _only_hedged(c, m.sf.fig):
            why = f"the source hedges it: {m.sf.fig.text!r} (an unhedged figure needs the value)"
        elif m.score < MIN_RELATED:
            why = f"{m.sf.fig.text!r} occurs only in an unrelated context"
        elif k.sf is not None:
            why = f"{m.sf.fig.text!r} occurs, but the related passage says {k.sf.fig.text!r}"
        else:
            why = f"the source says {m.sf.fig.text!r} about something else"
        ev = _sent_span(idx, m.sf)
    else:
        why = f"no figure matching {c.text!r} in the source"
        ev = [_span(idx, *idx.sentences[i]) for i in retrieved[:1]]
    return FigureVerdict(
        figure=c,
        verdict="not_found",
        evidence=ev,
        reason=why,
        scope="document",
        score=round(max(m.score, 0.0), 3),
    )


def _code_pattern(parts: list[str], any_number: bool = False) -> re.Pattern[str]:
    """Parts of an identifier with any separators between them; with ``any_number`` its
    digit parts become a capture of any digits (to find the same name with another number)."""
    body = r"[\W_]*".join(
        (r"(\d+)" if any_number else _number_alternatives(p)) if p[0].isdigit() else re.escape(p)
        for p in parts
    )
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![0-9])", re.IGNORECASE)


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _number_alternatives(digits: str) -> str:
    """A number inside a name as digits, Roman numerals or a word ("World War 2" / "World War
    II", "Formula 1" / "Formula One")."""
    n = int(digits)
    alts = [re.escape(digits)]
    if 0 < n < 4000:
        roman, rest = "", n
        for v, r in _ROMAN:
            while rest >= v:
                roman, rest = roman + r, rest - v
        alts.append(roman + r"(?![A-Za-z])")
    if n < len(NUMBER_NAMES):
        alts.append(NUMBER_NAMES[n] + r"(?![A-Za-z])")
    return "(?:" + "|".join(alts) + ")"


def _identifier_verdict(c: Figure, idx: _Index) -> FigureVerdict:
    """A name or code with digits must occur in the source as written (separators and case
    aside); the same name with another number is a contradiction ("Under 23" / "Under 21");
    a label whose name word and number both occur apart ("Boeing 747" / "Boeing ... 747
    planes") is supported."""
    parts = re.findall(r"[A-Za-z]+|\d+", c.text)
    text = idx.text
    m = _code_pattern(parts).search(text) or _fiscal_year(c.text, text)
    if m is not None:
        return _identifier_found(c, idx, m.start(), m.end(), "supported", "source says")
    digits = [p for p in parts if p[0].isdigit()]
    if len(digits) == 1 and any(p[0].isalpha() for p in parts):
        for o in _code_pattern(parts, any_number=True).finditer(text):
            if o.group(1) != digits[0]:
                return _identifier_found(c, idx, o.start(), o.end(), "contradicted", "source says")
    if c.noun is not None:
        w = re.search(rf"\b{re.escape(parts[0])}\b", text)
        n = re.search(rf"(?<![\w.,]){digits[0]}(?![\d,.]\d|\w)", text) if digits else None
        if w is not None and n is not None:
            return _identifier_found(
                c, idx, n.start(), n.end(), "supported", "name and number apart:"
            )
    return FigureVerdict(
        figure=c,
        verdict="not_found",
        reason=f"{c.text!r} does not occur in the source",
        scope="document",
    )


def _fiscal_year(code: str, text: str) -> re.Match[str] | None:
    """A fiscal-year code written out in the source: "FY2023" or "FY23" / "fiscal 2023" or
    "fiscal year 2023" ("Q3" and "H1" are ordinals, parsed in ``agent.figures``)."""
    fy = re.fullmatch(r"FY\s*-?(\d{2}|\d{4})", code, re.IGNORECASE)
    if fy is not None:
        y = fy.group(1)
        year = rf"(?:20)?{y[-2:]}" if len(y) == 2 else y
        return re.search(rf"\bfiscal(?:\s+year)?\s+{year}\b", text, re.IGNORECASE)
    return None


def _identifier_found(
    c: Figure, idx: _Index, s: int, e: int, verdict: Verdict, says: str
) -> FigureVerdict:
    sent = next(((a, b) for a, b in idx.sentences if a <= s < b), (s, e))
    tail = "" if verdict == "supported" else f" here, not {c.text!r}"
    return FigureVerdict(
        figure=c,
        verdict=verdict,
        evidence=[_span(idx, s, e), _span(idx, *sent)],
        reason=f"{says} {idx.text[s:e]!r}{tail}",
        scope="document",
        score=1.0,
    )


def _retrieve(claim_words: list[tuple[str, int, int]], idx: _Index) -> list[int]:
    scores: dict[int, float] = {}
    for t in {w for w, _, _ in claim_words}:
        i = idx.idf.get(t)
        if i is None:
            continue
        for si in idx.token_sents.get(t, ()):
            scores[si] = scores.get(si, 0.0) + i
    return sorted(scores, key=lambda k: -scores[k])[:RETRIEVE_K]


def _align(claim_words: list[tuple[str, int, int]], idx: _Index) -> dict[int, float]:
    """Source sentence -> ``ALIGN_WEIGHT`` x its share of the claim's IDF-weighted content words
    (relative to the best-aligned sentence): where the claim was paraphrased from."""
    scores: dict[int, float] = {}
    for t in {w for w, _, _ in claim_words}:
        i = idx.idf.get(t)
        if i is None:
            continue
        for si in idx.token_sents.get(t, ()):
            scores[si] = scores.get(si, 0.0) + i
    if not scores:
        return {}
    top = max(scores.values())
    return {i: ALIGN_WEIGHT * v / top for i, v in scores.items()}


def check_claim(claim: Claim, idx: _Index) -> ClaimCheck:
    words = content_words(claim.text)
    retrieved = _retrieve(words, idx)
    cited: set[int] | None = None
    if claim.citations:
        cited = {
            i
            for i, (s, e) in enumerate(idx.sentences)
            if any(s < ce and cs < e for cs, ce in claim.citations)
        }
    verdicts = []
    figs = extract_figures(claim.text)
    plain = [w for w in words if not any(f.start <= w[1] < f.end for f in figs)]
    align = _align(plain, idx)
    breaks = _clause_breaks(claim.text)
    ctxs = [_figure_context(words, f, 0, breaks) for f in figs]
    for i, f in enumerate(figs):
        others = tuple((o, ctxs[j]) for j, o in enumerate(figs) if j != i)
        bonus = dict(align)
        if len(figs) > 1:
            for si, k in _cofigure_sentences([o for o in figs if o is not f], idx).items():
                bonus[si] = bonus.get(si, 0.0) + COFIG_BONUS * min(2, k)
        verdicts.append(
            _verdict_for(
                f,
                ctxs[i],
                idx,
                cited,
                retrieved,
                bonus,
                others,
                _relative(claim.text, f),
                figure_slot(words, f, breaks, figs),
            )
        )
    verdicts += [_identifier_verdict(f, idx) for f in extract_identifiers(claim.text)]
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
    idx = _index(source_text, tuple(sentences) if sentences is not None else None)
    return VerificationReport(
        source_id=source_id,
        source_title=source_title,
        checks=[check_claim(c, idx) for c in claims],
    )


def verify_text(source_text: str, summary: str, **kw: str) -> VerificationReport:
    """``verify_claims`` on a summary split by ``claims_from_text``."""
    return verify_claims(source_text, claims_from_text(summary), **kw)  # type: ignore[arg-type]


__all__ = [
    "Claim",
    "ClaimCheck",
    "FigureVerdict",
    "Span",
    "VerificationReport",
    "claims_from_text",
    "stem",
    "verify_claims",
    "verify_text",
]
