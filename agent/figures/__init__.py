"""Figures: every numeric mention in a text, parsed into a typed value with its span.

``extract_figures(text)`` finds counts ("11,000 soldiers", "eleven thousand", "11K", "a dozen"),
money ("$2,000 a month", "£550bn", "€3.5 million"), percentages and percentage points, dates
("November 4", "4 Nov 2024", "March 14, 1951", "2024-11-04"), years and decades, durations and ages
("3 months", "44-year-old"), measures ("1,100ft", "46.5g"), times of day ("2 pm"), ranges
("$120 to $150", "between 3 and 5"), scores ("1-0"), ordinals ("third", "13th") and the hedges
and bounds around them ("about", "nearly", "more than", "at least", "under", "10,000+").

Number words go through text2num; the rest is precompiled regular expressions and a few
rules. Pure functions, no I/O. A ``Figure`` records the literal value and bounds as written;
tolerances (what "about" allows) belong to the verifier, not to the parser.

The package: ``model`` (the ``Figure`` model), ``vocab`` (number words, units, currencies,
periods), ``patterns`` (the regular expressions), ``words`` (number words, nouns, context),
``forms`` (ratios, scores, ranges, plain numbers) and ``extract`` (the entry points). Word
stems and stopwords live in ``agent.text``; they are re-exported here for the callers that
import them from the figure parser.
"""

from __future__ import annotations

from ..text import STOPWORDS, content_words, stem
from .extract import _extract_cached, extract_figures, extract_identifiers
from .model import Approx, Figure, Kind
from .vocab import (
    _APPROX_MAP,
    _APPROX_WORDS,
    _CURRENCY_WORD,
    _ORDINALS,
    _UNIT_TABLE,
    DURATIONS,
    MONTHS,
    NUMBER_NAMES,
)
from .words import words_to_number

__all__ = [
    "DURATIONS",
    "MONTHS",
    "NUMBER_NAMES",
    "STOPWORDS",
    "_APPROX_MAP",
    "_APPROX_WORDS",
    "_CURRENCY_WORD",
    "_ORDINALS",
    "_UNIT_TABLE",
    "Approx",
    "Figure",
    "Kind",
    "_extract_cached",
    "content_words",
    "extract_figures",
    "extract_identifiers",
    "stem",
    "words_to_number",
]
