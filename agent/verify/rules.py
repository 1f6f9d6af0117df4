"""Named switches for the verifier's rules, so a benchmark can turn each one off.

Every rule of the decision is listed in ``RULES`` and asked through ``on(name)``; the
benchmark's ablation (``benchmarks/bench_verify.py --ablate``) switches each off in turn and
keeps only rules that help on two data sets and hurt none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

RULES: dict[str, str] = {
    "sign": "a minus sign belongs to its number (-3.2% is not 3.2%)",
    "unit_of_account": "per share / each is part of an amount's unit",
    "yearish": "a bare whole number 1900-2100 may be a year",
    "range_both_ends": "a claimed range needs a source range with both ends",
    "bound_side": "a bound never matches the opposite bound ('over 480' / 'under 480', 'nearly"
    " 480')",
    "bare_number": "a number with no unit or noun may state an age or an hour ('shall we say 8')",
    "document_year": "a date without a year takes a year the document states",
    "person": "an age belongs to its person ('Maria, 34' does not support 'Tom, 34')",
    "date_range": "'May 3-9' states May 9 too",
    "ranges": "'three to five days', '$16.5-17 billion', 'between 3 and 5' are ranges",
    "name_labels": "a number right after a proper noun labels it ('Quizmasters 4'): checked as"
    " a name",
    "spoken_money": "'eight dollars seventy' is 8.70 dollars",
    "partitive": "'12 of which' counts what 'which' refers to",
    "bound_frame": "a claimed bound is supported only by a mention of the same measure",
    "specific_measure": "where the source counts the claim's noun, a bare count cannot state it",
    "role": "a prior value ('from $2.9 billion') does not support a current one",
    "instructions": "a sentence addressed to the model ('Ignore the above...') is no evidence",
    "contradiction": "a different value of the same measure, none equal, contradicts",
    "names": "every named entity of a claim is named in the source (spelling variants aside)",
    "roles": "a claim does not swap the subject and object of a source clause",
    "places": "a country is named by its names, people, capital or provinces ('UK' / 'London')",
    "negation": "a clause aligned to a source clause agrees with it in negation",
    "negation_sentence": "a negated claim restating a sentence that negates nothing contradicts it",
    "word_determiners": "'one' and ordinal words are determiners unless they count a noun",
    "narrower_noun": "a count of a narrower class ('35 admission-charging venues') is not a count"
    " of the whole class ('120 venues')",
    "time_units": "a count of months, years or days is a duration ('nine long months')",
    "anniversaries": "the Nth anniversary is N years ('the 50th anniversary' / 'a 50-year lease'),"
    " the Nth birthday an age of N",
    "short_years": "an apostrophe and two digits is a year ('Cork '96')",
    "negated_bound": "a negated bound is the opposite bound ('won't be more than 12': at most 12)",
    "same_verb": "a number that counts no noun restates a count of the same verb ('played 31 times'"
    " / 'played 31 games')",
    "misquoted_bound": "a claimed bound misquotes the source's bound of the same measure ('over"
    " 20 flooded' / 'more than 30 flooded')",
    "subject_binding": "a value said of another subject, where the claim's subject has another"
    " value, is glued ('schools get $1.3bn, roads $310m' / 'roads get $1.3bn')",
    "numbered_names": "an ordinal is stated by a numbered name ('the 11th mission' / 'Apollo 11')",
    "stated_maximum": "'up to 40', 'as many as 40' state 40 as the maximum reached: 25 does not"
    " support them",
    "negation_scope": "a negation whose scope the source states only without negation is flagged",
    "initials": "an abbreviation inside a name gives all its letters to the name's initials",
}
NON_FIGURE_CHECKS = (
    "names",
    "places",
    "negation",
    "negation_sentence",
    "roles",
    "negation_scope",
    "initials",
)
_OFF: set[str] = set()
_SWITCHED: list[Callable[[], None]] = []  # what to forget when a rule is switched


def on_switch(forget: Callable[[], None]) -> None:
    """Call ``forget`` whenever rules are switched (``caches`` registers the verifier's)."""
    _SWITCHED.append(forget)


def _switched() -> None:
    for forget in _SWITCHED:
        forget()


def on(name: str) -> bool:
    """Whether rule ``name`` is switched on (all are, unless a benchmark turns one off)."""
    return name not in _OFF


@contextmanager
def rules_off(*names: str) -> Iterator[None]:
    """Switch rules off inside the block (benchmark ablation; caches are cleared)."""
    unknown = set(names) - set(RULES)
    if unknown:
        raise KeyError(f"unknown rules: {sorted(unknown)}")
    before = set(_OFF)
    _OFF.update(names)
    _switched()
    try:
        yield
    finally:
        _OFF.clear()
        _OFF.update(before)
        _switched()


def figures_only(on: bool = True) -> None:
    """Check figures only (the ``checks = "figures"`` setting): names and negations off."""
    if on:
        _OFF.update(NON_FIGURE_CHECKS)
    else:
        _OFF.difference_update(NON_FIGURE_CHECKS)
    _switched()
