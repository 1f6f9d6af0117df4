"""The verifier against human labels (BUMP task 1, SummEdits news); skipped without the data.

Floors, not goals: they pin what the verifier reaches today, just under the measured numbers,
so a broken rule shows up (benchmarks/bench_verify.py prints the full table and every miss).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_verify as bench


def _bump_pairs(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[tuple[int, int]]]]:
    return [
        (r, bench.changed_spans(r["reference_summary"], r["edited_summary"]))
        for r in rows
        if bench.ws_diff_has_digit(r["reference_summary"], r["edited_summary"])
    ]


def test_row_sets_and_naive_baseline_match_the_issue(bump_rows: list[dict[str, Any]]) -> None:
    pairs = _bump_pairs(bump_rows)
    assert len(pairs) == 97
    assert sum("Intrinsic" in r["error_type"] for r, _ in pairs) == 46
    refs = {r["reference_summary"]: r["article"] for r in bump_rows}
    with_digits = {s: a for s, a in refs.items() if bench.has_digit(s)}
    assert len(with_digits) == 66
    naive = sum(bool(bench.naive_flags(r["article"], r["edited_summary"])) for r, _ in pairs)
    assert round(naive / len(pairs), 2) == 0.58
    assert sum(bool(bench.naive_flags(a, s)) for s, a in with_digits.items()) == 12


def test_bump_numeric_edits_are_flagged(bump_rows: list[dict[str, Any]]) -> None:
    pairs = _bump_pairs(bump_rows)
    caught = intrinsic = 0
    for r, ch in pairs:
        hit = bench.overlaps(bench.flagged_spans(r["article"], r["edited_summary"])[0], ch)
        caught += hit
        intrinsic += hit and "Intrinsic" in r["error_type"]
    assert caught >= 87  # measured 88/97
    assert intrinsic >= 41  # measured 42/46


def test_bump_references_mostly_pass(bump_rows: list[dict[str, Any]]) -> None:
    refs = {r["reference_summary"]: r["article"] for r in bump_rows}
    with_digits = [(s, a) for s, a in refs.items() if bench.has_digit(s)]
    alarms = [bench.alarm_lines(a, s) for s, a in with_digits]
    flagged = [x for x in alarms if x[0]]
    assert len(flagged) <= 16  # measured 15/66
    # most alarms are figures that really are absent from the article
    assert sum(all_absent for _, all_absent in flagged) >= 7  # measured 8


def test_summedits(summedits_rows: list[dict[str, Any]]) -> None:
    neg = [
        (r, bench.changed_spans(r["original_summary"], r["summary"]))
        for r in summedits_rows
        if r["label"] == 0 and bench.word_diff_has_digit(r["original_summary"], r["summary"])
    ]
    pos = [r for r in summedits_rows if r["label"] == 1 and bench.has_digit(r["summary"])]
    assert len(neg) == 47
    caught = sum(
        bench.overlaps(bench.flagged_spans(r["doc"], r["summary"])[0], ch) for r, ch in neg
    )
    alarms = sum(bool(bench.flagged_spans(r["doc"], r["summary"])[0]) for r in pos)
    assert caught >= 42  # measured 43/47
    assert alarms <= 1  # measured 0/108
