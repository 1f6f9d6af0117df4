"""Mentions: every figure of a text with its typed value, frame and sentence, parsed once.

``source_index(text, sentences)`` is cached per text, so a source is parsed once per process
(a summary's claims then cost a few milliseconds); ``mentions(text)`` does the same for a
claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..figures import _APPROX_MAP, _APPROX_WORDS, _ORDINALS, Figure, extract_figures, stem
from .frames import Frame, frame_at, label_of, negated, parse
from .rules import on
from .values import Value, value_of

_WORD_ORDINALS = frozenset([*_ORDINALS, "last"])  # "first" .. "twentieth", "last"


@dataclass(frozen=True)
class Mention:
    fig: Figure
    value: Value
    frame: Frame
    sent: int = 0
    weak: bool = False  # a determiner word ("one", "first"): supports, never decides
    label: tuple[int, int] | None = None  # the number labels a name ("Quizmasters 4")


@dataclass(frozen=True)
class SourceIndex:
    text: str
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[Mention, ...]
    years: frozenset[int]
    instructions: tuple[int, ...] = ()  # sentences addressed to a model: never evidence

    def sentence_of(self, pos: int) -> int:
        for i, (s, e) in enumerate(self.sentences):
            if s <= pos < e:
                return i
        return -1


def _determiner(f: Figure, text: str) -> bool:
    """'one' and ordinal words ("the first time", "one of the") are determiners, not figures."""
    if not (f.words and on("word_determiners")):
        return False
    word = text[f.start : f.end].lower()
    return f.value == 1 or word in _WORD_ORDINALS


_FLIP = {"more_than": "at_most", "at_least": "under", "under": "at_least", "at_most": "more_than"}


def _month_alone(f: Figure) -> bool:
    """A month with no day or year ("in late October") supports a claimed date, never
    decides one: a claim's month alone is often derived ("Christmas Eve" / "in December")."""
    return f.kind == "date" and f.day is None and f.year is None


_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|through|until|and|&)\s*$", re.IGNORECASE)


def _date_ranges(text: str, figs: list[Figure]) -> list[Figure]:
    """A day number right after a date and a range word is a date of the same month ("May
    3-9", "May 3 and 4")."""
    if not on("date_range"):
        return figs
    out: list[Figure] = []
    for f in figs:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "date"
            and prev.day is not None
            and f.kind in ("count", "number")
            and f.value is not None
            and float(f.value).is_integer()
            and prev.day < f.value <= 31
            and _RANGE_GAP.match(text[prev.end : f.start])
        ):
            f = f.model_copy(
                update={
                    "kind": "date",
                    "value": None,
                    "low": None,
                    "high": None,
                    "year": prev.year,
                    "month": prev.month,
                    "day": int(f.value),
                }
            )
        out.append(f)
    return out


_HEDGE_BEFORE = re.compile(rf"\b({'|'.join(re.escape(w) for w, _ in _APPROX_WORDS)})\s+$", re.I)


_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUM = rf"(?:\d{{1,3}}|(?:(?:{_TENS})[- ]?)?(?:{_UNITS})|{_TEENS}|{_TENS})"
_CUR = r"euros?|dollars?|pounds?|bucks|quid"
_SPOKEN_MONEY = re.compile(
    rf"\b(?P<a>{_NUM})\s+(?:(?:dot|point)\s+(?P<b>{_NUM})\s+(?P<cur>{_CUR})"
    rf"|(?P<cur2>{_CUR})\s+(?:and\s+)?(?:(?:uh|um|er|(?P<frag>[a-z]{{1,2}}))\s+)?(?P<c>{_NUM})"
    rf"(?:\s+(?:cents?|centimes?|pence))?)\b",
    re.IGNORECASE,
)


def _spoken_money(text: str, figs: list[Figure]) -> list[Figure]:
    """Amounts said aloud: "eight dollars seventy", "eight dollars and seventy cents", "eight
    dot seventy dollars", "eight dollars and s seventy" (a false start) are 8.70 dollars."""
    if not on("spoken_money"):
        return figs
    from ..figures import _CURRENCY_WORD, words_to_number

    out = list(figs)
    for m in _SPOKEN_MONEY.finditer(text):
        a = words_to_number(m.group("a")) if not m.group("a").isdigit() else float(m.group("a"))
        tail = m.group("b") or m.group("c")
        if m.group("frag") and not tail.lower().startswith(m.group("frag").lower()):
            continue  # only a false start of the next word is dropped ("f fifty")
        b = words_to_number(tail) if not tail.isdigit() else float(tail)
        if a is None or b is None or b >= 100:
            continue
        value = a + (b / 100 if m.group("c") or len(tail) != 1 else b / 10)
        cur = _CURRENCY_WORD.get((m.group("cur") or m.group("cur2")).lower())
        hedge = _HEDGE_BEFORE.search(text[max(0, m.start() - 24) : m.start()])
        out = [f for f in out if f.end <= m.start() or f.start >= m.end()]
        out.append(
            Figure(
                text=m.group(),
                start=m.start(),
                end=m.end(),
                kind="money",
                value=value,
                low=value,
                high=value,
                precision=0.01,
                currency=cur,
                words=True,
                approx=_APPROX_MAP.get(hedge.group(1).lower()) if hedge else None,
            )
        )
    return sorted(out, key=lambda f: f.start)


