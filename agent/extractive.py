"""Extractive picks: the document's most central readable sentences, without redundancy.

Also ``select``: the sentences a small model is shown instead of a long document
(extract, then abstract). Picks are used when a bullet falls back and its own citations are
headings, bylines or fragments, when no model reply is usable at all, and by ``verisum
summarize --extractive`` (no LLM): the honest baseline a model's summary must beat.

1. Candidates: sentences that read as sentences (``readable``): at least ``MIN_WORDS`` words,
   ending like a sentence, not a byline or a "key: value" line, not the title repeated, and
   not a duplicate of an earlier sentence. Sentences opening with a pronoun or a connective
   ("He also ...", "But ...") need the sentence before them: used only when too few others.
2. Centrality: cosine of each candidate's embedding (``agent.embeddings``, the model the
   store uses) to the mean of all candidates.
3. Maximal marginal relevance (``MMR_LAMBDA``) picks central sentences unlike those already
   picked; the picks are returned in document order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

MIN_WORDS = 6
MMR_LAMBDA = 0.5  # 1 = centrality only, 0 = diversity only (0.7 kept 3 "11,000" lines)
TITLE_OVERLAP = 0.8  # share of a sentence's words in the title that makes it a title repeat
_END = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")
_BYLINE = re.compile(
    r"^\s*(?:by|photo|image|picture|credit|credits|source|updated|published|posted|date|"
    r"read more|see also|share|advertisement|copyright|©)\b",
    re.I,
)
_KEY_VALUE = re.compile(r"^\s*[\w ]{1,20}:\s+\S")
_DANGLING = re.compile(
    r"^\W*(?:he|she|it|its|they|their|them|this|these|those|that|but|and|also|however|so|"
    r"yet|meanwhile|still|then|there)\b",
    re.I,
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def readable(text: str, title: str = "") -> bool:
    """Does ``text`` read as a sentence worth quoting (not a heading, byline or fragment)?"""
    words = _words(text)
    if len(words) < MIN_WORDS or not _END.search(text):
        return False
    if _BYLINE.match(text) or _KEY_VALUE.match(text):
        return False
    tw = set(_words(title))
    return not (tw and sum(w in tw for w in words) / len(words) >= TITLE_OVERLAP)


def dangling(text: str) -> bool:
    """Does the sentence lean on the one before it ("He also ...", "But ...")?"""
    return bool(_DANGLING.match(text))


def candidates(texts: Sequence[str], title: str = "") -> list[int]:
    """Indices of readable, non-duplicate sentences, self-contained ones first when enough."""
    seen: set[str] = set()
    out = []
    for i, t in enumerate(texts):
        key = " ".join(_words(t))
        if key in seen or not readable(t, title):
            continue
        seen.add(key)
        out.append(i)
    return out


def mmr_order(rel: Any, sim: Any, k: int, lam: float, prior: Any = None) -> list[int]:
    """Greedy maximal marginal relevance: up to ``k`` row indices (picking order), each the
    best ``lam * rel - (1 - lam) * (its highest similarity to a row picked, or in ``prior``)``.
    ``rel``: relevance per row; ``sim``: row-by-row similarities; ``prior``: similarities of
    each row to what is already shown (a column each)."""
    import numpy as np

    chosen: list[int] = []
    left = list(range(len(rel)))
    while left and len(chosen) < k:
        parts = [prior[left]] if prior is not None and prior.shape[1] else []
        if chosen:
            parts.append(sim[np.ix_(left, chosen)])
        if parts:
            penalty = np.concatenate(parts, axis=1).max(axis=1)
            scores = lam * rel[left] - (1 - lam) * penalty
        else:
            scores = rel[left]
        best = left[int(np.argmax(scores))]
        chosen.append(best)
        left.remove(best)
    return chosen


def mmr_central(vectors: Any, k: int, lam: float = MMR_LAMBDA, shown: Any = None) -> list[int]:
    """Row indices of ``k`` central, mutually different rows (picking order); rows like
    ``shown`` (vectors of what the summary already says) are penalized as if picked."""
    import numpy as np

    vecs = np.asarray(vectors, dtype=np.float32)
    if len(vecs) == 0 or k <= 0:
        return []
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    centroid = vecs.mean(axis=0)
    central = vecs @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    sim = vecs @ vecs.T
    prior = np.zeros((len(vecs), 0), dtype=np.float32)
    if shown is not None and len(shown):
        sv = np.asarray(shown, dtype=np.float32)
        sv = sv / np.maximum(np.linalg.norm(sv, axis=1, keepdims=True), 1e-12)
        prior = vecs @ sv.T
    return mmr_order(central, sim, k, lam, prior)


def pick(
    texts: Sequence[str],
    k: int,
    embedder: Any,
    *,
    title: str = "",
    exclude: Sequence[int] = (),
    shown: Sequence[str] = (),
) -> list[int]:
    """Indices (document order) of up to ``k`` central readable sentences of ``texts``, none
    of ``exclude`` (sentences already quoted or cited), none too similar to each other or to
    ``shown`` (what the summary's other bullets say)."""
    banned = set(exclude)
    pool = [i for i in candidates(texts, title) if i not in banned]
    if not pool or k <= 0:
        return []
    own = [i for i in pool if not dangling(texts[i])]
    if len(own) >= k:
        pool = own
    vectors = embedder.embed([texts[i] for i in pool] + list(shown))
    said = vectors[len(pool) :] if shown else None
    return sorted(pool[j] for j in mmr_central(vectors[: len(pool)], k, shown=said))


def select(
    texts: Sequence[str], k: int, embedder: Any, *, title: str = "", anchors: int = 0
) -> tuple[list[int], list[int]]:
    """What a small model is shown instead of the whole document: (indices of ``k``
    readable, central, mutually different sentences (MMR), in document order; the
    ``anchors`` most central of them, the first MMR picks, in document order). Sentences
    leaning on the one before them are allowed (the model reads them in order). Every index
    (and no anchor) when at most ``k`` sentences are candidates."""
    pool = candidates(texts, title)
    if len(pool) <= k:
        return list(range(len(texts))), []
    order = [pool[j] for j in mmr_central(embedder.embed([texts[i] for i in pool]), k)]
    return sorted(order), sorted(order[:anchors])


REDUNDANT_SIMILARITY = 0.85  # cosine of two bullets with the same figures that say one thing
REDUNDANT_SIMILARITY_NO_FIGURES = 0.9


def _digits(text: str) -> frozenset[str]:
    return frozenset(m.replace(",", "") for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text))


def redundant(texts: Sequence[str], embedder: Any) -> list[int]:
    """Indices of texts that repeat an earlier one: the same digit strings (or none) and an
    embedding cosine of at least ``REDUNDANT_SIMILARITY`` (``..._NO_FIGURES`` without)."""
    import numpy as np

    if len(texts) < 2:
        return []
    vecs = np.asarray(embedder.embed(list(texts)), dtype=np.float32)
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    nums = [_digits(t) for t in texts]
    out: list[int] = []
    kept: list[int] = []
    for i in range(len(texts)):
        limit = REDUNDANT_SIMILARITY if nums[i] else REDUNDANT_SIMILARITY_NO_FIGURES
        if any(nums[j] == nums[i] and float(vecs[i] @ vecs[j]) >= limit for j in kept):
            out.append(i)
        else:
            kept.append(i)
    return out
