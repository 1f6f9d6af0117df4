"""Retrieval for ``ask``: the question's nearest chunks, re-ranked with maximal marginal relevance
over the chunk vectors stored in Chroma, optionally filtered to some documents (``--doc``) or
to documents whose metadata match (``--where key=value``), and the sources they make."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .context import Source
from .errors import InputError
from .extractive import mmr_order
from .models import (
    RetrievedChunk,
    Sentence,
)

if TYPE_CHECKING:
    from .store import Store


FETCH_FACTOR = 4  # MMR candidates per wanted chunk
MIN_FETCH = 20
MMR_LAMBDA = 0.6  # 1 = relevance only, 0 = diversity only
# ====================================================================== retrieval


def doc_filter(
    store: Store, doc_ids: Sequence[str] = (), where: Sequence[str] = ()
) -> list[str] | None:
    """Document ids allowed by ``--doc`` and ``--where key=value`` (``None``: no filter).

    ``where`` matches a document's title, source, media_type or a key of its metadata; the
    value is compared as text, and ``key~=value`` matches a substring (case-insensitive)."""
    ids = [store.resolve_id(d) for d in doc_ids] if doc_ids else None
    if not where:
        return ids
    rules = []
    for w in where:
        m = re.match(r"^\s*([\w.-]+)\s*(~?=)\s*(.*)$", w)
        if not m:
            raise InputError(f"--where takes KEY=VALUE or KEY~=TEXT, not {w!r}")
        rules.append((m.group(1), m.group(2), m.group(3).strip()))
    out = []
    for info in store.list_documents():
        fields = {
            "id": info.id,
            "title": info.title,
            "source": info.source,
            "media_type": info.media_type,
            **{k: v for k, v in info.metadata.items()},
        }
        ok = True
        for key, op, value in rules:
            got = fields.get(key)
            text = "" if got is None else str(got)
            ok = ok and (value.casefold() in text.casefold() if op == "~=" else text == value)
        if ok and (ids is None or info.id in ids):
            out.append(info.id)
    if not out:
        raise InputError("no ingested document matches the --doc/--where filter")
    return out


def mmr(query: Any, vectors: Any, k: int, lam: float = MMR_LAMBDA) -> list[int]:
    """Indices of ``k`` rows of ``vectors`` by maximal marginal relevance to ``query``."""
    import numpy as np

    vecs = np.asarray(vectors, dtype=np.float32)
    if len(vecs) == 0:
        return []
    q = np.asarray(query, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs = vecs / np.maximum(norms, 1e-12)
    rel = vecs @ (q / max(float(np.linalg.norm(q)), 1e-12))
    return mmr_order(rel, vecs @ vecs.T, k, lam)


def retrieve(
    store: Store,
    question: str,
    *,
    k: int = 5,
    doc_ids: Sequence[str] | None = None,
    fetch_k: int | None = None,
    lam: float = MMR_LAMBDA,
) -> list[RetrievedChunk]:
    """The ``k`` chunks for ``question``: nearest ``fetch_k`` by vector, then MMR."""
    if store.recorded_model() is None:
        return []  # nothing ingested yet
    store.check_model(claim=False)
    vector = store.embedder.embed_query(question)
    fetch = fetch_k or max(MIN_FETCH, FETCH_FACTOR * k)
    found = store.nearest(vector, fetch, doc_ids, with_vectors=True)
    order = mmr(vector, [v for _, _, v in found], k, lam)
    infos = {d.id: d for d in store.list_documents()}
    out = []
    for i in order:
        chunk, score, _ = found[i]
        info = infos.get(chunk.doc_id)
        out.append(
            RetrievedChunk(
                doc_id=chunk.doc_id,
                chunk_index=chunk.index,
                start=chunk.start,
                end=chunk.end,
                score=score,
                title=info.title if info else "",
                source=info.source if info else "",
                text=chunk.text,
                sentences=chunk.sentences,
            )
        )
    return out


def context_sources(store: Store, chunks: Sequence[RetrievedChunk]) -> list[Source]:
    """One ``Source`` per document, best-ranked first, holding its retrieved sentences."""
    by_doc: dict[str, dict[int, Sentence]] = {}
    for c in chunks:
        sents = by_doc.setdefault(c.doc_id, {})
        for s in c.sentences:
            sents.setdefault(s.index, s)
    out = []
    for doc_id, sents in by_doc.items():
        doc = store.get_document(doc_id)
        out.append(Source(doc, [sents[i] for i in sorted(sents)]))
    return out
