"""Citations as the model writes them: ids and quotes checked (the re-ask hook), salvaged
when the re-asks are spent, and re-anchored when they are off by a few sentences."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from .context import Unit
from .verify import MIN_GROUNDING, grounding

MAX_CITED = 4  # sentence ids per bullet in the model's reply
MAX_TEXT = 400  # characters per bullet; the schema's maxLength stops runaway generations
MAX_QUOTE = 200


# ---------------------------------------------------------------- what the model returns
class DraftBullet(BaseModel):
    """A bullet as the model writes it: text, cited sentence ids, optional verbatim quote."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    sentence_ids: list[int] = Field(min_length=1, max_length=MAX_CITED)
    quote: str | None = Field(default=None, max_length=MAX_QUOTE)


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).casefold()


def quote_in(quote: str, texts: Sequence[str]) -> bool:
    """True when ``quote`` (whitespace, case and curly quotes aside) is inside one of ``texts``."""
    q = _norm(quote).strip(" \"'.,;:")
    return bool(q) and any(q in _norm(t) for t in texts)


def _id_range(sids: Sequence[int] | set[int]) -> str:
    s = sorted(sids)
    if s and s[-1] - s[0] + 1 == len(s):
        return f"S{s[0]}-S{s[-1]}" if len(s) > 1 else f"S{s[0]}"
    return ", ".join(f"S{i}" for i in s[:40]) + (" ..." if len(s) > 40 else "")


def citation_problems(
    bullets: Sequence[DraftBullet], shown: dict[int, Unit], multi: bool, label: str = "bullet"
) -> list[str]:
    """Why the cited ids or quotes of ``bullets`` are not acceptable (empty: all fine)."""
    problems = []
    for n, b in enumerate(bullets, 1):
        name = f"{label} {getattr(b, 'id', n)}"
        unknown = [i for i in b.sentence_ids if i not in shown]
        if unknown:
            problems.append(
                f"{name} cites unknown sentence id(s) {unknown}; valid ids: {_id_range(set(shown))}"
            )
            continue
        if multi and len({shown[i].doc.id for i in b.sentence_ids}) > 1:
            problems.append(f"{name} cites sentences of several documents; cite one document")
            continue
        if (
            b.quote
            and not quote_in(b.quote, [shown[i].text for i in b.sentence_ids])
            and not quote_fixable(b, shown)  # re-anchored without asking again
        ):
            problems.append(
                f"{name}: quote {b.quote[:80]!r} is not copied verbatim from its cited "
                f"sentence(s) {', '.join(f'S{i}' for i in b.sentence_ids)}; copy it exactly or "
                "omit it"
            )
    return problems


def citation_checker(
    problems_of: Callable[[Any], list[str]],
) -> Callable[[Any], None]:
    """A ``check=`` hook raising ``ValueError`` with every problem. A reply identical to one
    already rejected passes: asking again would not change it, and the caller salvages it."""
    rejected: set[str] = set()

    def check(reply: Any) -> None:
        problems = problems_of(reply)
        if problems:
            key = reply.model_dump_json()
            if key in rejected:
                return
            rejected.add(key)
            raise ValueError("; ".join(problems))

    return check


