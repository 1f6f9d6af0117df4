"""LLM calls and tokens per summary, and the verification overhead, on the LIVE bundled model.

Run: ``uv run python benchmarks/bench_summarize.py [--articles N] [--bullets N]``
(needs the ``local`` extra; BUMP articles come from ../shared/data and are skipped if absent).

One bundled SmolLM2-135M server (1 thread) serves every summary; each document gets a fresh
adapter. Goal from issue 4: 1 call when the document fits the context, plus at most 1 repair
call (re-asks of an invalid reply count as calls too, and are shown apart).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from agent.chunking import split_sentences  # noqa: E402
from agent.llm import ChatAdapter, Endpoint  # noqa: E402
from agent.localmodel import MODEL_NAME, LocalServer  # noqa: E402
from agent.models import Document  # noqa: E402
from agent.summarize import Source, context_budget, source_from_file, summarize  # noqa: E402


def bump_sources(n: int) -> list[tuple[str, Source]]:
    path = DATA / "bump" / "task1_dataset.json"
    if not path.is_file() or n <= 0:
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    articles = list(dict.fromkeys(r["article"] for r in rows))
    step = max(1, len(articles) // n)
    out = []
    for i, text in enumerate(articles[::step][:n]):
        doc = Document(id=f"bump-{i}", title=f"BUMP article {i}", source="bump", text=text)
        out.append((f"bump-{i}", Source(doc, split_sentences(text))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3, help="BUMP articles (default 3)")
    parser.add_argument("--bullets", type=int, default=5)
    args = parser.parse_args()
    cases = [("seed", source_from_file(ROOT / "seeds" / "north-korean-troops-kursk.txt"))]
    cases += bump_sources(args.articles)
    rows = []
    with LocalServer() as server:
        endpoint = Endpoint(kind="local", base_url=server.base_url, model=MODEL_NAME)
        print(f"bundled {MODEL_NAME}, server start {server.startup_ms or 0:.0f} ms")
        head = (
            f"{'doc':<8} {'chars':>6} {'calls':>5} {'first':>5} {'reask':>5} {'repair':>6} "
            f"{'tokens':>7} {'verify ms':>9} {'wall s':>7}  outcome"
        )
        print(head)
        for name, src in cases:
            adapter = ChatAdapter(endpoint, notify=None, max_retries=0)
            t0 = time.perf_counter()
            s = summarize([src], adapter, bullets=args.bullets)
            wall = time.perf_counter() - t0
            groups = {c.group: c.prompt for c in adapter.calls}
            repair = sum(c.prompt == "repair" for c in adapter.calls)
            first = len(groups)  # one per complete(): summarize (+ merge) (+ repair)
            reasks = len(adapter.calls) - first
            st = s.stats
            outcome = (
                f"{len(s.bullets)} bullets: {st.bullets_from_model} from model, "
                f"{st.unverified_before_repair} unverified, {st.repaired} repaired, "
                f"{st.fell_back} fell back{' (lead)' if st.lead_fallback else ''}"
            )
            print(
                f"{name:<8} {len(src.doc.text):>6} {s.usage.calls:>5} {first:>5} {reasks:>5} "
                f"{repair:>6} {s.usage.total_tokens:>7} {st.verify_ms:>9.1f} {wall:>7.1f}  "
                f"{outcome}",
                flush=True,
            )
            rows.append((s.usage.calls, s.usage.total_tokens, st.verify_ms, wall, first))
        budget = context_budget(ChatAdapter(endpoint, chat_model=object(), notify=None))
    calls, tokens, vms, wall, first = zip(*rows, strict=True)
    print(
        f"\nper summary (n={len(rows)}): calls mean {statistics.mean(calls):.1f} "
        f"(max {max(calls)}), without re-asks mean {statistics.mean(first):.1f}; "
        f"tokens mean {statistics.mean(tokens):.0f}; verification mean "
        f"{statistics.mean(vms):.1f} ms (max {max(vms):.1f}); wall mean "
        f"{statistics.mean(wall):.1f} s; context budget {budget} chars (one call below it)"
    )


if __name__ == "__main__":
    main()
