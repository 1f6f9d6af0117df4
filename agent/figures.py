"""Figures: every numeric mention in a text, parsed into a typed value with its span.

``extract_figures(text)`` finds counts ("11,000 soldiers", "eleven thousand", "11K", "a dozen"),
money ("$2,000 a month", "£550bn", "€3.5 million"), percentages and percentage points, dates
("November 4", "4 Nov 2024", "May 29, 1943", "2024-11-04"), years and decades, durations and ages
("3 months", "44-year-old"), measures ("1,100ft", "46.5g"), times of day ("2 pm"), ranges
("$300 to $350", "between 3 and 5"), scores ("1-0"), ordinals ("third", "13th") and the hedges
and bounds around them ("about", "nearly", "more than", "at least", "under", "10,000+").

Number words go through text2num; the rest is precompiled regular expressions and a few
rules. Pure functions, no I/O. A ``Figure`` records the literal value and bounds as written;
tolerances (what "about" allows) belong to the verifier, not to the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal[
    "count",
    "number",
    "money",
    "percent",
    "percentage_point",
    "date",
    "year",
    "decade",
    "duration",
    "age",
    "measure",
    "time",
    "score",
    "ordinal",
    "identifier",
    "entity",
    "negation",
]
Approx = Literal["about", "nearly", "more_than", "at_least", "under", "at_most"]


class Figure(BaseModel):
    """One numeric mention. ``text == source[start:end]``.

    ``value`` is the number in base units (scale applied: "£550bn" -> 5.5e11); for a range,
    ``value`` is None and ``low``/``high`` are its ends. ``low``/``high`` are the bounds the
    words state: equal to ``value`` for an exact figure, one side open (None) for "more than"
    or "under". ``precision`` is the place value of the last written digit times the scale
    ("3.5 million" -> 100000, "11,000" -> 1). Dates carry ``year``/``month``/``day`` (any may be
    None); a score keeps its two sides in ``low``/``high`` in written order.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    kind: Kind
    value: float | None = None
    low: float | None = None
    high: float | None = None
    is_range: bool = False
    precision: float = 1.0
    unit: str | None = None
    currency: str | None = None
    scale: float = 1.0
    per: str | None = None
    approx: Approx | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    words: bool = False
    noun: str | None = None
    context: tuple[str, ...] = ()


# ----------------------------------------------------------------- vocabularies
_UNITS_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
NUMBER_NAMES = tuple(_UNITS_WORDS)  # "zero" .. "nineteen", by value
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALE_WORDS = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
    "thousandth": 1000,
}
MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_SCALE_SUFFIX = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
_CURRENCY_SYMBOL = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "¥": "JPY",
    "₹": "INR",
    "rs": "INR",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "hk$": "HKD",
    "nz$": "NZD",
    "₽": "RUB",
    "₩": "KRW",
}
_CURRENCY_WORD = {
    "dollar": "USD",
    "dollars": "USD",
    "buck": "USD",
    "bucks": "USD",
    "quid": "GBP",
    "usd": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "yen": "JPY",
    "rupee": "INR",
    "rupees": "INR",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "won": "KRW",
    "francs": "CHF",
    "franc": "CHF",
    "pence": "GBP",
    "p": "GBP",
    "cents": "USD",
    "cent": "USD",
}
_SUBUNIT = {"pence": 0.01, "p": 0.01, "cents": 0.01, "cent": 0.01}
# unit word -> (canonical unit, factor to the dimension's base unit, dimension)
_UNIT_TABLE: dict[str, tuple[str, float, str]] = {}
for _names, _canon, _factor, _dim in (
    ("mm millimetre millimetres millimeter millimeters", "mm", 0.001, "length"),
    ("cm centimetre centimetres centimeter centimeters", "cm", 0.01, "length"),
    ("metre metres meter meters", "m", 1.0, "length"),
    ("km kilometre kilometres kilometer kilometers kms", "km", 1000.0, "length"),
    ("mile miles", "mile", 1609.344, "length"),
    ("ft feet foot", "ft", 0.3048, "length"),
    ("inch inches", "inch", 0.0254, "length"),
    ("yard yards yds", "yard", 0.9144, "length"),
    ("g gram grams gramme grammes", "g", 1.0, "mass"),
    ("mg milligram milligrams", "mg", 0.001, "mass"),
    ("kg kilo kilos kilogram kilograms kilogramme kilogrammes", "kg", 1000.0, "mass"),
    ("lb lbs", "lb", 453.59237, "mass"),
    ("oz ounce ounces", "oz", 28.349523, "mass"),
    ("stone st", "stone", 6350.29318, "mass"),
    ("tonne tonnes ton tons", "tonne", 1e6, "mass"),
    ("mph", "mph", 0.44704, "speed"),
    ("kph km/h kmh", "km/h", 0.2777778, "speed"),
    ("knot knots", "knot", 0.514444, "speed"),
    ("ml millilitre millilitres milliliter milliliters", "ml", 0.001, "volume"),
    ("litre litres liter liters", "l", 1.0, "volume"),
    ("gallon gallons", "gallon", 3.785411, "volume"),
    ("acre acres", "acre", 4046.856, "area"),
    ("hectare hectares", "hectare", 10000.0, "area"),
    ("sq sqft square_foot square_feet sq_ft", "sqft", 0.092903, "area"),
    ("square_metre square_metres square_meter square_meters sq_m sqm", "sqm", 1.0, "area"),
    ("square_mile square_miles sq_mi", "sqmi", 2589988.0, "area"),
    (
        "square_kilometre square_kilometres square_kilometer square_kilometers sq_km",
        "sqkm",
        1e6,
        "area",
    ),
    ("degree degrees °c °f °", "degree", 1.0, "temperature"),
    ("kcal calorie calories", "kcal", 1.0, "energy"),
    ("kw kilowatt kilowatts", "kW", 1e3, "power"),
    ("mw megawatt megawatts", "MW", 1e6, "power"),
    ("gw gigawatt gigawatts", "GW", 1e9, "power"),
    ("kb", "kB", 1e3, "data"),
    ("mb megabyte megabytes", "MB", 1e6, "data"),
    ("gb gigabyte gigabytes", "GB", 1e9, "data"),
    ("tb terabyte terabytes", "TB", 1e12, "data"),
):
    for _n in _names.split():
        _UNIT_TABLE[_n] = (_canon, _factor, _dim)

