"""Countries under their many names: "U.K." / "Britain" / "British" / "London" are one place.

The data is the ``countryinfo`` package (MIT): per country its name, alternative spellings and
codes, demonym, capital and provinces. A claim that names a country by any of its names or its
demonym is supported by a source that names the country, its people, its capital or one of its
provinces ("U.K. students" from "Students in London"; "French farmers" from "across France").
The reverse does not hold: a province or a city in a claim must itself be named.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")


def _key(name: str) -> str:
    k = name.casefold().replace(".", "").replace("’", "'").strip()
    if k.endswith("'s"):
        k = k[:-2]
    return re.sub(r"\s+", " ", k)


def _strs(x: object) -> list[str]:
    if isinstance(x, str):
        return [x] if x else []
    if isinstance(x, list):
        return [s for s in x if isinstance(s, str) and s]
    return []


@lru_cache(maxsize=1)
def _groups() -> tuple[dict[str, frozenset[int]], list[tuple[str, ...]]]:
    """(name key -> the countries it may name, group id -> the names a source may use)."""
    from countryinfo._cache import load_countries

    countries = load_countries()["countries"]
    index: dict[str, set[int]] = {}
    members: list[tuple[str, ...]] = []
    for info in countries.values():
        if not isinstance(info, dict) or not info.get("name"):
            continue
        own = [*_strs(info["name"]), *_strs(info.get("nativeName")), *_strs(info.get("demonym"))]
        names = [n for n in own + _strs(info.get("altSpellings")) if _LATIN.match(n)]
        more = _strs(info.get("capital")) + [
            re.sub(r"\s*\(.*\)$", "", p) for p in _strs(info.get("provinces"))
        ]
        gid = len(members)
        members.append(tuple(dict.fromkeys(n for n in names + more if n and _LATIN.match(n))))
        for n in names:
            index.setdefault(_key(n), set()).add(gid)
    tails: dict[str, set[int]] = {}  # "Britain" of "Great Britain", if no other country's
    for k, gids in index.items():
        if k.count(" ") == 1 and len(last := k.split(" ")[1]) >= 5:
            tails.setdefault(last, set()).update(gids)
    for last, gids in tails.items():
        if len(gids) == 1 and last not in index:
            index[last] = gids
    return {k: frozenset(v) for k, v in index.items()}, members


def country_of(name: str) -> frozenset[int]:
    """The countries a claim's name may stand for ("UK", "British", "Americans")."""
    index, _ = _groups()
    k = _key(name)
    if k in index:
        return index[k]
    if k.endswith("s") and k[:-1] in index:  # "Americans"
        return index[k[:-1]]
    return frozenset()


@lru_cache(maxsize=512)
def _patterns(gid: int) -> tuple[re.Pattern[str], ...]:
    """One pattern per name of country ``gid``, in order, compiled once."""
    out = []
    for n in _groups()[1][gid]:
        short = len(n.replace(".", "")) <= 3  # codes ("US", "GB") are case-sensitive
        pat = re.escape(n).replace(r"\ ", r"[\s-]+")
        out.append(re.compile(rf"(?<![\w-]){pat}s?(?![\w])", 0 if short else re.IGNORECASE))
    return tuple(out)


def named_in(gids: frozenset[int], text: str) -> tuple[int, int] | None:
    """A span of ``text`` naming one of the countries, its people, capital or a province."""
    for g in sorted(gids):
        for pat in _patterns(g):
            if m := pat.search(text):
                return m.span()
    return None
