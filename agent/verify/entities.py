"""Names in a claim checked against the source: people, organisations, places, products...

A claim's named entities come from spaCy's NER (the same small English pipeline as the
parse; run on claims only, sources are matched as text). A name is supported when each of
its words occurs in the source, allowing the variants real text has:

- spelling and transliteration: "Zelenskyi" / "Zelenskyy" / "Zelensky" (rapidfuzz ratio of
  the two words, ``FUZZY`` or more, for words of ``FUZZY_MIN`` letters or more);
- plurals, possessives and demonyms sharing a stem or a long prefix ("Korea's", "Koreans",
  "Ukraine" / "Ukrainian");
- abbreviations both ways: "US" / "U.S." / "United States", "NATO" / "North Atlantic Treaty
  Organization" (initials of capitalised words);
- short forms: "Blinken" is part of "Anthony Blinken".

A name whose words are not all found is ``not_found``, with the closest source words as the
evidence searched. A name found in the document but outside the claim's cited sentences is
still supported (a pronoun may carry it there), with ``scope`` "document".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..figures import STOPWORDS, Figure, stem
from .frames import ents
from .index import SourceIndex
from .places import country_of, named_in
from .report import FigureVerdict, Span
from .rules import on

CHECKED = frozenset(
    ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"]
)
FUZZY = 85.0  # rapidfuzz ratio at which two words are spellings of one name
FUZZY_MIN = 5  # shorter words must match exactly (or by stem / abbreviation)
PREFIX_MIN = 5  # "ukrain|e" / "ukrain|ian": a shared prefix this long, most of the shorter
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*\w)?")
_JOINERS = frozenset(["of", "the", "and", "for", "&", "de", "la", "du", "von", "van"])


@dataclass(frozen=True)
class NameIndex:
    """The source's words, by sentence, with the abbreviations it spells out."""

    words: dict[str, tuple[tuple[int, int], ...]]  # casefolded word -> spans
    stems: dict[str, str]  # casefolded word -> its stem
    initials: dict[str, tuple[int, int]]  # "US" -> span of "United States"
    names: dict[str, tuple[int, int]]  # runs of capitalised words -> a span
    acronyms: frozenset[str]  # all-capital words as written, dots removed: "US", "NATO"


def _norm(word: str) -> str:
    w = word.casefold().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.rstrip("'").replace(".", "") if len(w) > 1 else w


def _caps(word: str) -> str | None:
    """ "U.S." / "NATO" -> the letters of an abbreviation, else None."""
    letters = word.replace(".", "")
    if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
        return letters
    return None


@lru_cache(maxsize=256)
def name_index(text: str) -> NameIndex:
    words: dict[str, list[tuple[int, int]]] = {}
    initials: dict[str, tuple[int, int]] = {}
    acronyms: set[str] = set()
    run: list[re.Match[str]] = []

    names: dict[str, tuple[int, int]] = {}

    def flush() -> None:
        while run and run[-1].group().casefold() in _JOINERS:
            run.pop()
        opens = run and (run[0].start() < 2 or text[run[0].start() - 2] in ".!?\n")
        if run and (len(run) > 1 or not opens):  # a lone capitalised first word is no name
            names.setdefault(text[run[0].start() : run[-1].end()], (run[0].start(), run[-1].end()))
        core = [m for m in run if m.group().casefold() not in _JOINERS]
        if len(core) >= 2:
            key = "".join(m.group()[0].upper() for m in core)
            initials.setdefault(key, (run[0].start(), run[-1].end()))
        run.clear()

    prev_end = 0
    for m in _WORD.finditer(text):
        w = m.group()
        words.setdefault(_norm(w), []).append(m.span())
        if "-" in w:  # "African-American", "Afro-pop": each part is a word too
            at = m.start()
            for part in w.split("-"):
                if part:
                    words.setdefault(_norm(part), []).append((at, at + len(part)))
                at += len(part) + 1
        if (caps := _caps(w)) is not None:
            acronyms.add(caps)
        elif w.endswith("s") and (caps := _caps(w[:-1])) is not None:  # "CNNs"
            acronyms.add(caps)
            words.setdefault(caps.casefold(), []).append((m.start(), m.end() - 1))
        gap = text[prev_end : m.start()]
        joined = run and gap.strip() == "" and "\n" not in gap
        if (w[0].isupper() and (joined or not run)) or (joined and w.casefold() in _JOINERS):
            run.append(m)
        else:
            flush()
            if w[0].isupper():
                run.append(m)
        prev_end = m.end()
    flush()
    return NameIndex(
        {w: tuple(s) for w, s in words.items()},
        {w: stem(w) for w in words},
        initials,
        names,
        frozenset(acronyms),
    )


def _prefix(a: str, b: str) -> bool:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= PREFIX_MIN and n >= 0.7 * min(len(a), len(b))