# duration word -> (canonical unit, length in days)
DURATIONS: dict[str, tuple[str, float]] = {}
for _names, _canon, _days in (
    ("second seconds sec secs", "second", 1 / 86400),
    ("minute minutes min mins", "minute", 1 / 1440),
    ("hour hours hr hrs", "hour", 1 / 24),
    ("day days night nights", "day", 1.0),
    ("week weeks", "week", 7.0),
    ("fortnight fortnights", "fortnight", 14.0),
    ("month months", "month", 30.4375),
    ("year years yr yrs", "year", 365.25),
    ("decade decades", "decade", 3652.5),
    ("century centuries", "century", 36525.0),
):
    for _n in _names.split():
        DURATIONS[_n] = (_canon, _days)

_PERIODS = {
    "year": "year",
    "annum": "year",
    "annually": "year",
    "yearly": "year",
    "month": "month",
    "monthly": "month",
    "week": "week",
    "weekly": "week",
    "day": "day",
    "daily": "day",
    "night": "night",
    "nightly": "night",
    "hour": "hour",
    "hourly": "hour",
    "minute": "minute",
    "second": "second",
    "season": "season",
    "game": "game",
    "match": "match",
}

_APPROX_WORDS: list[tuple[str, Approx]] = [
    ("approximately", "about"),
    ("approx.", "about"),
    ("approx", "about"),
    ("about", "about"),
    ("around", "about"),
    ("roughly", "about"),
    ("some", "about"),
    ("circa", "about"),
    ("an estimated", "about"),
    ("estimated", "about"),
    ("close to", "nearly"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("just under", "nearly"),
    ("just shy of", "nearly"),
    ("just over", "more_than"),
    ("more than", "more_than"),
    ("over", "more_than"),
    ("above", "more_than"),
    ("exceeding", "more_than"),
    ("upwards of", "more_than"),
    ("in excess of", "more_than"),
    ("north of", "more_than"),
    ("at least", "at_least"),
    ("no fewer than", "at_least"),
    ("no less than", "at_least"),
    ("a minimum of", "at_least"),
    ("fewer than", "under"),
    ("less than", "under"),
    ("under", "under"),
    ("below", "under"),
    ("up to", "at_most"),
    ("at most", "at_most"),
    ("no more than", "at_most"),
    ("not more than", "at_most"),
    ("not less than", "at_least"),
    ("as many as", "at_most"),
    ("as much as", "at_most"),
    ("a maximum of", "at_most"),
    ("~", "about"),
    (">", "more_than"),
    ("<", "under"),
]
_APPROX_MAP = dict(_APPROX_WORDS)

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "also",
        "as",
        "per",
        "said",
        "says",
        "say",
        "according",
        "told",
        "tell",
        "while",
        "than",
        "said",
        "new",
        "one",
        "ones",
        "up",
        "out",
        "get",
        "got",
        "last",
        "first",
        "next",
        "since",
        "until",
        "ago",
        "yet",
        "still",
        "even",
        "well",
        "much",
        "many",
        "made",
        "make",
        "including",
        "include",
        "includes",
        "around",
        "nearly",
        "almost",
        "least",
        "less",
        "fewer",
        "approximately",
        "roughly",
        "just",
        "like",
        "via",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "time",
        "times",
    ]
)

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")


_IRREGULAR = {
    "children": "child",
    "men": "man",
    "women": "woman",
    "people": "person",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "lives": "life",
    # irregular past forms, so "paid" meets "pay" and "won" meets "win"
    "paid": "pay",
    "made": "make",
    "won": "win",
    "lost": "lose",
    "sold": "sell",
    "bought": "buy",
    "spent": "spend",
    "held": "hold",
    "fell": "fall",
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "met": "meet",
    "told": "tell",
    "built": "build",
    "kept": "keep",
    "struck": "strike",
    "stole": "steal",
    "stolen": "steal",
    "drove": "drive",
    "driven": "drive",
    "wrote": "write",
    "written": "write",
    "broke": "break",
    "broken": "break",
    "brought": "bring",
    "caught": "catch",
    "fought": "fight",
    "sent": "send",
    "began": "begin",
    "begun": "begin",
    "flew": "fly",
    "flown": "fly",
}


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English stem (Snowball) of a lower-cased word without its possessive."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    w = _IRREGULAR.get(w, w)
    return str(_stemmer().stemWord(w))  # type: ignore[attr-defined]


def content_words(text: str) -> list[tuple[str, int, int]]:
    """Stemmed content words of ``text`` with their spans (stopwords dropped)."""
    out = []
    for m in _WORD_RE.finditer(text):
        w = m.group()
        lw = w.lower()
        if lw in STOPWORDS or len(lw) < 2:
            continue
        out.append((stem(w), m.start(), m.end()))
    return out


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
    rf"\b(?:aged|age(?:\s+of)?)\s+(?P<n>\d{{1,3}}|{_WORDNUM})\b(?!\s*(?:years?|months?|weeks?|days?)\b(?!\s*old))",
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


def _num_value(digits: str | None, word: str | None) -> float | None:
    if digits is not None:
        return float(digits.replace(",", ""))
    if word is not None:
        return words_to_number(word)
    return None


