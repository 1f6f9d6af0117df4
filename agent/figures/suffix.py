"""One number and what surrounds it made into a figure: the currency before it, a scale
suffix ("5bn"), the hedge, then what follows (percent, currency word, unit, duration), a
period ("a month"), a unit price ("each") and the noun it counts; a bare four-digit number
with nothing after it is a year."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import STOPWORDS
from .model import Approx, Figure, Kind
from .patterns import _EACH_RE, _FOLLOW_RE, _NOUN_STOP, _OR_MORE_RE, _PER_RE, _PER_UNIT_RE
from .vocab import (
    _APPROX_MAP,
    _CURRENCY_SYMBOL,
    _CURRENCY_WORD,
    _PERIODS,
    _SCALE_SUFFIX,
    _SUBUNIT,
    _UNIT_TABLE,
    DURATIONS,
)
from .words import _next_words, _noun_after, _num_value, _precision_of

# a price per one of anything: the same unit of account as "each"
_EACH_UNITS = {w: "each" for w in ("person", "head", "unit", "item", "piece", "capita")}


@dataclass
class _Parts:
    """A figure while it is being read, left to right."""

    start: int
    end: int
    currency: str | None = None
    scale: float = 1.0
    approx: Approx | None = None
    kind: Kind = "number"
    unit: str | None = None
    per: str | None = None
    noun: str | None = None


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
    p = _core(text, ns, dig, word, m, cur, approx_word)
    _following(text, p)
    _period(text, p)
    _noun_or_year(text, p, dig)
    v = value * p.scale
    low: float | None = v
    high: float | None = v
    if p.approx in ("more_than", "at_least"):
        high = None
    elif p.approx in ("under", "at_most"):
        low = None
    return Figure(
        text=text[p.start : p.end],
        start=p.start,
        end=p.end,
        kind=p.kind,
        value=v,
        low=low,
        high=high,
        precision=_precision_of(dig, p.scale),
        unit=p.unit,
        currency=p.currency,
        scale=p.scale,
        per=p.per,
        approx=p.approx,
        words=dig is None,
        noun=p.noun,
    )


def _core(
    text: str,
    ns: int,
    dig: str | None,
    word: str | None,
    m: re.Match[str] | None,
    cur: str | None,
    approx_word: str | None,
) -> _Parts:
    """The span of the number with its currency, scale suffix, hedge and "+"."""
    start = m.start() if m is not None else ns
    if m is None:
        end = ns + len(dig or word or "")
    else:
        end = m.end("dig") if dig is not None else m.end("word")
    p = _Parts(start, end)
    if cur:
        p.currency = _CURRENCY_SYMBOL.get(cur.strip().lower().rstrip("."), "USD")
    if m is not None and m.group("scale"):
        sc = m.group("scale")
        lsc = sc.lower()
        # "5m" without a currency is metres unless a plural noun follows ("5m people")
        if lsc == "m" and not p.currency:
            nxt = _next_words(text, m.end("scale"), 1)
            if not (nxt and nxt[0][0].lower().endswith("s") and nxt[0][0].islower()):
                sc = ""
        if lsc == "b" and not p.currency:
            sc = ""
        if sc:
            p.scale = _SCALE_SUFFIX[lsc]
            p.end = m.end("scale")
    p.approx = _APPROX_MAP.get(approx_word.lower()) if approx_word else None
    if approx_word and approx_word.lower() == "some" and dig is None:
        p.approx = None
    if m is not None and m.group("plus"):
        p.approx, p.end = "at_least", m.end("plus")
    return p


def _following(text: str, p: _Parts) -> None:
    """What follows the number: percent, percentage points, a currency word, a duration or
    a unit of measure."""
    fm = _FOLLOW_RE.match(text, p.end)
    if fm is not None:
        lw = re.sub(r"\s+", " ", fm.group("w").lower())
        if re.match(r"(?:square|sq)\b", lw):
            lw = re.sub(r"^(square|sq)\.?[\s-]*", r"\1_", lw)
        sep = fm.group("sep")
        if lw in ("%", "per cent", "percent", "pct", "pc"):
            p.kind, p.end = "percent", fm.end()
        elif lw.startswith("percentage point"):
            p.kind, p.end = "percentage_point", fm.end()
        elif _currency_word(text, lw, sep, p, fm.end()):
            p.currency = _CURRENCY_WORD[lw]
            if lw in _SUBUNIT:
                p.scale *= _SUBUNIT[lw]
            p.end = fm.end()
        elif lw in DURATIONS and not (len(lw) <= 3 and sep and lw != "day"):
            p.unit = DURATIONS[lw][0]
            p.kind, p.end = "duration", fm.end()
        elif lw in _UNIT_TABLE and (
            len(lw) > 2 or not sep.strip() or lw in ("mm", "cm", "km", "kg", "ft", "lb")
        ):
            if not (lw in ("m", "b") and sep.strip()):
                p.unit = _UNIT_TABLE[lw][0]
                p.kind, p.end = "measure", fm.end()
        elif lw in ("pounds", "pound"):
            p.unit, p.kind, p.end = "lb", "measure", fm.end()
    if p.currency:
        p.kind = "money"


def _currency_word(text: str, lw: str, sep: str, p: _Parts, after: int) -> bool:
    """ "20 euros", "50p"; "pounds" only where no weight is spoken of ("lost 20 pounds")."""
    if p.currency is not None:
        return False
    if lw in ("pound", "pounds"):
        return not _weighty(text, after)
    return lw in _CURRENCY_WORD and not (lw in ("p", "won") and sep.strip())


def _period(text: str, p: _Parts) -> None:
    """ "$5 a day", "3% per year", and a unit price ("£40 each")."""
    pm = _PER_RE.match(text, p.end)
    if pm is not None and p.kind in ("money", "number", "measure", "count", "percent"):
        w = (pm.group("p") or pm.group("adv")).lower()
        # "$5 a day" but not "3 a day later"? the period word must end the phrase
        if pm.group("adv") or re.match(r"(?:\s*-?\s*(?:a|an|per|each|every)|\s*/)", text[p.end :]):
            p.per = _PERIODS.get(w, w)
            p.end = pm.end()
    if p.per is not None or p.kind != "money":
        return
    em = _EACH_RE.match(text, p.end)
    if em is not None:  # "£40 each": a unit price, not a sum
        p.per, p.end = "each", em.end()
    else:
        um = _PER_UNIT_RE.match(text, p.end)
        if um is not None:  # "£1.85 per box": a price of one box
            w = (um.group("per") or um.group("a")).lower()
            if w not in STOPWORDS and w not in _NOUN_STOP and w not in ("cent", "percent"):
                p.per, p.end = _EACH_UNITS.get(w, w), um.end()


def _noun_or_year(text: str, p: _Parts, dig: str | None) -> None:
    """The noun a number counts ("40 cars": a count; "40 or more"), or a year: a bare
    4-digit number 1000..2100 with no comma and no plural noun after it."""
    if p.kind == "number":
        om = _OR_MORE_RE.match(text, p.end)
        if om is not None:
            p.approx, p.end = "at_least", om.end()
        p.noun = _noun_after(text, p.end)
        if p.noun is not None:
            p.kind = "count"
        if (
            dig is not None
            and re.fullmatch(r"1\d{3}|20\d{2}|2100", dig)
            and p.scale == 1.0
            and not (
                (p.noun and p.noun.endswith(("people", "person"))) or _plural_after(text, p.end)
            )
        ):
            p.kind, p.noun = "year", None
    elif p.kind in ("duration", "measure", "money", "percent", "percentage_point"):
        p.noun = _noun_after(text, p.end)


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