def _find(word: str, idx: NameIndex, abbrev: bool = False) -> tuple[tuple[int, int], ...]:
    """Spans of the source spelling ``word`` (a name's word), else (). ``abbrev``: the claim
    writes it with a period ("Sat.", "Gov."), so it may be the start of a source word."""
    w = _norm(word)
    hit = idx.words.get(w)
    if hit:
        return hit
    if "-" in w:  # "al-Qaeda" / "al Qaeda"
        parts = [_find(p, idx) for p in w.split("-") if p]
        if parts and all(parts):
            return parts[0]
    if abbrev and len(w) >= 2:
        got = [sp for sw, spans in idx.words.items() if sw.startswith(w) for sp in spans]
        if got:
            return tuple(got)
    st = stem(w)
    close: list[tuple[int, int]] = []
    best = 0.0
    from rapidfuzz import fuzz

    for sw, spans in idx.words.items():
        if abs(len(sw) - len(w)) > 4 or sw[:1] != w[:1]:
            continue
        if idx.stems[sw] == st or _prefix(sw, w):
            close += spans
        elif len(w) >= FUZZY_MIN and len(sw) >= FUZZY_MIN:
            r = fuzz.ratio(w, sw)
            if r >= FUZZY:
                close += spans
                best = max(best, r)
    return tuple(sorted(close))


def _closest(name: str, idx: NameIndex) -> tuple[int, int] | None:
    """The source's name most like ``name`` (the evidence searched), if any is alike."""
    from rapidfuzz import fuzz, process

    if not idx.names:
        return None
    got = process.extractOne(
        name, list(idx.names), scorer=fuzz.token_set_ratio, processor=str.casefold
    )
    return idx.names[got[0]] if got and got[1] >= 50 else None


@dataclass(frozen=True)
class Name:
    text: str
    start: int
    end: int
    label: str


def claim_names(text: str) -> list[Name]:
    """The claim's named entities worth checking (no numbers: figures check those)."""
    out = []
    for e in ents(text):
        if e.label_ not in CHECKED or any(ch.isdigit() for ch in e.text):
            continue
        s, t = e.start_char, e.end_char
        while s < t and not text[s].isalnum():
            s += 1
        if text[s:t].lower().startswith("the "):
            s += 4
        if text[t - 1 : t] == "." and "." not in text[s : t - 1].rsplit(" ", 1)[-1]:
            t -= 1  # "Acme Corp." at the end of a sentence (not "U.S.")
        words = _WORD.findall(text[s:t])
        if t - s < 2 or not words or "&" in text[s:t]:
            continue
        if any(w.islower() and w.casefold() not in _JOINERS for w in words):
            continue  # a name's words are capitalised: "Ramadi is not" is a misread
        out.append(Name(text[s:t], s, t, e.label_))
    return out


def _words(name: str) -> list[str]:
    return [w for w in _WORD.findall(name) if w.casefold() not in STOPWORDS or _caps(w)]


def _located(name: Name, idx: NameIndex, source: str, claim: str) -> list[tuple[int, int]] | None:
    """Spans of the source that spell the name (one per word), or None when a word is missing."""
    gids = country_of(name.text)
    if gids and on("places"):
        span = named_in(gids, source)
        if span is not None:
            return [span]
    found: list[tuple[int, int]] = []
    words = _words(name.text)
    if not words:
        return []
    initials = "".join(
        (_caps(w) or w[0].upper()) if on("initials") else w[0].upper()
        for w in words
        if w.casefold() not in _JOINERS
    )  # an abbreviation inside the name gives all its letters: "UK Rail Safety..." / "UKRSB"
    if len(words) >= 2 and initials in idx.acronyms:  # "United States" / "US"
        hit = idx.words.get(initials.casefold())
        return [hit[0]] if hit else []
    options: list[tuple[tuple[int, int], ...]] = []
    at = name.start
    for w in words:
        at = claim.find(w, at) + len(w)
        caps = _caps(w)
        if caps is not None and caps in idx.initials:  # "US" / "United States"
            found.append(idx.initials[caps])
            continue
        if caps is not None and caps in idx.acronyms:
            found.append(idx.words[caps.casefold()][0])
            continue
        spans = _find(w, idx, abbrev=claim[at : at + 1] == ".")
        if not spans:
            return None
        options.append(spans)
    return found + [o[0] for o in options]


def entity_verdicts(
    claim_text: str, src: SourceIndex, cited: set[int] | None
) -> list[FigureVerdict]:
    """One verdict per named entity of the claim."""
    idx = name_index(src.text)
    out = []
    for name in claim_names(claim_text):
        fig = Figure(text=name.text, start=name.start, end=name.end, kind="entity")
        spans = _located(name, idx, src.text, claim_text)
        if spans is None:
            near = _closest(name.text, idx)
            out.append(
                FigureVerdict(
                    kind="entity",
                    figure=fig,
                    verdict="not_found",
                    evidence=[
                        Span(start=a, end=b, text=src.text[a:b])
                        for a, b in ([near] if near else list(idx.names.values())[:6])
                    ],
                    reason=f"no name like {name.text!r} in the source"
                    + (
                        f" (closest: {src.text[near[0] : near[1]]!r})"
                        if near
                        else f" (it names {', '.join(list(idx.names)[:6])}...)"
                        if idx.names
                        else ""
                    ),
                    binds="name",
                )
            )
            continue
        in_cited = cited is None or all(src.sentence_of(a) in cited for a, _ in spans)
        out.append(
            FigureVerdict(
                kind="entity",
                figure=fig,
                verdict="supported",
                evidence=[Span(start=a, end=b, text=src.text[a:b]) for a, b in spans[:3]],
                reason="named in the cited text" if cited and in_cited else "named in the source",
                scope="cited" if cited and in_cited else "document",
                binds="name",
            )
        )
    return out