@lru_cache(maxsize=4096)
def words_to_number(text: str) -> float | None:
    """English number words to a number ("eleven thousand" -> 11000.0); None if not one."""
    from text_to_num import text2num

    t = re.sub(r"\s*-\s*", "-", text.strip().lower())
    t = re.sub(r"^(?:a|one)\s+(?=hundred|thousand|million|billion|trillion)", "one ", t)
    t = re.sub(r"\s+", " ", t)
    try:
        return float(text2num(t, "en"))
    except (ValueError, TypeError):
        pass
    # text2num refuses some valid forms ("one hundred and five"): fold them ourselves.
    total = 0.0
    current = 0.0
    seen = False
    for tok in re.split(r"[\s-]+", t):
        if tok == "and":
            continue
        if tok in _UNITS_WORDS:
            current += _UNITS_WORDS.index(tok)
        elif tok in _TENS_WORDS:
            current += 20 + 10 * _TENS_WORDS.index(tok)
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok in _SCALE_WORDS:
            total += (current or 1) * _SCALE_WORDS[tok]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _precision_of(digits: str | None, scale: float) -> float:
    """Place value of the last written digit, times the scale."""
    if digits is None:
        return scale
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1]) * scale
    return scale


def _next_words(text: str, pos: int, limit: int = 4) -> list[tuple[str, int, int]]:
    """Up to ``limit`` words right after ``pos`` within the same clause."""
    out: list[tuple[str, int, int]] = []
    i = pos
    n = len(text)
    while len(out) < limit and i < n:
        m = re.compile(r"[ \t]*-?[ \t]*([A-Za-z][A-Za-z'’]*)").match(text, i)
        if not m:
            break
        out.append((m.group(1), m.start(1), m.end(1)))
        i = m.end()
    return out


_PLURAL_IRREGULAR = frozenset(["people", "children", "men", "women", "police", "staff", "feet"])
_RELATIVE_WORDS = frozenset(["more", "extra", "additional", "further", "other", "others", "fewer"])
_OF_DET = frozenset(["the", "these", "those", "his", "her", "their", "its", "our", "my", "your"])
_NOT_PLURAL = frozenset(["has", "was", "is", "this", "its", "his", "does", "goes", "says", "news"])


def _plural(w: str) -> bool:
    lw = w.lower()
    if lw in _PLURAL_IRREGULAR:
        return True
    return (
        lw.endswith("s")
        and not lw.endswith(("ss", "'s", "’s", "us", "is"))
        and len(lw) > 3
        and lw not in _NOT_PLURAL
    )


def _noun_after(text: str, pos: int) -> str | None:
    """The head noun after a figure. Up to four words of the same phrase are read (function
    words end it; a leading "more/extra/other" is skipped): the first plural among them is the
    head ("children's cook books", "16 eye-wateringly expensive timepieces"); else the last word
    of a run of capitalised words or adjectives ("Premier League title"). "N of the X" reads X
    ("53 of the Moai"; "5,000 square foot of outdoor roof space"). A word hyphenated to the
    number is the noun counted, whatever follows ("4-course meals" counts courses)."""
    hy = re.match(r"-([a-z]{3,})\b(?!-)", text[pos : pos + 30])
    if hy is not None:
        lw = hy.group(1)
        if lw not in _NOUN_STOP and lw not in _PERIODS and lw not in DURATIONS and lw != "off":
            return stem(lw)
    words = _next_words(text, pos, 6)
    gap = text[pos : words[0][1]] if words else ""
    if any(ch in gap for ch in ',.;:!?()"“”'):
        return None
    i = 0
    while i + 1 < len(words) and words[i][0].lower() in _RELATIVE_WORDS:
        i += 1
    of_phrase = False
    if i < len(words) and words[i][0].lower() == "of" and i == 0:
        i += 1
        while i < len(words) and words[i][0].lower() in _OF_DET:
            i += 1
        of_phrase = True
    phrase: list[str] = []
    prev_end = words[i - 1][2] if i > 0 else pos
    for w, ws, we in words[i : i + 4]:
        lw = w.lower()
        if lw in _NOUN_STOP or lw in _PERIODS or lw in DURATIONS:
            break
        if phrase and any(ch in text[prev_end:ws] for ch in ",.;:!?()"):
            break
        phrase.append(w)
        prev_end = we
    if not phrase:
        return None
    for w in phrase:
        if _plural(w):
            return stem(w)
    if of_phrase:
        return stem(phrase[-1])
    run: list[str] = []
    for w in phrase:
        lw = w.lower()
        run.append(lw)
        if not w[0].isupper() and not lw.endswith(("al", "an", "ish", "ese")):
            break
    return stem(run[-1])


def _name_after(text: str, pos: int) -> str | None:
    """The name right after an age ("26-year-old Lisa Courtney" -> "lisa")."""
    m = re.match(r"[ \t]+([A-Z][a-z]+)\b", text[pos : pos + 30])
    if m is None or m.group(1).lower() in STOPWORDS or m.group(1).lower() in _WEEKDAYS:
        return None
    return stem(m.group(1))


def _context(text: str, start: int, end: int, width: int = 40) -> tuple[str, ...]:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    return tuple(w for w, s, e in content_words(text[lo:hi]) if e + lo <= start or s + lo >= end)


class _Taken:
    def __init__(self, n: int) -> None:
        self.mask = bytearray(n)

    def free(self, s: int, e: int) -> bool:
        return not any(self.mask[s:e])

    def take(self, s: int, e: int) -> None:
        self.mask[s:e] = b"\x01" * (e - s)


