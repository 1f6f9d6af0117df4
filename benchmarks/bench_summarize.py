"""Wall time, LLM calls and tokens per summary on the LIVE bundled models, and --extractive.

Run: ``uv run --extra local python benchmarks/bench_summarize.py [--models qwen2.5-coder-1.5b,
smollm2-135m] [--articles 71,314,628] [--threads 1] [--json FILE]``
(BUMP articles come from ../shared/data/bump by article_id and are skipped if absent).

For each bundled model one server (``--threads`` threads, temperature 0, seed 42) serves every
summary; each document gets a fresh adapter, as ``verisum summarize`` does. The server start
is reported apart. A last block runs ``--extractive`` (no model) on the same documents.
Columns: calls (re-asks included), prompt tokens, those of them the server read from its
prompt cache (llama.cpp's ``cached_tokens``: a re-ask or repair continuing a conversation),
completion tokens, wall seconds, bullets kept as the model wrote them (or repaired),
fallbacks, re-anchored citations, share of figures in kept model bullets that the verifier
supports, and on the seed the key figures a model-written bullet states (11,000 troops;
Blinken's 8,000; $2,000 a month; 3 months).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from agent.chunking import split_sentences  # noqa: E402
from agent.documents import load_bytes  # noqa: E402
from agent.llm import ChatAdapter, Endpoint  # noqa: E402
from agent.localmodel import MODELS, LocalServer  # noqa: E402
from agent.summarize import (  # noqa: E402
    Source,
    Summary,
    source_from_file,
    summarize,
    summarize_extractive,
)

SEED_KEYS = {"11,000": "11,000", "8,000": "8,000", "$2,000": "2,000", "3 months": "3 months"}


def bump_sources(ids: list[int]) -> list[tuple[str, Source]]:
    path = DATA / "bump" / "task1_dataset.json"
    if not path.is_file() or not ids:
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for aid in ids:
        row = next((r for r in rows if r["article_id"] == aid), None)
        if row is None:
            continue
        doc = load_bytes(row["article"].encode("utf-8"), f"bump:article/{aid}", ".txt")
        out.append((f"bump-{aid}", Source(doc, split_sentences(doc.text))))
    return out


def measure(
    name: str, s: Summary, wall: float, calls: list[Any], cached: list[int] | None = None
) -> dict[str, Any]:
    kept = [b for b in s.bullets if b.origin in ("model", "repaired")]
    verdicts = [v for b in kept if b.check for v in b.check.verdicts]
    supported = sum(v.verdict == "supported" for v in verdicts)
    row: dict[str, Any] = {
        "doc": name,
        "calls": s.usage.calls,
        "prompts": [c.prompt for c in calls],
        "prompt_tokens": s.usage.prompt_tokens,
        "completion_tokens": s.usage.completion_tokens,
        "cached_tokens": sum(cached or []),
        "call_tokens": [
            {"prompt": c.prompt, "in": c.usage.prompt_tokens, "out": c.usage.completion_tokens}
            for c in calls
        ],
        "call_cached": list(cached or []),
        "replies": [c.response for c in calls],
        "wall_s": round(wall, 2),
        "bullets": len(s.bullets),
        "kept_model": len(kept),
        "fell_back": s.stats.fell_back,
        "fallback_central": s.stats.fallback_central,
        "reanchored": s.stats.reanchored,
        "figures_supported": f"{supported}/{len(verdicts)}",
        "text": [f"[{b.origin}] {b.text}" for b in s.bullets],
    }
    if name == "seed":
        shown = " ".join(b.text for b in kept)
        row["seed_key_figures"] = sorted(k for k, v in SEED_KEYS.items() if v in shown)
    return row


def show(row: dict[str, Any]) -> None:
    keys = row.get("seed_key_figures")
    print(
        f"  {row['doc']:<11} {row['calls']:>5} {row['prompt_tokens']:>7} "
        f"{row['cached_tokens']:>6} "
        f"{row['completion_tokens']:>6} {row['wall_s']:>7.1f} {row['kept_model']:>4}/"
        f"{row['bullets']:<2} {row['fell_back']:>4} {row['reanchored']:>4} "
        f"{row['figures_supported']:>7}  {'' if keys is None else ', '.join(keys)}",
        flush=True,
    )


HEAD = (
    f"  {'doc':<11} {'calls':>5} {'prompt':>7} {'cached':>6} {'compl':>6} {'wall s':>7} "
    f"{'kept':>7} {'fb':>4} {'re-a':>4} {'figs ok':>7}  seed key figures (model bullets)"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="qwen2.5-coder-1.5b,smollm2-135m")
    parser.add_argument("--articles", default="71,314,628", help="BUMP article ids")
    parser.add_argument("--bullets", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="write every row (with the bullets) here")
    parser.add_argument(
        "--select",
        action="store_true",
        help="extract, then abstract: central sentences in one part per bullet",
    )
    parser.add_argument(
        "--continue-repair",
        action="store_true",
        help="the repair call continues the draft's conversation (cached prefix)",
    )
    args = parser.parse_args()
    cases = [("seed", source_from_file(ROOT / "seeds" / "north-korean-troops-kursk.txt"))]
    cases += bump_sources([int(a) for a in args.articles.split(",") if a])
    report: dict[str, Any] = {"threads": args.threads, "models": {}}
    for key in [m for m in args.models.split(",") if m]:
        model = MODELS[key]
        with LocalServer(model=model, threads=args.threads) as server:
            endpoint = Endpoint(
                kind="local",
                base_url=server.base_url,
                model=model.name,
                api_key=server.api_key,
            )
            start = (server.startup_ms or 0) / 1000
            print(f"\n{model.label} ({args.threads} thread(s)), server start {start:.1f} s")
            print(HEAD)
            rows = []
            for name, src in cases:
                adapter = ChatAdapter(endpoint, notify=None, max_retries=0, log_calls=False)
                t0 = time.perf_counter()
                s = summarize(
                    [src],
                    adapter,
                    bullets=args.bullets,
                    select=args.select or None,
                    continue_repair=args.continue_repair or None,
                )
                row = measure(
                    name, s, time.perf_counter() - t0, adapter.calls, adapter.cached_tokens
                )
                show(row)
                for line in row["text"]:
                    print(f"      {line[:150]}", flush=True)
                rows.append(row)
        report["models"][key] = {"server_start_s": round(start, 1), "rows": rows}
        walls = [r["wall_s"] for r in rows]
        print(
            f"  mean: {statistics.mean(walls):.1f} s, "
            f"{statistics.mean(r['calls'] for r in rows):.1f} calls, "
            f"{statistics.mean(r['prompt_tokens'] + r['completion_tokens'] for r in rows):.0f}"
            " tokens per summary"
        )
    print("\n--extractive (no model)")
    print(HEAD)
    summarize_extractive([cases[0][1]], bullets=1)  # load the embedding model once
    rows = []
    for name, src in cases:
        t0 = time.perf_counter()
        s = summarize_extractive([src], bullets=args.bullets)
        row = measure(name, s, time.perf_counter() - t0, [])
        row["quoted_key_figures"] = (
            sorted(k for k, v in SEED_KEYS.items() if v in " ".join(b.text for b in s.bullets))
            if name == "seed"
            else None
        )
        show(row)
        rows.append(row)
    report["extractive"] = rows
    print(f"  seed quotes key figures: {', '.join(rows[0]['quoted_key_figures'] or [])}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
