"""Names with numbers ("COVID-19", "MH17", "Under 21", "Boeing 737"): checked as written."""

from __future__ import annotations

import re

from ..figures import NUMBER_NAMES, Figure
from .index import SourceIndex
from .report import FigureVerdict, Span, Verdict

_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


_NUMBER_AFTER = re.compile(
    r"[\s-]*(?:\d+|[IVXLC]+\b|(?:one|two|three|four|five|six|seven|eight|nine|ten)\b)"
)


def _number_alternatives(digits: str) -> str:
    """A number inside a name as digits, Roman numerals or a word ("World War 2" / "World War
    II", "Formula 1" / "Formula One")."""
    n = int(digits)
    alts = [re.escape(digits)]
    if 0 < n < 4000:
        roman, rest = "", n
        for v, r in _ROMAN:
            while rest >= v:
                roman, rest = roman + r, rest - v
        alts.append(roman + r"(?![A-Za-z])")
    if n < len(NUMBER_NAMES):
        alts.append(NUMBER_NAMES[n] + r"(?![A-Za-z])")
    return "(?:" + "|".join(alts) + ")"


def _pattern(parts: list[str], any_number: bool = False) -> re.Pattern[str]:
    """The name's parts with any separators between them; with ``any_number`` its digit
    parts capture any digits (the same name with another number)."""
    body = r"[\W_]*".join(
        (r"(\d+)" if any_number else _number_alternatives(p)) if p[0].isdigit() else re.escape(p)
        for p in parts
    )
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![0-9])", re.IGNORECASE)


def _fiscal_year(code: str, text: str) -> re.Match[str] | None:
    """ "FY2023" / "FY23" written out as "fiscal (year) 2023"."""
    fy = re.fullmatch(r"FY\s*-?(\d{2}|\d{4})", code, re.IGNORECASE)
    if fy is None:
        return None
    y = fy.group(1)
    year = rf"(?:20)?{y[-2:]}" if len(y) == 2 else y
    return re.search(rf"\bfiscal(?:\s+year)?\s+{year}\b", text, re.IGNORECASE)


def identifier_verdict(c: Figure, idx: SourceIndex) -> FigureVerdict:
    """Supported when the name occurs as written (separators, case, Roman numerals and number
    words aside); contradicted when only the same name with another number occurs; a name the
    source states without any number ("COVID" for "COVID-19") supports it: the number is part
    of the name there, not a quantity."""
    parts = re.findall(r"[A-Za-z]+|\d+", c.text)
    text = idx.text
    m = _pattern(parts).search(text) or _fiscal_year(c.text, text)
    if m is not None:
        return _found(c, idx, m.start(), m.end(), "supported", "source says")
    digits = [p for p in parts if p[0].isdigit()]
    if len(digits) == 1 and any(p[0].isalpha() for p in parts):
        for o in _pattern(parts, any_number=True).finditer(text):
            if o.group(1) != digits[0]:
                return _found(c, idx, o.start(), o.end(), "contradicted", "source says")
    words = [p for p in parts if p[0].isalpha()]
    if words:
        name = re.compile(rf"(?<![A-Za-z]){re.escape(words[0])}(?![A-Za-z0-9])", re.I)
        found = list(name.finditer(text))
        numbered = [m for m in found if _NUMBER_AFTER.match(text, m.end())]
        if numbered:
            m = numbered[0]
            end = _NUMBER_AFTER.match(text, m.end())
            assert end is not None
            return _found(c, idx, m.start(), end.end(), "contradicted", "source says")
        if found:
            bare = f"{words[0]!r} occurs, without a number"
            return FigureVerdict(figure=c, verdict="supported", reason=bare, binds="name")
    return FigureVerdict(
        figure=c,
        verdict="not_found",
        reason=f"{c.text!r} does not occur in the source",
        binds="name",
    )


def _found(
    c: Figure, idx: SourceIndex, s: int, e: int, verdict: Verdict, says: str
) -> FigureVerdict:
    k = idx.sentence_of(s)
    a, b = idx.sentences[k] if k >= 0 else (s, e)
    tail = "" if verdict == "supported" else f" here, not {c.text!r}"
    return FigureVerdict(
        figure=c,
        verdict=verdict,
        evidence=[
            Span(start=s, end=e, text=idx.text[s:e]),
            Span(start=a, end=b, text=idx.text[a:b]),
        ],
        reason=f"{says} {idx.text[s:e]!r}{tail}",
        score=1.0,
        binds="name",
    )
