"""``extract_figures`` and ``extract_identifiers``: the parser's entry points and its main pass."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..text import STOPWORDS, stem
from .forms import (
    _numbers,
    _ordinal_slot,
    _ratios_and_fractions,
    _scores_and_ranges,
    _sentence_start,
)
from .model import Figure
from .patterns import (
    _AGE_RE,
    _AGED_RE,
    _DATE_PATTERNS,
    _DECADE_RE,
    _DOZEN_RE,
    _ORD_DIGIT_RE,
    _ORD_WORD_RE,
    _PERIOD_CODE_RE,
    _TIME_RE,
)
from .ranges import _merge_ranges
from .vocab import _APPROX_MAP, _ORDINALS, _TENS_WORDS, _UNITS_WORDS, _WEEKDAYS, DURATIONS, MONTHS
from .words import _context, _date_fig, _exact, _name_after, _noun_after, _Taken, words_to_number


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text``, in order of position, non-overlapping."""
    return list(_extract_cached(text))


_CODE_CHAR = re.compile(r"[A-Za-z0-9]")
_NAME_WORD = re.compile(r"([A-Z][A-Za-z]+)\s+$")
# citation markers a summary carries, not names: "[S1]", "[3]", "[S2, S5]"
_CITE_MARK = re.compile(r"\[\s*[A-Za-z]{0,3}\d+(?:\s*[,;-]\s*[A-Za-z]{0,3}\d+)*\s*\]")


def extract_identifiers(text: str) -> list[Figure]:
    """Names and codes with digits that are not figures ("COVID-19", "MH17", "Under 21",
    "Boeing 737"): ``kind="identifier"``, ``noun`` the lower-cased name word of a label."""
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
    """The passes in order, each taking only text no earlier pass took: dates and times
    first (their numbers mean nothing alone), then decades, ages, scores and ranges, ratios,
    dozens, period codes, ordinals, and last the plain numbers; ranges joined at the end."""
    figs: list[Figure] = []
    taken = _Taken(len(text))

    def add(f: Figure) -> None:
        if taken.free(f.start, f.end):
            taken.take(f.start, f.end)
            figs.append(f.model_copy(update={"context": _context(text, f.start, f.end)}))

    _dates_and_times(text, taken, add)
    _decades(text, add)
    _ages(text, add)
    _scores_and_ranges(text, taken, add)
    _ratios_and_fractions(text, add)
    _dozens_and_period_codes(text, add)
    _ordinals(text, add)
    _numbers(text, taken, add)
    figs.sort(key=lambda f: f.start)
    return tuple(_merge_ranges(text, figs))


_Add = Callable[[Figure], None]


def _dates_and_times(text: str, taken: _Taken, add: _Add) -> None:
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


def _decades(text: str, add: _Add) -> None:
    """ "the 1990s", "the '80s"; "in his 60s" is an age band, not a decade."""
    for m in _DECADE_RE.finditer(text):
        cent = m.group("c")
        base = int((cent or "19") + m.group("dd"))
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


def _ages(text: str, add: _Add) -> None:
    for m in _AGE_RE.finditer(text):
        n = m.group("n")
        v = float(n.replace(",", "")) if n[0].isdigit() else words_to_number(n)
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
        v = float(n) if n[0].isdigit() else words_to_number(n)
        if v is None:
            continue
        add(_exact(m, "age", v, unit="year", words=not n[0].isdigit()))


def _dozens_and_period_codes(text: str, add: _Add) -> None:
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


def _ordinals(text: str, add: _Add) -> None:
    for m in _ORD_DIGIT_RE.finditer(text):
        v = float(m.group("n"))
        add(_exact(m, "ordinal", v, noun=_noun_after(text, m.end())))
    for m in _ORD_WORD_RE.finditer(text):
        o = m.group("o").lower()
        if not _ordinal_word(text, m, o):
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


def _ordinal_word(text: str, m: re.Match[str], o: str) -> bool:
    """An ordinal word that ranks something: not "second-hand", "a split second", "at first"."""
    after = text[m.end() : m.end() + 12].lower()
    before = text[max(0, m.start() - 8) : m.start()].lower()
    if o == "second" and (
        re.match(r"\s*(?:hand|ary|s\b)", after)
        or re.search(r"\b(?:a|split|one|per|every)\s+$", before)
    ):
        return False
    if o == "first" and re.search(r"\b(?:at)\s+$", before):
        return False
    return _ordinal_slot(text, m.start(), m.end())
