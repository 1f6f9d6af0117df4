"""Helpers of the figure parser: number words, the noun after a figure, its context words,
the taken-span book-keeping and date figures."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..text import STOPWORDS, content_words, stem
from .model import Figure, Kind
from .patterns import _NOUN_STOP
from .vocab import _PERIODS, _SCALE_WORDS, _TENS_WORDS, _UNITS_WORDS, _WEEKDAYS, DURATIONS, MONTHS


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
    head ("children's picture books", "12 wildly expensive teapots"); else the last word
    of a run of capitalised words or adjectives ("Sunday League title"). "N of the X" reads X
    ("41 of the Dolmens"; "3,000 square foot of garden space"). A word hyphenated to the
    number is the noun counted, whatever follows ("5-course dinners" counts courses)."""
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
    """The name right after an age ("26-year-old Greta Holm" -> "greta")."""
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
    if gd.get("lead"):  # "in late October": the month alone, in its own span
        return Figure(
            text=m.group("m"), start=m.start("m"), end=m.end("m"), kind="date", month=month
        )
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