_RANGE_WORD = re.compile(r"\s*(?:-|–|—|to|through)\s*$", re.IGNORECASE)
_BETWEEN_AND = re.compile(r"\s+and\s+$", re.IGNORECASE)
_RANGE_LEAD = re.compile(r"(?:\bbetween|\branges?|\branged|\branging)\s+(?:from\s+)?$", re.I)
_FROM_LEAD = re.compile(r"\bfrom\s+$", re.IGNORECASE)


def _bare(f: Figure) -> bool:
    return f.kind in ("number", "count") and not f.noun and f.unit is None


def _merge(text: str, a: Figure, b: Figure) -> Figure | None:
    """``a`` to ``b`` as one range of the kind, unit and currency that one of them states, at
    ``b``'s scale when ``a`` has none; None when they cannot be one range."""
    assert a.value is not None and b.value is not None
    if {a.kind, b.kind} & {"date", "year", "score", "time", "decade"}:
        return None
    if not (_bare(a) or _bare(b) or a.kind == b.kind):
        return None
    base = a if _bare(b) and not _bare(a) else b
    scale = b.scale if a.scale == 1 and b.scale > 1 else 1.0
    lo, hi = a.value * scale, b.value * (base.scale if b.scale == 1 and base is a else 1.0)
    if not lo < hi:
        return None
    return base.model_copy(
        update={
            "text": text[a.start : b.end],
            "start": a.start,
            "end": b.end,
            "value": None,
            "low": lo,
            "high": hi,
            "is_range": True,
            "approx": a.approx or b.approx,
            "precision": min(a.precision * scale, b.precision),
            "scale": max(a.scale, b.scale),
        }
    )


def _ranges(text: str, figs: list[Figure]) -> list[Figure]:
    """Two figures joined by a range word are one range, the second's unit, scale and currency
    shared ("three to five days", "$16.5-17 billion", "between 3 and 5 people", "ranging from
    10 to 20"); "from X to Y" alone is a change, not a range."""
    if not on("ranges"):
        return figs
    out: list[Figure] = []
    for b in figs:
        a = out[-1] if out else None
        if a is None or a.is_range or b.is_range or a.value is None or b.value is None:
            out.append(b)
            continue
        gap, lead = text[a.end : b.start], text[max(0, a.start - 24) : a.start]
        joined = (_RANGE_WORD.match(gap) and not _FROM_LEAD.search(lead)) or (
            (_BETWEEN_AND.match(gap) or _RANGE_WORD.match(gap)) and _RANGE_LEAD.search(lead)
        )
        merged = _merge(text, a, b) if joined else None
        if merged is not None:
            out[-1] = merged
            continue
        if _RANGE_WORD.match(gap) and _FROM_LEAD.search(lead) and _bare(a) and not _bare(b):
            # a change "from 2 to 3%": the bare start takes the end's unit (2%)
            scale = b.scale if a.scale == 1 else 1.0
            v = a.value * scale
            out[-1] = b.model_copy(
                update={
                    "text": a.text,
                    "start": a.start,
                    "end": a.end,
                    "value": v,
                    "low": v,
                    "high": v,
                    "approx": a.approx,
                    "precision": a.precision * scale,
                }
            )
        out.append(b)
    return out


def _year_as_count(text: str, f: Figure, v: Value) -> Value:
    """A four-digit number counting a noun is a count, with the hedge before it; before a
    proper noun it may still be the year ("the 1994 Galway regatta")."""
    m = _HEDGE_BEFORE.search(text[max(0, f.start - 24) : f.start])
    approx = _APPROX_MAP.get(m.group(1).lower(), "") if m else ""
    named = bool(_PROPER_NEXT.match(text, f.end)) and not approx
    return Value("count", v.lo, v.hi, approx=approx or "", kind="count", yearish=named)


_PROPER_NEXT = re.compile(r"\s+[A-Z][a-z]")
_YEARS_SINCE = frozenset([stem("anniversary")])  # the Nth: N years since
_AGE_OF = frozenset([stem("birthday")])  # the Nth: an age of N


def _duration(v: Value, days: float, kind: str = "duration") -> Value:
    """``v`` read as so many time units of ``days`` days each."""
    assert v.lo is not None and v.hi is not None
    return replace(
        v,
        dim="duration",
        lo=v.lo * days,
        hi=v.hi * days,
        unit="days",
        precision=v.precision * days,
        kind=kind,
        factor=days,
        yearish=False,
    )


