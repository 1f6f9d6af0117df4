"""Typed values: what a figure states, in base units, and when two values are the same.

``value_of(figure, text)`` turns a parsed ``Figure`` into a ``Value`` of one dimension (count,
money, percent, time point, duration, measure, time of day, score, ordinal); ``compat`` says
whether two values can be compared at all and ``same`` whether they state the same thing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from ..figures import _UNIT_TABLE, DURATIONS, Figure
from ..figures.vocab import _PERIODS
from .rules import on

ROUND_REL = 0.05  # an unhedged figure covers its written precision, but never more than 5 %
ABOUT_REL = 0.05  # "about X" covers 5 % of X, or half its last significant place

_DIM = {
    "count": "count",
    "number": "count",
    "money": "money",
    "percent": "percent",
    "percentage_point": "percent",
    "date": "time_point",
    "year": "time_point",
    "decade": "time_point",
    "duration": "duration",
    "age": "duration",
    "measure": "measure",
    "time": "time",
    "score": "score",
    "ordinal": "ordinal",
}
_DAYS = {canon: days for canon, days in DURATIONS.values()}
_TIME_PERIODS = frozenset(_PERIODS.values())
_PINT = {canon: name for canon, name in _UNIT_TABLE.values()}
_MINUS = re.compile(r"(?:^|[\s(:])[-−–]$")
_PER_SHARE = re.compile(r"\s*(?:a|per)\s+(?:diluted\s+)?share\b", re.IGNORECASE)
_EACH = re.compile(r"\s*(?:each|apiece|a\s+piece|per\s+(?:person|head|unit|item))\b", re.I)
_BASIS_POINTS = re.compile(r"\s*(?:basis\s+points?|bps?)\b", re.IGNORECASE)
_UP_TO = re.compile(r"(?:up\s+to|as\s+(?:much|many)\s+as)\b", re.IGNORECASE)
LOWER, UPPER = frozenset(["more_than", "at_least"]), frozenset(["under", "at_most", "up_to"])
BOUNDS = LOWER | UPPER  # the hedges that make a figure a bound


@dataclass(frozen=True)
class Value:
    """A figure's statement: ``lo``..``hi`` in base units (equal for a single value), the
    unit (currency, physical dimension, "days"), ``per`` (period or unit of account: month,
    share, each), the hedge or bound, and for time points the date fields."""

    dim: str
    lo: float | None = None
    hi: float | None = None
    is_range: bool = False
    precision: float = 1.0
    unit: str = ""
    per: str = ""
    approx: str = ""
    date: tuple[int | None, int | None, int | None] = (None, None, None)
    yearish: bool = False
    kind: str = ""
    factor: float = 1.0  # base units per written unit


def _base(f: Figure) -> tuple[str, float]:
    if f.kind in ("duration", "age") and f.unit in _DAYS:
        return "days", _DAYS[f.unit]
    if f.kind == "measure" and f.unit in _PINT:
        return _measure(_PINT[f.unit])
    return (f.currency or "") if f.kind == "money" else (f.unit or ""), 1.0


@cache
def _measure(unit: str) -> tuple[str, float]:
    """A unit's dimension and its factor to the dimension's base unit, from pint (loaded on
    the first measure: ~0.6 s)."""
    q = _registry().Quantity(1.0, unit).to_base_units()
    return str(q.dimensionality), float(q.magnitude)


@lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    return pint.UnitRegistry()


def value_of(f: Figure, text: str) -> Value | None:
    """The value ``f`` states in ``text`` (None for identifiers and unparsed figures)."""
    dim = _DIM.get(f.kind)
    if dim is None:
        return None
    if dim == "time_point":
        return _time_point(f)
    lo = f.low if f.is_range else f.value if f.value is not None else f.low
    hi = f.high if f.is_range else lo
    if f.kind == "score":
        return Value("score", f.low, f.high, True, kind=f.kind)
    if lo is None or hi is None:
        return None
    unit, factor = _base(f)
    after = text[f.end : f.end + 24]
    per = f.per or ""
    if per not in _TIME_PERIODS and not on("unit_of_account"):
        per = ""  # "£1.85 per box" read as a plain amount
    if f.kind == "money" and _PER_SHARE.match(after) and on("unit_of_account"):
        per = "share"
    elif _EACH.match(after) and on("unit_of_account"):
        per = "each"
    if f.kind == "count" and f.noun == "point" and _BASIS_POINTS.match(after):
        dim, factor, unit = "percent", 0.01, ""  # 25 basis points = 0.25 percentage points
    sign = -1.0 if on("sign") and _MINUS.search(text[max(0, f.start - 2) : f.start]) else 1.0
    if sign < 0:
        lo, hi = -hi, -lo
    integer = float(lo).is_integer() and lo == hi
    approx: str = f.approx or ""
    if approx == "at_most" and _UP_TO.match(f.text) and on("stated_maximum"):
        approx = "up_to"  # "as much as 90%": a maximum the text reaches, not any lower value
    return Value(
        dim,
        lo * factor,
        hi * factor,
        f.is_range,
        f.precision * factor,
        unit,
        per,
        approx,
        yearish=f.kind in ("count", "number") and integer and 1900 <= lo <= 2100 and not f.words,
        kind=f.kind,
        factor=factor,
    )


def _time_point(f: Figure) -> Value:
    if f.kind == "date":
        return Value("time_point", date=(f.year, f.month, f.day), kind="date")
    if f.kind == "decade":
        return Value("time_point", f.low, f.high, True, kind="decade")
    if f.is_range:
        return Value("time_point", f.low, f.high, True, kind="year")
    year = int(f.value) if f.value is not None else None
    return Value("time_point", f.value, f.value, date=(year, None, None), kind="year")


def compat(c: Value, s: Value) -> str:
    """ "same" when the two values measure the same kind of quantity in the same unit of
    account; "unknown" when one side leaves an attribute open (support, never conflict);
    "no" when they cannot be compared."""
    if c.dim != s.dim:
        if on("yearish") and {c.dim, s.dim} == {"count", "time_point"}:
            year = c if c.dim == "count" else s
            return "unknown" if year.yearish else "no"  # "the forecast for 2021"
        if on("bare_number") and s.dim == "count" and not s.unit and c.kind in ("age", "time"):
            return "unknown"  # "The girls, 15 and 11" / "aged 15"; "shall we say 8" / "8 pm"
        return "no"
    if c.dim == "time_point":
        return "same" if c.kind == s.kind or "decade" not in (c.kind, s.kind) else "unknown"
    if c.dim in ("measure", "duration") and c.unit != s.unit:
        return "no" if c.unit and s.unit else "unknown"
    if c.dim == "money" and c.unit and s.unit and c.unit != s.unit:
        return "no"  # dollars are not pounds
    if c.per != s.per:
        return "unknown" if not (c.per and s.per) else "no"
    if c.kind != s.kind and "age" in (c.kind, s.kind):
        return "unknown"  # "44-year-old" and "44 years": an age and a duration
    return "same"


def _tol(x: float, precision: float, approx: str) -> float:
    if approx in ("about", "nearly"):
        return max(ABOUT_REL * abs(x), min(_place(x) / 2.0, 2 * ABOUT_REL * abs(x)))
    return min(precision / 2.0, ROUND_REL * abs(x)) + 1e-9 * max(1.0, abs(x))


def _place(x: float) -> float:
    """The place of the last non-zero digit of a whole number (1 for 123, 1000 for 11,000)."""
    if x == 0 or not float(x).is_integer():
        return 1.0
    n, mag = round(abs(x)), 1.0
    while n and n % 10 == 0:
        n, mag = n // 10, mag * 10
    return mag


def same(c: Value, s: Value, doc_years: frozenset[int] = frozenset()) -> bool:
    """Whether the source value ``s`` states the claim value ``c``.

    A claimed range needs both ends; a claimed bound ("over 80") needs a source value on its
    side or the same bound; the source's own hedge never blocks its number ("about 4 km"
    states 4 km)."""
    if c.dim == "time_point" or s.dim == "time_point":
        return _same_time(c, s, doc_years)
    if c.dim == "score":
        return {(c.lo, c.hi), (c.hi, c.lo)} >= {(s.lo, s.hi)}
    if "time" in (c.dim, s.dim) and c.dim != s.dim:
        t, n = (c, s) if c.dim == "time" else (s, c)
        if t.lo is None or n.lo is None or t.lo % 60 or n.lo != n.hi:
            return False
        hour = t.lo // 60
        return n.lo in (hour, hour - 12)
    clo, chi, slo, shi = c.lo, c.hi, s.lo, s.hi
    if clo is None or chi is None or slo is None or shi is None:
        return False
    if c.dim != s.dim:  # a bare number: compare as written ("aged 15" / "The girls, 15")
        clo, chi, slo, shi = clo / c.factor, chi / c.factor, slo / s.factor, shi / s.factor
        c = replace(c, precision=c.precision / c.factor)
    slack = 0.02 if c.unit != s.unit else 0.0
    if c.is_range:
        if on("range_both_ends"):
            return s.is_range and _near(clo, slo, c, slack) and _near(chi, shi, c, slack)
        return clo <= slo and shi <= chi  # any value inside (the hole the rule closes)
    if c.approx in BOUNDS:
        return _same_bound(c, s, clo, slo, shi)
    if s.is_range:
        return _near(clo, slo, c, slack) or _near(clo, shi, c, slack)
    return _near(clo, slo, c, slack) and _near(chi, shi, c, slack)


def _near(x: float, y: float, c: Value, slack: float) -> bool:
    t = _tol(x, c.precision, c.approx) + slack * abs(x)
    lo, hi = (x - t, x) if c.approx == "nearly" else (x - t, x + t)
    return lo <= y <= hi


def _same_bound(c: Value, s: Value, v: float, slo: float, shi: float) -> bool:
    """A claimed bound at ``v`` against a source value ``slo``..``shi``."""
    lower = c.approx in LOWER
    bound = s.approx in BOUNDS
    if on("bound_side") and bound and (s.approx in LOWER) != lower:
        return False  # "over 480" is not "under 480"
    if bound:
        return _near(v, slo, Value("count", precision=c.precision), 0.0)
    if s.approx == "nearly" and on("bound_side"):
        # "nearly 480" / "just under 480" lies below 480: never over it
        below = slo - _tol(slo, s.precision, "nearly")
        return below > v if lower else shi <= v or math.isclose(shi, v)
    if c.approx == "up_to":  # "up to 40" needs 40 itself: 25 is not "as many as 40"
        return _near(v, shi, Value("count", precision=c.precision), 0.0)
    # the bound's own number, stated exactly, supports it ("over 2,000" / "2,000")
    if lower:
        return slo > v or math.isclose(slo, v)
    return shi < v or math.isclose(shi, v)


def _same_time(c: Value, s: Value, doc_years: frozenset[int]) -> bool:
    if c.dim == "count":  # a bare year-like number
        return s.date[0] is not None and c.lo == s.date[0]
    if s.dim == "count":
        return c.kind == "year" and c.date[0] is not None and s.lo == c.date[0]
    if c.kind == "decade" or (c.is_range and c.kind == "year"):
        y = s.date[0] if s.kind != "decade" else None
        if s.kind == "decade" or (s.is_range and s.kind == "year"):
            return (s.lo, s.hi) == (c.lo, c.hi)
        return y is not None and c.lo is not None and c.hi is not None and c.lo <= y <= c.hi
    if s.kind == "decade" or s.is_range:
        return False
    (cy, cm, cd), (sy, sm, sd) = c.date, s.date
    if cm is None:  # a year
        return cy == sy
    if cm != sm or (cd is not None and cd != sd):
        return False
    if cd is None and sd is not None and cy is None:
        return True  # "in March" is said of "March 3"
    if cy is not None and cy != sy:
        return sy is None and on("document_year") and cy in doc_years
    return True


def describe(v: Value) -> str:
    """What attribute two values of one dimension differ in, for a verdict's reason."""
    if v.dim == "time_point":
        return "date"
    return {"money": "amount", "percent": "rate"}.get(v.dim, "value")