REANCHOR_WINDOW = 3  # sentences either side of a cited id searched for a misnumbered citation
REANCHOR_GROUNDING = 0.67  # share of the bullet's words a sentence must hold to be re-anchored to
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> set[str]:
    """Digit strings of ``text``, normalized ("11,000" -> "11000")."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _DIGITS.finditer(text)}


def reanchor(
    text: str, quote: str | None, ids: list[int], shown: dict[int, Unit]
) -> tuple[list[int], list[str]]:
    """Fix citations that are off by a few ids, deterministically: (new ids, notes such as
    "re-anchored S10 -> S12"). ``ids`` are valid shown ids of one document.

    1. A quote not in the cited sentences but copied verbatim from exactly one sentence of the
       same document (anywhere) or from sentences near the cited ids: cite the nearest of
       those instead of the nearest cited id.
    2. The bullet has digit strings and no cited sentence holds any of them: the nearest
       sentence within ``REANCHOR_WINDOW`` holding all of them and ``REANCHOR_GROUNDING`` of
       the bullet's words replaces the nearest cited id.
    3. Too few of the bullet's words in the cited sentences (below ``MIN_GROUNDING``): the one
       swap of a cited id for a sentence within the window that gives the highest share, if
       that share reaches ``REANCHOR_GROUNDING``.
    Ties go to the nearest sentence, then the lower id. Nothing found: ids unchanged."""
    if not ids:
        return ids, []
    doc = shown[ids[0]].doc.id
    same = sorted(i for i, u in shown.items() if u.doc.id == doc)
    ids = list(ids)
    notes: list[str] = []

    def near(j: int) -> int:
        return min(abs(j - c) for c in ids)

    def nearest_cited(j: int, among: Sequence[int] | None = None) -> int:
        pool = list(among) if among is not None else ids
        return min(pool, key=lambda c: (abs(j - c), c))

    def swap(old: int, new: int) -> None:
        ids[ids.index(old)] = new
        notes.append(f"re-anchored S{old} -> S{new}")

    def add(new: int) -> None:
        ids.append(new)
        notes.append(f"re-anchored +S{new} (near S{nearest_cited(new, ids[:-1])})")

    # 1. a verbatim quote elsewhere
    if quote and not quote_in(quote, [shown[i].text for i in ids]):
        holders = [j for j in same if quote_in(quote, [shown[j].text])]
        close = [j for j in holders if near(j) <= REANCHOR_WINDOW]
        pick = close or (holders if len(holders) == 1 else [])
        if pick:
            target = min(pick, key=lambda j: (near(j), j))
            swap(nearest_cited(target), target)
    # 2. figures held by a neighbour (never added to a cited sentence that holds one: that
    #    would lend a misattributed figure the support of another sentence)
    nums = _numbers(text)
    cited_nums = set().union(*(_numbers(shown[i].text) for i in ids)) if nums else set()
    if nums and not nums & cited_nums:
        cands = [
            j
            for j in same
            if j not in ids
            and near(j) <= REANCHOR_WINDOW
            and nums <= _numbers(shown[j].text)
            and grounding(text, [shown[j].text]) >= REANCHOR_GROUNDING
        ]
        if cands:
            target = min(cands, key=lambda j: (near(j), j))
            swap(nearest_cited(target), target)
    # 3. words
    if grounding(text, [shown[i].text for i in ids]) < MIN_GROUNDING:
        best: tuple[float, int, int, int] | None = None
        for c in ids:
            for j in same:
                if j in ids or abs(j - c) > REANCHOR_WINDOW:
                    continue
                trial = [shown[i].text for i in ids if i != c] + [shown[j].text]
                gj = grounding(text, trial)
                if gj >= REANCHOR_GROUNDING:
                    key = (-gj, abs(j - c), j, c)
                    if best is None or key < best:
                        best = key
        if best is not None:
            swap(best[3], best[2])
    return sorted(dict.fromkeys(ids)), notes


# A context's sentence tags ("[S12]", "[S1, S3]", "[S1][S2]", "(S3)", "[S1-S3]", "(cites S2)")
# and a repair call's bullet tag ("[B1]") as a model copies them into its text.
_SID = r"S\d+(?:\s*[-\u2013]\s*S?\d+)?"
_SIDS = rf"(?:cites?\s+)?{_SID}(?:\s*[,;]\s*(?:and\s+)?{_SID})*"
_TAGS = re.compile(rf"(?:\s*(?:\[\s*{_SIDS}\s*\]|\(\s*{_SIDS}\s*\)))+", re.IGNORECASE)
_BULLET_TAG = re.compile(r"^\s*\[B\d+\]\s*")


def strip_tags(text: str) -> str:
    """Model-written text without the internal sentence and bullet tags it may have copied
    ("[S1] Seoul gives ..." -> "Seoul gives ..."; "... region [S2]." -> "... region.");
    the citations themselves are the reply's ``sentence_ids``, untouched."""
    untagged = _BULLET_TAG.sub("", _TAGS.sub("", text))
    return " ".join(untagged.split()) if untagged != text else text.strip()


def clean_draft(
    b: DraftBullet, shown: dict[int, Unit], multi: bool, notes: list[str] | None = None
) -> tuple[list[int], str | None, int]:
    """Salvage a bullet: (valid global sentence ids, quote or None, number of ids and quotes
    dropped). Unknown ids and ids of a second document are dropped; with ``notes`` given,
    citations off by a few ids are re-anchored (``reanchor``) and the changes appended."""
    ids = [i for i in dict.fromkeys(b.sentence_ids) if i in shown]
    dropped = len(b.sentence_ids) - len(ids)
    if multi and ids:
        counts: dict[str, int] = {}
        for i in ids:
            counts[shown[i].doc.id] = counts.get(shown[i].doc.id, 0) + 1
        keep = max(counts, key=lambda d: counts[d])
        dropped += len([i for i in ids if shown[i].doc.id != keep])
        ids = [i for i in ids if shown[i].doc.id == keep]
    if notes is not None and ids:
        ids, moved = reanchor(b.text, b.quote, ids, shown)
        notes.extend(moved)
    quote = b.quote
    if quote and not (ids and quote_in(quote, [shown[i].text for i in ids])):
        quote, dropped = None, dropped + 1
    return [shown[i].sid for i in ids], quote, dropped


def quote_fixable(b: DraftBullet, shown: dict[int, Unit]) -> bool:
    """Would ``reanchor`` find the bullet's non-verbatim quote in a nearby sentence?"""
    ids = [i for i in b.sentence_ids if i in shown]
    if not ids or not b.quote:
        return False
    moved, _ = reanchor("", b.quote, ids, shown)
    return quote_in(b.quote, [shown[i].text for i in moved])