def _date_fig(text: str, m: re.Match[str]) -> Figure | None:
    gd = m.groupdict()
    month = None
    if gd.get("m"):
        month = MONTHS.get(gd["m"].rstrip(".").lower())
    elif gd.get("mn"):
        month = int(gd["mn"])
    day = int(re.sub(r"\D", "", gd["d"])) if gd.get("d") else None
    year = int(gd["y"]) if gd.get("y") else None
    if month is None:
        return None
    if gd.get("m") == "May" and day is None and year is None:
        return None
    if gd.get("m") and gd["m"].rstrip(".").lower() == "may" and not gd["m"][0].isupper():
        return None
    if day is not None and day > 31:
        return None
    val = float(year) if year is not None and day is None else None
    return _exact(m, "date", val, year=year, month=month, day=day)


def _exact(m: re.Match[str], kind: Kind, v: float | None, **kw: Any) -> Figure:
    """A figure of one exact value spanning the whole match."""
    return Figure(
        text=m.group(), start=m.start(), end=m.end(), kind=kind, value=v, low=v, high=v, **kw
    )


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text``, in order of position, non-overlapping."""
    return list(_extract_cached(text))


_CODE_CHAR = re.compile(r"[A-Za-z0-9]")
_NAME_WORD = re.compile(r"([A-Z][A-Za-z]+)\s+$")
# citation markers a summary carries, not names: "[S1]", "[3]", "[S2, S5]"
_CITE_MARK = re.compile(r"\[\s*[A-Za-z]{0,3}\d+(?:\s*[,;-]\s*[A-Za-z]{0,3}\d+)*\s*\]")


def extract_identifiers(text: str) -> list[Figure]:
    """Names and codes with digits that are not figures ("COVID-19", "MH17", "Under 21",
    "Boeing 747"): ``kind="identifier"``, ``noun`` the lower-cased name word of a label."""
    return list(_identifiers_cached(text))


@lru_cache(maxsize=4096)
def _identifiers_cached(text: str) -> tuple[Figure, ...]:
    covered = [(f.start, f.end) for f in _extract_cached(text)]
    covered += [m.span() for m in _CITE_MARK.finditer(text)]
    out: list[Figure] = []
    for m in re.finditer(r"\d+", text):
        if any(s <= m.start() < e for s, e in covered) or (out and m.start() < out[-1].end):
            continue
        s, e = m.start(), m.end()
        while s > 0 and (_CODE_CHAR.match(text[s - 1]) or _joins(text, s - 1)):
            s -= 1
        while e < len(text) and (_CODE_CHAR.match(text[e]) or _joins(text, e)):
            e += 1
        noun = None
        if s == m.start():
            # bare digits: an identifier only as a label after a capitalised name word
            pm = _NAME_WORD.search(text, max(0, s - 25), s)
            if pm is None:
                continue
            w = pm.group(1).lower()
            if (
                w in MONTHS
                or w in _WEEKDAYS
                or (w in STOPWORDS and w not in _APPROX_MAP)
                or w in ("no", "number", "page", "room", "route", "row")
                or (w in _APPROX_MAP and _sentence_start(text, pm.start(1)))
            ):
                continue
            s, noun = pm.start(1), w
        elif not re.search(r"[A-Za-z]", re.sub(r"(?<=\d)(?:st|nd|rd|th|s)\b", "", text[s:e])):
            continue  # "13th", "1990s", "24/7"
        out.append(Figure(text=text[s:e], start=s, end=e, kind="identifier", noun=noun))
    return tuple(out)


def _joins(text: str, i: int) -> bool:
    """A hyphen, slash or dot between two code characters ("SARS-CoV-2", "No.10")."""
    return (
        text[i] in "-/."
        and 0 < i < len(text) - 1
        and bool(_CODE_CHAR.match(text[i - 1]))
        and bool(_CODE_CHAR.match(text[i + 1]))
    )


@lru_cache(maxsize=4096)
def _extract_cached(text: str) -> tuple[Figure, ...]:
    figs: list[Figure] = []
    taken = _Taken(len(text))

    def add(f: Figure) -> None:
        if taken.free(f.start, f.end):
            taken.take(f.start, f.end)
            figs.append(f.model_copy(update={"context": _context(text, f.start, f.end)}))

    # dates first: they contain numbers that mean nothing alone
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            if taken.free(m.start(), m.end()):
                f = _date_fig(text, m)
                if f is not None:
                    add(f)
    for m in _TIME_RE.finditer(text):
        if not taken.free(m.start(), m.end()):
            continue
        if m.group("h") is not None:
            h = int(m.group("h")) % 12
            if m.group("ap").lower().startswith("p"):
                h += 12
            mins = int(m.group("min") or 0)
        else:
            h, mins = int(m.group("h2")), int(m.group("min2"))
            if h > 23:
                continue
        v = float(h * 60 + mins)
        add(_exact(m, "time", v, unit="minute_of_day"))
    for m in _DECADE_RE.finditer(text):
        cent = m.group("c")
        base = int((cent or "19") + m.group("dd"))
        # "in his 60s": an age band, not a decade
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if cent is None and re.search(r"\b(?:his|her|their|early|late|mid)\s*-?$", before):
            lo = float(m.group("dd"))
            add(
                Figure(
                    text=m.group(),
                    start=m.start(),
                    end=m.end(),
                    kind="age",
                    low=lo,
                    high=lo + 9,
                    is_range=True,
                    unit="year",
                )
            )
            continue
        add(
            Figure(
                text=m.group(),
                start=m.start(),
                end=m.end(),
                kind="decade",
                value=float(base),
                low=float(base),
                high=float(base + 9),
                is_range=True,
                year=base,
            )
        )
    for m in _AGE_RE.finditer(text):
        n = m.group("n")
        v = float(n.replace(",", "")) if n[0].isdigit() else words_to_number(n)  # type: ignore[assignment]
        if v is None:
            continue
        add(
            _exact(
                m,
                "age",
                v,
                unit=DURATIONS[m.group("u").lower()][0],
                words=not n[0].isdigit(),
                noun=_name_after(text, m.end()),
            )
        )
    for m in _AGED_RE.finditer(text):
        n = m.group("n")
        v = float(n) if n[0].isdigit() else words_to_number(n)  # type: ignore[assignment]
        if v is None:
            continue
        add(_exact(m, "age", v, unit="year", words=not n[0].isdigit()))
    _scores_and_ranges(text, taken, add)
    _ratios_and_fractions(text, add)
    for m in _DOZEN_RE.finditer(text):
        a = m.group("a")
        k = (
            1.0
            if a is None or a.lower() in ("a", "one")
            else (float(a) if a.isdigit() else float(_UNITS_WORDS.index(a.lower())))
        )
        v = 6.0 if m.group("half") else 12.0 * k
        add(_exact(m, "count", v, words=True, noun=_noun_after(text, m.end())))
    for m in _PERIOD_CODE_RE.finditer(text):
        # "Q3" / "H1": the third quarter, the first half (of a reporting year)
        if m.group(1) == "Q" or m.group(2) in "12":
            noun = "quarter" if m.group(1) == "Q" else "half"
            add(_exact(m, "ordinal", float(m.group(2)), noun=noun))
    for m in _ORD_DIGIT_RE.finditer(text):
        v = float(m.group("n"))
        add(_exact(m, "ordinal", v, noun=_noun_after(text, m.end())))
    for m in _ORD_WORD_RE.finditer(text):
        o = m.group("o").lower()
        after = text[m.end() : m.end() + 12].lower()
        before = text[max(0, m.start() - 8) : m.start()].lower()
        if o == "second" and (
            re.match(r"\s*(?:hand|ary|s\b)", after)
            or re.search(r"\b(?:a|split|one|per|every)\s+$", before)
        ):
            continue
        if o == "first" and re.search(r"\b(?:at)\s+$", before):
            continue
        if not _ordinal_slot(text, m.start(), m.end()):
            continue
        v = float(
            _ORDINALS[o]
            + (20 + 10 * _TENS_WORDS.index(m.group("t").lower()) if m.group("t") else 0)
        )
        hy = re.match(r"-([A-Za-z]+)", text[m.end() : m.end() + 20])
        add(
            _exact(
                m,
                "ordinal",
                v,
                words=True,
                noun=stem(hy.group(1)) if hy else _noun_after(text, m.end()),
            )
        )
    _numbers(text, taken, add)
    figs.sort(key=lambda f: f.start)
    return tuple(_merge_ranges(text, figs))


_SMALL = rf"(?:\d{{1,3}}(?:,\d{{3}})*|{_alt(_UNITS_WORDS + _TENS_WORDS)}|a)"
_RATIO_RE = re.compile(
    rf"(?<![\w.,-])(?P<a>{_SMALL})\s+(?:in|out\s+of)\s+(?:every\s+)?(?P<b>{_SMALL})\b"
    rf"(?!\s*(?:{_alt(DURATIONS)})\b)(?![.,]\d)",
    re.IGNORECASE,
)
_FRACTIONS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
_FRACTION_RE = re.compile(
    rf"(?<![\w-])(?P<a>one|two|three|four|nine|a)(?P<sep>\s*-\s*|\s+)(?P<d>{_alt(_FRACTIONS)})\b"
    r"(?P<of>\s+of\b)?",
    re.IGNORECASE,
)


def _small_value(t: str) -> float | None:
    lt = t.lower()
    if lt == "a":
        return 1.0
    if lt[0].isdigit():
        return float(lt.replace(",", ""))
    return words_to_number(lt)


def _ratios_and_fractions(text: str, add: object) -> None:
    """ "1 in 12", "one out of five" (a rate) and "two-thirds", "one-half", "a quarter of" (a
    fraction): both become percentages so "one in ten" and "10%" compare."""
    assert callable(add)
    for m in _RATIO_RE.finditer(text):
        a, b = _small_value(m.group("a")), _small_value(m.group("b"))
        if a is None or b is None or not (0 < a < b) or m.group("a").lower() == "a":
            continue
        v = 100.0 * a / b
        add(_exact(m, "percent", v, precision=0.01, noun=_noun_after(text, m.end())))
    for m in _FRACTION_RE.finditer(text):
        a_s, d_s = m.group("a").lower(), m.group("d").lower()
        if a_s == "a" and not m.group("of"):
            continue  # "a quarter" alone is often a time span or a quarter of the year
        if d_s.endswith("s") != (a_s not in ("a", "one")) and d_s != "half":
            continue  # "one thirds" / "two third": not a fraction
        if d_s == "half" and (a_s not in ("one", "a") or m.group("sep").strip("- \t")):
            continue
        if d_s == "half" and a_s == "a":
            continue
        a = _small_value(a_s)
        if a is None:
            continue
        v = 100.0 * a / _FRACTIONS[d_s]
        add(
            Figure(
                text=text[m.start() : m.end("d")],
                start=m.start(),
                end=m.end("d"),
                kind="percent",
                value=v,
                low=v,
                high=v,
                precision=2.0,
                words=True,
                noun=_noun_after(text, m.end("d")),
            )
        )


def _scores_and_ranges(text: str, taken: _Taken, add: object) -> None:
    """ "1-0" (score), "2014-15" (years), "300-350" (range) written with a dash."""
    assert callable(add)
    for m in _SCORE_RANGE_RE.finditer(text):
        a_s, b_s = m.group("a"), m.group("b")
        a, b = float(a_s), float(b_s)
        s, e = m.start(), m.end()
        if not taken.free(s, e):
            continue
        # years: 2014-15, 2011-2012
        if re.fullmatch(_YEAR, a_s) and (len(b_s) == 2 or re.fullmatch(_YEAR, b_s)):
            b_full = float(a_s[:2] + b_s) if len(b_s) == 2 else b
            if b_full > a:
                add(
                    Figure(
                        text=m.group(),
                        start=s,
                        end=e,
                        kind="year",
                        low=a,
                        high=b_full,
                        is_range=True,
                        year=int(a),
                    )
                )
                continue
        window = " ".join(w for w, _, _ in content_words(text[max(0, s - 60) : e + 40]))
        sporty = any(stem(w) in _SCORE_WORDS or w in _SCORE_WORDS for w in window.split())
        follow = text[e : e + 12]
        if a >= b and "." not in a_s + b_s and a <= 200:
            add(Figure(text=m.group(), start=s, end=e, kind="score", low=a, high=b))
            continue
        if re.match(r"\s*(?:[A-Za-z%])", follow) and not re.match(
            r"\s*(?:win|victory|draw|defeat|loss|lead|scoreline|triumph|thrashing|home|away|"
            r"aggregate|at\b|in\b|on\b|against|over|with|to\b|after|and\b)",
            follow,
            re.I,
        ):
            # "3-4 days", "10-15%", "2-4 bedrooms": a range of something
            if a < b:
                _range_with_follow(text, m, a, b, add)
            continue
        if "." not in a_s + b_s and a <= 20 and b <= 20 and (sporty or a >= b):
            add(Figure(text=m.group(), start=s, end=e, kind="score", low=a, high=b))
        elif a < b:
            _range_with_follow(text, m, a, b, add)


def _range_with_follow(text: str, m: re.Match[str], a: float, b: float, add: object) -> None:
    assert callable(add)
    unit_fig = _suffix_figure(text, m.start("b"), m.group("b"), None, None, None, None)
    if unit_fig is None:
        return
    scale = unit_fig.scale
    add(
        unit_fig.model_copy(
            update={
                "text": text[m.start() : unit_fig.end],
                "start": m.start(),
                "value": None,
                "low": a * scale,
                "high": b * scale,
                "is_range": True,
                "approx": None,
            }
        )
    )


def _numbers(text: str, taken: _Taken, add: object) -> None:
    assert callable(add)
    for m in _NUM_RE.finditer(text):
        dig, word = m.group("dig"), m.group("word")
        ns = m.start("dig") if dig is not None else m.start("word")
        ne = m.end("dig") if dig is not None else m.end("word")
        if not taken.free(ns, ne):
            continue
        if word is not None:
            lw = word.lower()
            if lw == "one" and _bad_one(text, ns, ne):
                continue
            if lw in ("a", "an"):
                continue
        if dig is not None and _glued(text, ns, ne):
            continue
        label = _name_label(text, m, ns)
        fig = _suffix_figure(text, ns, dig, word, m, m.group("cur"), m.group("approx"))
        if fig is None:
            continue
        if label and (fig.kind == "number" or (m.group("approx") or "")[:1].isupper()):
            continue
        lab = _LABEL_BEFORE_RE.search(text, max(0, ns - 12), ns)
        if lab is not None and fig.kind in ("number", "count") and fig.approx is None:
            # "day one", "Round 3", "Test 2": a numbered slot, an ordinal rather than a count
            fig = fig.model_copy(
                update={
                    "kind": "ordinal",
                    "noun": stem(lab.group(1)),
                    "start": ns,
                    "end": ne,
                    "text": text[ns:ne],
                }
            )
        if fig.kind == "number" and dig is not None and _appositive(text, m.start(), ne):
            # "Kerry Green, 13, was targeted": the age of the person just named
            name = re.search(r"([A-Z][a-z]+)\s*,\s*$", text[max(0, ns - 30) : ns])
            fig = fig.model_copy(
                update={
                    "kind": "age",
                    "unit": "year",
                    "noun": stem(name.group(1)) if name else None,
                }
            )
        if taken.free(fig.start, fig.end):
            add(fig)
        elif taken.free(ns, ne):
            add(fig.model_copy(update={"start": ns, "end": ne, "text": text[ns:ne]}))


_LABEL_BEFORE_RE = re.compile(
    r"\b(day|week|round|stage|leg|part|chapter|phase|episode|level|grade|tier|zone|page|room)"
    r"\s+$",
    re.IGNORECASE,
)
_ORD_SLOT_BEFORE_RE = re.compile(
    r"(?:\b(?:the|a|an|its|his|her|their|our|my|your|this|that|each|every|which|whose|"
    r"finished|finish|finishing|came|come|placed|ranked|ranks|rank|was|is|are|were|be|been|"
    r"in|for|on|of|from|to|at|and)|['’]s?|\d|,)\s+$",
    re.IGNORECASE,
)


_ORD_SLOT_AFTER_RE = re.compile(
    r"\s+(?:quarter|half|place|round|floor|time|day|week|month|year|season|term|leg|set|"
    r"innings|anniversary|century|test|game|match|goal|grade|child|son|daughter|stage|"
    r"generation|edition|attempt|straight|consecutive|successive)s?\b",
    re.IGNORECASE,
)


def _ordinal_slot(text: str, s: int, e: int) -> bool:
    """A word ordinal that states a rank or position ("the third floor", "finished second",
    "fourth-placed"), not the adverb of "Spain first became" or "at first"."""
    if re.match(r"-\w", text[e : e + 2]) or _ORD_SLOT_AFTER_RE.match(text, e):
        return True
    if _sentence_start(text, s):
        return True
    return _ORD_SLOT_BEFORE_RE.search(text, max(0, s - 14), s) is not None


def _name_label(text: str, m: re.Match[str], ns: int) -> bool:
    """A number that is part of a name: "Boeing 747", "Former Under 23 coach" (a capitalised
    word in mid-sentence right before the digits)."""
    approx = m.group("approx")
    if approx and approx[0].isupper() and not _sentence_start(text, m.start("approx")):
        return True
    if m.group("cur") or approx:
        return False
    pm = re.search(r"([A-Z][A-Za-z]+)\s+$", text[max(0, ns - 25) : ns])
    if pm is None or m.group("word") is not None:
        return False
    w = pm.group(1)
    ws = ns - len(pm.group())
    if (
        w.lower() in MONTHS
        or w.lower() in _APPROX_MAP
        or _sentence_start(text, max(0, ns - 25) + pm.start(1))
    ):
        return False
    return w.lower() not in ("no", "number", "in", "on", "at", "by", "since", "until") and ws >= 0


_WEEKDAYS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today"]
)


def _appositive(text: str, s: int, e: int) -> bool:
    """A bare number set off by commas right after a capitalised name ("Moore, 66, was")."""
    if not re.fullmatch(r"\d{1,3}", text[s:e]) or not 0 < int(text[s:e]) < 120:
        return False
    pm = re.search(r"\b([A-Z][a-z]+)\s*,\s*$", text[max(0, s - 30) : s])
    if pm is None or pm.group(1).lower() in MONTHS or pm.group(1).lower() in _WEEKDAYS:
        return False
    if pm.group(1).lower() in STOPWORDS or pm.group(1).lower() in _APPROX_MAP:
        return False
    return re.match(r"\s*(?:,|\)|;|\.(?!\d)|\band\b|$)", text[e : e + 6]) is not None


def _sentence_start(text: str, pos: int) -> bool:
    return re.search(r"(?:^|[.!?:;\"“‘'(]\s*|\n\s*)$", text[max(0, pos - 4) : pos]) is not None


def _bad_one(text: str, s: int, e: int) -> bool:
    """ "one" as a pronoun or article-like word, not a count."""
    after = text[e : e + 12].lower()
    before = text[max(0, s - 10) : s].lower()
    if re.match(
        r"-(?:year|month|week|day|hour|minute|mile|metre|goal|point|game|match)s?\b", after
    ):
        return False  # "a one-month ban", "the one-day event"
    if re.match(
        r"\s*(?:of|another|who|that|which|thing|day|time|way|point|side|hand|another"
        r"|in\s+\d|and\s+only|'s|’s|-(?!\d|(?:year|month|week|day|hour|minute|mile|metre|"
        r"time|off|man|woman|person|goal|point|shot|game|match|star|bedroom|storey|page)s?\b))",
        after,
    ):
        return True
    if re.search(
        r"\b(?:no|any|every|each|the|this|that|which|some|someone|anyone|only|"
        r"last|loved|little|such|one)\s+$",
        before,
    ):
        return True
    # "one." / "one," - a pronoun
    return not re.match(r"\s*-?[a-z]", after) and not re.match(r"\s*(?:[A-Z][a-z]|\d)", after)


def _glued(text: str, s: int, e: int) -> bool:
    """Digits that are part of a name or code: MH17, COVID-19, F-16, G20, No.10."""
    before = text[max(0, s - 2) : s]
    if re.search(r"[A-Za-z]-$", before) and not re.search(
        r"(?:^|\s)[A-Za-z]{3,}-$", text[max(0, s - 12) : s]
    ):
        return True
    if re.search(r"\b[A-Z]{1,6}-$", text[max(0, s - 8) : s]):
        return True
    return bool(re.match(r"[A-Za-z]{2,}\d", text[e : e + 3]))


def _suffix_figure(
    text: str,
    ns: int,
    dig: str | None,
    word: str | None,
    m: re.Match[str] | None,
    cur: str | None,
    approx_word: str | None,
) -> Figure | None:
    """Build a figure from a number core at ``ns`` and what surrounds it."""
    value = _num_value(dig, word)
    if value is None:
        return None
    start = m.start() if m is not None else ns
    if m is not None and m.group("approx") and not cur and m.start("approx") == m.start():
        start = m.start()
    end = (
        (m.end("dig") if dig is not None else m.end("word"))
        if m is not None
        else (ns + len(dig or word or ""))
    )
    currency = None
    if cur:
        currency = _CURRENCY_SYMBOL.get(cur.strip().lower().rstrip("."), "USD")
    scale = 1.0
    if m is not None and m.group("scale"):
        sc = m.group("scale")
        lsc = sc.lower()
        # "5m" without a currency is metres unless a plural noun follows ("5m people")
        if lsc == "m" and not currency:
            nxt = _next_words(text, m.end("scale"), 1)
            if not (nxt and nxt[0][0].lower().endswith("s") and nxt[0][0].islower()):
                sc = ""
        if lsc == "b" and not currency:
            sc = ""
        if sc:
            scale = _SCALE_SUFFIX[lsc]
            end = m.end("scale")
    approx: Approx | None = _APPROX_MAP.get(approx_word.lower()) if approx_word else None
    if approx_word and approx_word.lower() == "some" and value is not None and dig is None:
        approx = None
    if m is not None and m.group("plus"):
        approx = "at_least"
        end = m.end("plus")
    kind: Kind = "number"
    unit: str | None = None
    per: str | None = None
    noun: str | None = None
    # what follows: percent, currency word, unit, duration, noun
    fm = _FOLLOW_RE.match(text, end)
    if fm is not None:
        w = fm.group("w")
        lw = re.sub(r"\s+", " ", w.lower())
        if re.match(r"(?:square|sq)\b", lw):
            lw = re.sub(r"^(square|sq)\.?[\s-]*", r"\1_", lw)
        sep = fm.group("sep")
        if lw in ("%", "per cent", "percent", "pct", "pc"):
            kind, end = "percent", fm.end()
        elif lw.startswith("percentage point"):
            kind, end = "percentage_point", fm.end()
        elif (
            lw in _CURRENCY_WORD
            and (currency is None)
            and not (lw in ("p", "won") and sep.strip())
            and not (lw == "pound" or lw == "pounds")
        ) or (lw in ("pound", "pounds") and currency is None and not _weighty(text, fm.end())):
            currency = _CURRENCY_WORD[lw]
            if lw in _SUBUNIT:
                scale *= _SUBUNIT[lw]
            end = fm.end()
        elif lw in DURATIONS and not (len(lw) <= 3 and sep and lw != "day"):
            unit = DURATIONS[lw][0]
            kind, end = "duration", fm.end()
        elif lw in _UNIT_TABLE and (
            len(lw) > 2 or not sep.strip() or lw in ("mm", "cm", "km", "kg", "ft", "lb")
        ):
            if not (lw in ("m", "b") and sep.strip()):
                unit = _UNIT_TABLE[lw][0]
                kind, end = "measure", fm.end()
        elif lw in ("pounds", "pound"):
            unit, kind, end = "lb", "measure", fm.end()
    if currency:
        kind = "money"
    # per-period
    pm = _PER_RE.match(text, end)
    if pm is not None and kind in ("money", "number", "measure", "count", "percent"):
        p = (pm.group("p") or pm.group("adv")).lower()
        # "$5 a day" but not "3 a day later"? the period word must end the phrase
        if pm.group("adv") or re.match(r"(?:\s*-?\s*(?:a|an|per|each|every)|\s*/)", text[end:]):
            per = _PERIODS.get(p, p)
            end = pm.end()
    if per is None and kind == "money":
        em = _EACH_RE.match(text, end)
        if em is not None:  # "£100 each": a unit price, not a sum
            per, end = "each", em.end()
    if kind in ("number",):
        om = _OR_MORE_RE.match(text, end)
        if om is not None:
            approx, end = "at_least", om.end()
        noun = _noun_after(text, end)
        if noun is not None:
            kind = "count"
        # years: a bare 4-digit number 1000..2100 with no comma and no plural noun after it
        if (
            dig is not None
            and re.fullmatch(r"1\d{3}|20\d{2}|2100", dig)
            and scale == 1.0
            and not ((noun and noun.endswith(("people", "person"))) or _plural_after(text, end))
        ):
            kind, noun = "year", None
    elif kind in ("duration", "measure", "money", "percent", "percentage_point"):
        noun = _noun_after(text, end)
    v = value * scale
    low: float | None = v
    high: float | None = v
    if approx in ("more_than", "at_least"):
        high = None
    elif approx in ("under", "at_most"):
        low = None
    return Figure(
        text=text[start:end],
        start=start,
        end=end,
        kind=kind,
        value=v,
        low=low,
        high=high,
        precision=_precision_of(dig, scale),
        unit=unit,
        currency=currency,
        scale=scale,
        per=per,
        approx=approx,
        words=dig is None,
        noun=noun,
    )


def _weighty(text: str, pos: int) -> bool:
    """ "pounds" of weight rather than money: "lost 20 pounds", "weighs 150 pounds"."""
    window = text[max(0, pos - 60) : pos + 30].lower()
    return bool(re.search(r"\b(?:weigh|weight|lost|gain|heav|lighter|stone|ounce|lbs)", window))


def _plural_after(text: str, pos: int) -> bool:
    nxt = _next_words(text, pos, 1)
    if not nxt:
        return False
    w = nxt[0][0]
    return (
        w.islower()
        and w.endswith("s")
        and not w.endswith("ss")
        and len(w) > 3
        and w.lower() not in _NOUN_STOP
    )


def _merge_ranges(text: str, figs: list[Figure]) -> list[Figure]:
    """Join "X to Y", "between X and Y", "$300-$350" into one range figure."""
    out: list[Figure] = []
    i = 0
    while i < len(figs):
        f = figs[i]
        if i + 1 < len(figs):
            g = figs[i + 1]
            gap = text[f.end : g.start]
            if (
                _RANGE_JOIN_RE.fullmatch(gap)
                and not f.is_range
                and not g.is_range
                and f.value is not None
                and g.value is not None
                and f.kind not in ("date", "time", "ordinal")
                and g.kind not in ("date", "ordinal", "time")
                and f.approx is None
            ):
                joiner = gap.strip().lower()
                between = _BETWEEN_RE.search(text[max(0, f.start - 9) : f.start])
                frm = between is not None and between.group().lower().startswith("from")
                compatible = (f.kind == g.kind or f.kind == "number") and (
                    f.currency is None or f.currency == g.currency
                )
                ok = compatible and (
                    (joiner in ("and",) and between is not None and not frm)
                    or (joiner in ("to", "-", "–", "—") and not frm)
                    or (joiner == "or" and f.kind == "number" and g.kind != "number")
                )
                if ok:
                    fv = f.value * (
                        g.scale / f.scale
                        if f.scale == 1.0 and g.scale != 1.0 and f.value * g.scale < g.value * 1000
                        else 1.0
                    )
                    if fv < g.value:
                        start = (
                            between.start() + max(0, f.start - 9)
                            if (between is not None and joiner == "and")
                            else f.start
                        )
                        out.append(
                            g.model_copy(
                                update={
                                    "text": text[start : g.end],
                                    "start": start,
                                    "value": None,
                                    "low": fv,
                                    "high": g.value,
                                    "is_range": True,
                                    "approx": None,
                                    "precision": min(
                                        f.precision * (fv / f.value if f.value else 1), g.precision
                                    ),
                                }
                            )
                        )
                        i += 2
                        continue
        out.append(f)
        i += 1
    return out
