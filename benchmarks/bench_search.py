"""`verisum search` latency at 10k and 100k chunks, query embedding included.

    uv run python benchmarks/bench_search.py [--sizes 10000 100000] [--queries 200]

The chunk VECTORS are synthetic (random unit vectors, 384-d, like all-MiniLM-L6-v2's), because
embedding 100k real chunks takes ~30 min here; chunk texts and metadata have the real shape.
The QUERY is real: each timed search embeds a real query text with the local model, then asks
Chroma for k=5 (the same `Store.search` the CLI calls). Printed beside it: Chroma alone
(query by a precomputed vector) and the query embedding alone, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUMP = ROOT.parent / "shared" / "data" / "bump" / "task1_dataset.json"


def _queries(n: int) -> list[str]:
    if BUMP.is_file():
        rows = json.loads(BUMP.read_text(encoding="utf-8"))
        qs = list(dict.fromkeys(r["reference_summary"].split(" . ")[0] for r in rows))
    else:
        qs = [f"How many soldiers were reported in region {i}?" for i in range(n)]
    return (qs * (n // len(qs) + 1))[:n]


def _pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs), p))


def bench(size: int, n_queries: int, k: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"verisum-bench-search-{size}-"))
    os.environ["VERISUM_HOME"] = str(tmp)
    from agent.settings import get_settings
    from agent.store import open_store

    get_settings.cache_clear()
    store = open_store(get_settings())
    emb = store.embedder
    store.check_model(claim=True)
    rng = np.random.default_rng(0)
    batch = min(5000, store.client.get_max_batch_size())
    # Searches see current documents only: give every synthetic document a record and a
    # source (20 chunks each), like ingest does.
    from agent.models import Document

    doc_ids = [f"doc{i:06d}" for i in range((size + 19) // 20)]
    docs = [Document(id=i, title=i, source=f"/synthetic/{i}.txt", text="x") for i in doc_ids]
    for lo in range(0, len(docs), 1000):
        store.begin_documents(docs[lo : lo + 1000])
    t = time.perf_counter()
    for lo in range(0, size, batch):
        n = min(batch, size - lo)
        vecs = rng.standard_normal((n, emb.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        ids = [f"doc{(lo + i) // 20:06d}:{(lo + i) % 20}" for i in range(n)]
        store.chunks.add(
            ids=ids,
            embeddings=vecs,
            documents=[f"synthetic chunk {lo + i} " + "text " * 80 for i in range(n)],
            metadatas=[
                {
                    "doc_id": i.split(":")[0],
                    "chunk_index": int(i.split(":")[1]),
                    "start": 0,
                    "end": 480,
                    "sentences": "[[0, 0, 480]]",
                }
                for i in ids
            ],
        )
    add_s = time.perf_counter() - t
    for lo in range(0, len(docs), 1000):
        part = docs[lo : lo + 1000]
        store.complete_documents([(d.id, 20) for d in part])
        store.link_sources([(d.source, d.id) for d in part])
    queries = _queries(n_queries)
    emb.embed_query("warm up")
    store.search(queries[0], k=k)

    full, embed_only, chroma_only = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = store.search(q, k=k)
        full.append((time.perf_counter() - t0) * 1000)
        assert len(hits) == k
        t0 = time.perf_counter()
        v = emb.embed_query(q)
        embed_only.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        store.search_vector(v, k=k)
        chroma_only.append((time.perf_counter() - t0) * 1000)
    print(f"{size:>7} chunks (added in {add_s:.0f}s, {size / add_s:.0f}/s)")
    for name, xs in (
        ("search (embed+query)", full),
        ("  query embedding", embed_only),
        ("  chroma by vector", chroma_only),
    ):
        print(f"   {name:<22} p50 {_pct(xs, 50):6.2f} ms   p95 {_pct(xs, 95):6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("-k", type=int, default=5)
    args = ap.parse_args()
    print("synthetic chunk vectors (random unit, 384-d); real query texts embedded locally")
    for size in args.sizes:
        bench(size, args.queries, args.k)


if __name__ == "__main__":
    main()
