"""The verifier against human labels (BUMP task 1, SummEdits news); skipped without the data.

Floors, not goals: they pin what the verifier reaches today so a broken rule shows up
(benchmarks/bench_verify.py prints the full table and the row-by-row misses).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_verify as bench


def test_bump_numeric_edits_are_flagged(bump_rows: list[dict[str, Any]]) -> None:
    pairs = [
        (r, ch)
        for r in bump_rows
        if (ch := bench.changed_spans(r["reference_summary"], r["edited_summary"]))
    ]
    assert len(pairs) > 90
    caught = naive = 0
    for r, ch in pairs:
        spans, _ = bench.flagged_spans(r["article"], r["edited_summary"])
        caught += bench.overlaps(spans, ch)
        naive += bool(bench.naive_flags(r["article"], r["edited_summary"]))
    assert caught / len(pairs) >= 0.68
    assert caught > naive


def test_bump_references_mostly_pass(bump_rows: list[dict[str, Any]]) -> None:
    refs = {r["reference_summary"]: r["article"] for r in bump_rows}
    with_figs = [(s, a) for s, a in refs.items() if bench.has_figure_words(s)]
    alarms = sum(bool(bench.flagged_spans(a, s)[0]) for s, a in with_figs)
    assert alarms / len(with_figs) <= 0.32


def test_summedits(summedits_rows: list[dict[str, Any]]) -> None:
    neg = [
        (r, ch)
        for r in summedits_rows
        if r["label"] == 0 and (ch := bench.changed_spans(r["original_summary"], r["summary"]))
    ]
    pos = [r for r in summedits_rows if r["label"] == 1 and bench.has_figure_words(r["summary"])]
    caught = sum(
        bench.overlaps(bench.flagged_spans(r["doc"], r["summary"])[0], ch) for r, ch in neg
    )
    alarms = sum(bool(bench.flagged_spans(r["doc"], r["summary"])[0]) for r in pos)
    assert caught / len(neg) >= 0.75
    assert alarms / len(pos) <= 0.12
