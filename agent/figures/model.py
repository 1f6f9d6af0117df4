"""The ``Figure`` model: one numeric mention, its kind, value, bounds and span."""

from __future__ import annotations

from typing import Literal

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
