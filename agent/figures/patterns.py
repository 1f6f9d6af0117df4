"""The figure parser's precompiled regular expressions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .vocab import _APPROX_WORDS, _ORDINALS, _SCALE_WORDS, _TENS_WORDS, _UNITS_WORDS


# ----------------------------------------------------------------- regexes
def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMW = _alt(_UNITS_WORDS + _TENS_WORDS + list(_SCALE_WORDS))
_WORDNUM = (
    rf"(?:(?:a|one)\s+(?:hundred|thousand|million|billion|trillion)|(?:{_NUMW}))"
    rf"(?:(?:\s+and\s+|\s*-\s*|\s+)(?:{_NUMW}))*"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_CUR_PRE = (
    r"(?:US\$|AU?\$|CA?\$|HK\$|NZ\$|[$£€¥₹₽₩]|(?<![A-Za-z])(?:Rs\.?\s?|USD\s?|GBP\s?|EUR\s?))"
)
_SCALE_RE = r"(?:thousand|millions?|billions?|trillion|mln|mn|bn|tn|[kKmMbB])"
_APPROX_RE = _alt([w for w, _ in _APPROX_WORDS])

_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2}|2100)"

_DATE_PATTERNS = [
    # 2024-11-04
    re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<mn>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\d-])"),
    # November 4, 2024 / Nov. 4th / May 29 1943
    re.compile(rf"\b(?P<m>{_MONTH_RE})\s+(?P<d>{_DAY})(?![\d,.]?\d)(?:,?\s+(?P<y>{_YEAR})(?!\d))?"),
    # 4 November 2024 / 4th of Nov
    re.compile(
        rf"(?<![\d.,])(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH_RE})(?:,?\s+(?P<y>{_YEAR})(?!\d))?"
    ),
    # June 2011
    re.compile(rf"\b(?P<m>{_MONTH_RE}),?\s+(?P<y>{_YEAR})(?!\d)"),
    # a month alone after a preposition of time: "in late October", "since March"
    re.compile(
        r"\b(?P<lead>(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Dd]uring|[Tt]hrough|[Ff]rom|[Bb]efore"
        r"|[Aa]fter|[Ll]ast|[Nn]ext|[Tt]his|[Tt]he|[Ee]arly|[Ll]ate|[Mm]id)(?:\s+(?:early|late|mid))?"
        r"[\s-]+)(?P<m>January|February|March|April|May|June|July|August|September|October"
        r"|November|December)\b(?![\s,.]*\d)"
    ),
]
_TIME_RE = re.compile(
    r"(?<![\d.:])(?P<h>[01]?\d|2[0-3])(?:[:.](?P<min>[0-5]\d))?\s*"
    r"(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)|(?<![\d.:])(?P<h2>[01]?\d|2[0-3]):(?P<min2>[0-5]\d)(?![\d:])",
    re.IGNORECASE,
)
_DECADE_RE = re.compile(r"(?<![\w'’.,])(?:(?P<c>1[0-9]|20)|['’])?(?P<dd>\d0)['’]?s\b")
_AGE_RE = re.compile(
    rf"(?P<n>{_DIGITS}|{_WORDNUM})[\s-]*(?P<u>year|month|week|day)s?[\s-]*old\b",
    re.IGNORECASE,
)
_AGED_RE = re.compile(
    rf"\b(?:aged|age(?:\s+of|\s*(?:--|[–—:]))?)\s+(?P<n>\d{{1,3}}|{_WORDNUM})\b(?!\s*(?:years?|months?|weeks?|days?)\b(?!\s*old))",
    re.IGNORECASE,
)
_SCORE_RANGE_RE = re.compile(
    r"(?<![\w.,$£€-])(?P<a>\d+(?:\.\d+)?)\s?[-–](?:\s?)(?P<b>\d+(?:\.\d+)?)(?![\w.,]?\d|-)"
)
_ORD_DIGIT_RE = re.compile(r"(?<![\w.,])(?P<n>\d+)(?P<s>st|nd|rd|th)\b", re.IGNORECASE)
_ORD_WORD_RE = re.compile(
    rf"\b(?:(?P<t>{_alt(_TENS_WORDS)})-)?(?P<o>{_alt(_ORDINALS)})\b", re.IGNORECASE
)
_DOZEN_RE = re.compile(
    r"\b(?P<half>half\s+a\s+)?(?P<a>a|one|two|three|four|five|six|\d+)?\s*dozen\b(?!s)",
    re.IGNORECASE,
)

_NUM_RE = re.compile(
    rf"(?:(?<![A-Za-z])(?P<approx>{_APPROX_RE})\s*)?"
    rf"(?P<cur>{_CUR_PRE})?"
    rf"(?:(?<![\w.,\d])(?P<dig>{_DIGITS})(?![\d])|(?<![\w-])(?P<word>{_WORDNUM})\b)"
    rf"(?:(?P<scalesep>\s?-?\s?)(?P<scale>{_SCALE_RE})(?![A-Za-z]))?"
    rf"(?P<plus>\+)?",
    re.IGNORECASE,
)
_FOLLOW_RE = re.compile(
    r"(?P<sep>\s*-\s*|\s+|)"
    r"(?P<w>per\s+cent|percentage\s+points?|percent|pct|pc\b|%"
    r"|(?:square|sq\.?)[ \t]*-?[ \t]*"
    r"(?:feet|foot|ft|metres?|meters?|m|miles?|mi|kilomet(?:re|er)s?|km)\b"
    r"|[A-Za-z°][A-Za-z/°]*)",
    re.IGNORECASE,
)
_PER_RE = re.compile(
    r"(?:\s*-?\s*(?:a|an|per|each|every)\s*-?\s*|\s*/\s*|\s+)"
    r"(?P<p>year|annum|month|week|day|night|hour|minute|second(?![ \t]+[a-z])|season|game|match)\b"
    r"|\s+(?P<adv>annually|yearly|monthly|weekly|daily|nightly|hourly)\b",
    re.IGNORECASE,
)
_PERIOD_CODE_RE = re.compile(r"\b([QH])([1-4])\b")
_EACH_RE = re.compile(r"\s+(?:each|apiece|a\s+piece)\b", re.IGNORECASE)
# "£1.85 per box", "$3 a kilo.": a price per unit of something (a period is read before)
_PER_UNIT_RE = re.compile(
    r"\s*(?:per\s+(?P<per>[a-z]{3,})\b"
    r"|an?\s+(?P<a>[a-z]{3,})(?=\s*(?:[.,;:)]|$|\s+(?:and|or|for|in|at|on|with|to)\b)))",
    re.IGNORECASE,
)
_OR_MORE_RE = re.compile(r"\s+or\s+(?:more|over)\b", re.IGNORECASE)
_RANGE_JOIN_RE = re.compile(r"\s*(?:to|-|–|—|and|or)\s*$", re.IGNORECASE)
_BETWEEN_RE = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
_SCORE_WORDS = frozenset(
    [
        "win",
        "won",
        "beat",
        "beaten",
        "lose",
        "lost",
        "defeat",
        "defeated",
        "victory",
        "draw",
        "drew",
        "drawn",
        "score",
        "scored",
        "lead",
        "led",
        "trail",
        "trailing",
        "thrash",
        "thrashed",
        "rout",
        "routed",
        "loss",
        "win",
        "triumph",
        "game",
        "match",
        "final",
        "tie",
        "tied",
        "goal",
        "goals",
        "sets",
        "set",
    ]
)
_NOUN_STOP = frozenset(
    [
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "from",
        "with",
        "and",
        "or",
        "but",
        "that",
        "which",
        "who",
        "as",
        "than",
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "per",
        "each",
        "every",
        "this",
        "these",
        "those",
        "its",
        "his",
        "her",
        "their",
        "our",
        "your",
        "since",
        "until",
        "before",
        "after",
        "during",
        "over",
        "under",
        "more",
        "less",
        "about",
        "into",
    ]
)
