"""`verisum --help` start-up time against a bare `python -c pass`, in the same run.

uv run python benchmarks/bench_help.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    runs = ap.parse_args().runs
    base = _time([sys.executable, "-c", "pass"], runs)
    helped = _time([sys.executable, "-m", "agent.cli", "--help"], runs)
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, agent.cli; agent.cli.app(['--help'], standalone_mode=False);"
            "print(','.join(m for m in ('chromadb','onnxruntime','langchain_core','openai',"
            "'tokenizers','trafilatura','pypdf','numpy') if m in sys.modules), file=sys.stderr)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr.strip()
    b, h = statistics.median(base), statistics.median(helped)
    print(f"python -c pass   p50 {b:7.1f} ms")
    print(f"verisum --help   p50 {h:7.1f} ms   (+{h - b:.1f} ms, ratio {h / b:.2f})")
    print(f"heavy modules imported by --help: {heavy or 'none'}")


if __name__ == "__main__":
    main()
