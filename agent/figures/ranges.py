"""The parser's last pass: two neighbouring figures joined by a range word become one range
("X to Y", "between X and Y", "$300-$350", "5 or 6 weeks"); a scale written once is shared
("$16.5-17 billion")."""

from __future__ import annotations

import re

from .model import Figure
from .patterns import _BETWEEN_RE, _RANGE_JOIN_RE


def _merge_ranges(text: str, figs: list[Figure]) -> list[Figure]:
    """Join "X to Y", "between X and Y", "$300-$350" into one range figure."""
    out: list[Figure] = []
    i = 0
    while i < len(figs):
        f = figs[i]
        joined = _joined(text, f, figs[i + 1]) if i + 1 < len(figs) else None
        if joined is not None:
            out.append(joined)
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def _joinable(f: Figure, g: Figure, gap: str) -> bool:
    """Two single values with a range word between them, neither a date, time or ordinal,
    the first unhedged."""
    return (
        _RANGE_JOIN_RE.fullmatch(gap) is not None
        and not f.is_range
        and not g.is_range
        and f.value is not None
        and g.value is not None
        and f.kind not in ("date", "time", "ordinal")
        and g.kind not in ("date", "ordinal", "time")
        and f.approx is None
    )


def _joined(text: str, f: Figure, g: Figure) -> Figure | None:
    """The range ``f`` to ``g`` make, or None when they are two figures."""
    gap = text[f.end : g.start]
    if not _joinable(f, g, gap):
        return None
    assert f.value is not None and g.value is not None
    joiner = gap.strip().lower()
    between = _BETWEEN_RE.search(text[max(0, f.start - 9) : f.start])
    if not _range_words(f, g, joiner, between):
        return None
    shared = f.scale == 1.0 and g.scale != 1.0 and f.value * g.scale < g.value * 1000
    fv = f.value * (g.scale / f.scale if shared else 1.0)  # "$16.5-17 billion"
    if fv >= g.value:
        return None
    start = (
        between.start() + max(0, f.start - 9)
        if (between is not None and joiner == "and")
        else f.start
    )
    return g.model_copy(
        update={
            "text": text[start : g.end],
            "start": start,
            "value": None,
            "low": fv,
            "high": g.value,
            "is_range": True,
            "approx": None,
            "precision": min(f.precision * (fv / f.value if f.value else 1), g.precision),
        }
    )


def _range_words(f: Figure, g: Figure, joiner: str, between: re.Match[str] | None) -> bool:
    """The words make a range of comparable figures: "to" or a dash (not after "from"),
    "and" after "between", "or" from a bare number to a counted one ("5 or 6 weeks")."""
    frm = between is not None and between.group().lower().startswith("from")
    compatible = (f.kind == g.kind or f.kind == "number") and (
        f.currency is None or f.currency == g.currency
    )
    return compatible and (
        (joiner in ("and",) and between is not None and not frm)
        or (joiner in ("to", "-", "–", "—") and not frm)
        or (joiner == "or" and f.kind == "number" and g.kind != "number")
    )
