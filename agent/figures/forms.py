"""The parser's passes over particular forms: ratios and fractions, scores and ranges, and
plain numbers (each built by ``suffix``; ranges are joined by ``ranges``)."""

from __future__ import annotations

import re

from ..text import STOPWORDS, content_words, stem
from .model import Figure
from .patterns import (
    _NUM_RE,
    _SCORE_RANGE_RE,
    _SCORE_WORDS,
    _YEAR,
    _alt,
)
from .suffix import _suffix_figure
from .vocab import (
    _APPROX_MAP,
    _TENS_WORDS,
    _UNITS_WORDS,
    _WEEKDAYS,
    DURATIONS,
    MONTHS,
)
from .words import (
    _exact,
    _noun_after,
    _Taken,
    words_to_number,
)

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
    "fourth-placed"), not the adverb of "Norway first joined" or "at first"."""
    if re.match(r"-\w", text[e : e + 2]) or _ORD_SLOT_AFTER_RE.match(text, e):
        return True
    if _sentence_start(text, s):
        return True
    return _ORD_SLOT_BEFORE_RE.search(text, max(0, s - 14), s) is not None


def _name_label(text: str, m: re.Match[str], ns: int) -> bool:
    """A number that is part of a name: "Boeing 737", "Former Under 23 manager" (a capitalised
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
    """``pos`` starts a sentence or a phrase set off by a spaced dash ("(AP) - Over 60")."""
    before = text[max(0, pos - 4) : pos]
    return re.search(r"(?:^|[.!?:;\"“‘'(]\s*|\n\s*|\s[-–—]{1,2}\s+)$", before) is not None


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