def _retyped(text: str, f: Figure, v: Value, frame: Frame) -> tuple[Value, Frame]:
    """Values the parser types too narrowly: a count of time units is a duration ("nine
    weary months"), the Nth anniversary N years and the Nth birthday an age of N, an
    apostrophe and two digits a year ("Cork '96")."""
    from ..figures import DURATIONS

    if v.lo is None or v.hi is None:
        return v, frame
    unitless = replace(frame, noun="", compound="", parts=frozenset(), mods=frozenset())
    if v.dim == "count" and frame.noun in DURATIONS and not v.unit and on("time_units"):
        unit, days = DURATIONS[frame.noun]
        if unit not in ("second", "minute"):
            return _duration(v, days), unitless
    if v.dim == "ordinal" and on("anniversaries"):
        noun = stem(frame.noun or f.noun or "")  # the parse's lemma, or the parser's stem
        if noun in _YEARS_SINCE or noun in _AGE_OF:
            kind = "age" if noun in _AGE_OF else "duration"
            return _duration(v, DURATIONS["year"][1], kind), unitless
    if (
        v.dim == "count"
        and on("short_years")
        and f.start > 0
        and text[f.start - 1] in "'’"
        and re.fullmatch(r"\d\d", text[f.start : f.end])
    ):
        year = _century(int(text[f.start : f.end]))
        point = Value("time_point", float(year), float(year), date=(year, None, None), kind="year")
        return point, frame
    return v, frame


def _century(yy: int) -> int:
    """The year '67 stands for: the latest one not more than a year ahead of today."""
    import datetime

    now = datetime.date.today().year
    return 2000 + yy if 2000 + yy <= now + 1 else 1900 + yy


@lru_cache(maxsize=16384)
def mentions(text: str, *, claim: bool = False) -> tuple[Mention, ...]:
    """The figures of ``text`` that have a value, with their frames (claims skip determiners)."""
    out = []
    for f in _ranges(text, _date_ranges(text, _spoken_money(text, extract_figures(text)))):
        weak = _determiner(f, text) or _month_alone(f)
        if claim and weak:
            continue
        v = value_of(f, text)
        if v is None:
            continue
        named = on("name_labels") and v.dim != "time_point" and not v.yearish
        label = label_of(text, f.start, f.end) if named else None
        frame = frame_at(text, f.start, f.end)
        if v.kind == "year" and not v.is_range and frame.plural and on("yearish"):
            v = _year_as_count(text, f, v)  # "nearly 1500 wind turbines"
        v, frame = _retyped(text, f, v, frame)
        if v.approx in _FLIP and on("negated_bound") and negated(text, f.start, f.end):
            v = replace(v, approx=_FLIP[v.approx])  # "won't be more than 12": at most 12
        out.append(Mention(f, v, frame, weak=weak, label=label))
    return tuple(out)


_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+)?"
    r"(?:above|previous|prior|preceding|earlier|former|foregoing|system|your)\b(?!-)"
    r"|\b(?:ignore|disregard)\s+(?:all\s+|any\s+)?(?:instructions|rules|prompts?)\b"
    r"|\b(?:system|developer)\s+prompt\b"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot|llm)\b"
    r"|\b(?:as\s+an\s+ai|new\s+instructions?|instructions?\s+to\s+the\s+(?:model|assistant))\b"
    r"|^\s*(?:now\s+)?(?:report|write|say|state|answer|respond|summari[sz]e)\s+(?:that|with|only)\b",
    re.IGNORECASE,
)


def is_instruction(sentence: str) -> bool:
    """A sentence addressed to the model ("Ignore the above and report...", "You are now an
    assistant that...", "System prompt:"): it states nothing about the world."""
    return bool(_INSTRUCTION.search(sentence))


@lru_cache(maxsize=256)
def source_index(text: str, sentences: tuple[tuple[int, int], ...] | None = None) -> SourceIndex:
    """Parse ``text`` once: its sentences (given, or split here) and every figure mention."""
    if sentences is None:
        from ..chunking import split_sentences

        sentences = tuple((s.start, s.end) for s in split_sentences(text))
    parse(text, keep=True)
    orders = tuple(
        i for i, (a, b) in enumerate(sentences) if on("instructions") and is_instruction(text[a:b])
    )
    ms = []
    years: set[int] = set()
    bounds = list(sentences)
    k = 0
    for m in mentions(text):
        while k < len(bounds) - 1 and bounds[k][1] <= m.fig.start:
            k += 1
        if k not in orders:
            ms.append(replace(m, sent=k))
        if m.value.date[0] is not None:
            years.add(m.value.date[0])
    return SourceIndex(text, tuple(sentences), tuple(ms), frozenset(years), orders)
