"""Store invariants, checked by the fault-injection tests and benchmarks/fault_inject.py.

Each check reads the raw Chroma collections (not only the store's filtered views), so a
leftover that readers would skip still counts as a violation after recovery.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from agent.documents import load_path


def violations(
    store: Any,
    expected: dict[str, str] | None = None,
    *,
    after_recovery: bool = True,
    query: str = "soldiers moved",
    max_search_s: float = 5.0,
) -> list[str]:
    """What is wrong with ``store``; empty when every invariant holds.

    - one current version per source path (and, with ``expected`` {source: doc id}, the
      right one: the content of the file on disk);
    - every chunk belongs to a complete document, each document has all its chunks, once;
    - ``text[start:end]`` of every chunk and sentence is exact;
    - search answers within ``max_search_s`` with chunks of current documents only.
    With ``after_recovery`` there must also be no leftover record at all.
    """
    bad: list[str] = []
    infos = store.list_documents()
    per_source = Counter(s for d in infos for s in d.sources)
    bad += [f"source {s} has {n} current versions" for s, n in per_source.items() if n > 1]
    current = {d.id: d for d in infos}
    for source, doc_id in (expected or {}).items():
        named = [d.id for d in infos if source in d.sources]
        if named != [doc_id]:
            bad.append(f"source {source}: current {named}, expected [{doc_id}]")
    recs = store.docs.get(include=["metadatas", "documents"])
    texts = dict(zip(recs["ids"], recs["documents"], strict=True))
    status = {i: m.get("status") for i, m in zip(recs["ids"], recs["metadatas"], strict=True)}
    if after_recovery:
        bad += [f"leftover {s} record {i}" for i, s in status.items() if s != "complete"]
        bad += [f"complete document {i} named by no source" for i in status if i not in current]
    got = store.chunks.get(include=["metadatas", "documents"])
    by_doc: dict[str, list[int]] = {}
    for meta, text in zip(got["metadatas"], got["documents"], strict=True):
        doc_id = meta["doc_id"]
        by_doc.setdefault(doc_id, []).append(int(meta["chunk_index"]))
        if status.get(doc_id) != "complete":
            if after_recovery:
                bad.append(f"chunk {doc_id}:{meta['chunk_index']} of a {status.get(doc_id)} doc")
            continue
        full = texts[doc_id]
        if full[meta["start"] : meta["end"]] != text:
            bad.append(f"chunk {doc_id}:{meta['chunk_index']} text[start:end] differs")
    for doc_id, info in current.items():
        idx = sorted(by_doc.get(doc_id, []))
        if idx != list(range(info.chunks)):
            bad.append(f"document {doc_id} has chunks {idx[:5]}... not 0..{info.chunks - 1}")
    if current:
        t = time.perf_counter()
        hits = store.search(query, k=5)
        took = time.perf_counter() - t
        if not hits:
            bad.append("search found nothing in a non-empty store")
        if took > max_search_s:
            bad.append(f"search took {took:.1f} s")
        bad += [f"search returned chunk of non-current {h.doc_id}" for h in hits
                if h.doc_id not in current]  # fmt: skip
    return bad


def expected_for(folder: Path) -> dict[str, str]:
    """{absolute source path: doc id} of the supported files now in ``folder``."""
    out = {}
    for p in sorted(folder.rglob("*.txt")):
        doc = load_path(p)
        out[doc.source] = doc.id
    return out
