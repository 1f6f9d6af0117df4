"""Ingest throughput against the raw embedding throughput on the same chunks, same run.

    uv run python benchmarks/bench_ingest.py [--docs N] [--rounds 3]

Corpus: the 99 unique BUMP task-1 articles from ../shared/data/bump (seeds/ when absent),
written to a temporary folder as .txt files and ingested into a fresh embedded store with the
local embedding model. Prints:
- raw: the embedding model alone on exactly the chunks ingest makes (chunks/s);
- ingest: the whole pipeline (load, chunk, embed, write to Chroma) in chunks/s, and the ratio;
- re-ingest of the unchanged documents in docs/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=0, help="use only the first N articles")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from bench_embed import load_articles

    tmp = Path(tempfile.mkdtemp(prefix="verisum-bench-ingest-"))
    os.environ["VERISUM_HOME"] = str(tmp / "home")
    from agent.chunking import chunk_document
    from agent.documents import load_path
    from agent.ingest import ingest
    from agent.settings import get_settings
    from agent.store import open_store

    articles = load_articles()
    if args.docs:
        articles = articles[: args.docs]
    folder = tmp / "corpus"
    folder.mkdir()
    paths = []
    for i, text in enumerate(articles):
        p = folder / f"article-{i:03d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)

    settings = get_settings()
    store = open_store(settings)
    embedder = store.embedder
    embedder.embed(["warm up the model once"])  # build/load the model outside the timings

    chunks = [
        c.text
        for p in paths
        for c in chunk_document(load_path(p), settings.chunk_chars, settings.chunk_overlap)
    ]
    raw = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        embedder.embed(chunks)
        raw.append(len(chunks) / (time.perf_counter() - t))

    rates = []
    for r in range(args.rounds):
        if r:
            for d in store.list_documents():
                store.delete_document(d.id)
        t = time.perf_counter()
        report = ingest([str(folder)], store=store)
        secs = time.perf_counter() - t
        assert report.ok and report.chunks == len(chunks), (report.chunks, len(chunks))
        rates.append(report.chunks / secs)

    again = []
    for _ in range(max(args.rounds, 5)):
        t = time.perf_counter()
        report = ingest([str(folder)], store=store)
        secs = time.perf_counter() - t
        assert report.count("unchanged") == len(paths)
        again.append(len(paths) / secs)

    raw_p50, ing_p50 = statistics.median(raw), statistics.median(rates)
    mean_chars = sum(map(len, chunks)) / len(chunks)
    print(
        f"corpus: {len(paths)} documents, {len(chunks)} chunks, {mean_chars:.0f} chars/chunk "
        f"(chunk_chars={settings.chunk_chars}, overlap={settings.chunk_overlap})"
    )
    print(
        f"raw embedding (same chunks)  {raw_p50:8.1f} chunks/s   runs: "
        + ", ".join(f"{x:.1f}" for x in raw)
    )
    print(
        f"ingest (whole pipeline)      {ing_p50:8.1f} chunks/s   runs: "
        + ", ".join(f"{x:.1f}" for x in rates)
    )
    print(f"ratio ingest/raw             {ing_p50 / raw_p50:8.3f}   (goal >= 0.9)")
    print(f"re-ingest unchanged          {statistics.median(again):8.0f} docs/s   (goal >= 1000)")


if __name__ == "__main__":
    main()
