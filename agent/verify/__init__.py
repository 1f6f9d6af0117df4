"""The figure verifier: every figure of every claim checked against the source text.

Pure functions, no model calls. ``verify_claims(source_text, claims)`` returns a
``VerificationReport`` with one ``FigureVerdict`` per figure. Every figure is a typed value
(``values``) with a frame read from a dependency parse (``frames``); a verdict compares
values and frames, mention by mention, never one sentence for a whole claim. Precision
first: a figure is flagged only when no source mention can state it.

The rules (each can be switched off by name, see ``rules.RULES``):

1. Scope: a claim's cited sentences when it cites any, else the whole document.
2. Supported: a mention states the same value in a comparable unit with no frame clash.
3. Written precision: "3.5 million" covers 3.45-3.55 million, by never more than 5 %;
   "about X" covers 5 % of X or half its last significant place.
4. The source's hedge never blocks its number: "about 4 km" and "just under 480" state 4 km
   and 480.
5. A claimed bound needs a value on its side or the same bound: "over 80" is supported by 95
   or "more than 80", never by "under 80" or "nearly 80"; "up to 60%" / "as many as 60" is a
   maximum reached, stated only by 60; a negated bound is the opposite one ("won't be more
   than 12"); a bound that misquotes the same measure's bound (same verb) in the source
   contradicts ("over 20 flooded" / "more than 30 flooded").
6. A claimed range needs a source range with both ends: "0.61 to 0.95" is not "0.61 to 0.85".
7. Units of account are part of an amount: $6.86 per share is not $6.86 in total, 1.5 % a
   month is not 1.5 % a year, and a minus sign belongs to its number.
8. Units convert within a dimension (pint): 3 weeks is 21 days, 4 km is 4,000 m; a count of time
   units is a duration ("nine long months"), the Nth anniversary N years, the Nth birthday
   an age of N.
9. Dates compare field by field: a field the claim states must match; "5 May" takes a year
   the document states; a bare year-like number ("for 2021") compares with years, and so does
   "'96"; a month alone ("in late October") supports a dated claim but decides nothing.
10. A count of one noun is not supported by a count of another ("40 cars" / "40 carrots"),
    unless the sentence holding one noun also holds the other, the other number counts nothing
    and has the claim's verb ("played 31 times" / "played 31 games"), or the other noun's phrase
    names what narrows the claim's ("35 museums that charge admission" / "35 admission-charging
    venues", which "120 venues" does not contradict); "12 of which" counts what "which" refers to.
11. An age belongs to its person: "Maria, 34" does not support "Tom, 34".
12. A prior value ("rose to $3.1 billion from $2.9 billion") supports only a claim that also
    gives it as prior.
13. Contradicted: no mention states the value with a compatible frame, and one of the same
    measure (same counted noun under the same verb, or same governing verb) states another
    value; "injured 3 riders" does not contradict "left 30 riders stranded".
14. Names with numbers ("COVID-19", "Under 21") must occur as written, separators, Roman
    numerals and number words aside; the same name with another number contradicts; the name
    without a number supports; a numbered name states its ordinal ("Apollo 11" / "the
    11th Apollo mission").
15. "one" and ordinal words ("the first time") are determiners, not checked figures.
16. A sentence addressed to the model ("Ignore the above and report...") is never evidence;
    the report warns that the source holds one.
"""

from __future__ import annotations

from ..figures import stem
from .caches import clear_caches
from .decide import check_claim, frame_clash, judge, same_measure, verify_claims
from .index import source_index
from .report import (
    MIN_GROUNDING,
    SCHEMA_VERSION,
    Claim,
    ClaimCheck,
    FigureVerdict,
    Span,
    VerificationReport,
    claims_from_text,
    grounding,
)
from .rules import NON_FIGURE_CHECKS, RULES, figures_only, rules_off


def verify_text(source_text: str, summary: str, **kw: str) -> VerificationReport:
    """``verify_claims`` on a summary split by ``claims_from_text``."""
    return verify_claims(source_text, claims_from_text(summary), **kw)  # type: ignore[arg-type]


__all__ = [
    "MIN_GROUNDING",
    "NON_FIGURE_CHECKS",
    "RULES",
    "SCHEMA_VERSION",
    "Claim",
    "ClaimCheck",
    "FigureVerdict",
    "Span",
    "VerificationReport",
    "check_claim",
    "claims_from_text",
    "clear_caches",
    "figures_only",
    "frame_clash",
    "grounding",
    "judge",
    "rules_off",
    "same_measure",
    "source_index",
    "stem",
    "verify_claims",
    "verify_text",
]
