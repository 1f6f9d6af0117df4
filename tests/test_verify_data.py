"""The verifier against human labels on every data set in the data folder (``VERISUM_DATA_DIR``,
default ../shared/data); skipped without it.

Floors, not goals: each pins what the verifier reaches today, a little under the measured
numbers, so a broken rule shows up (``benchmarks/bench_verify.py --errors all`` prints the full
table and every miss and false alarm). They are not ratcheted row by row.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_verify as bench

from agent.evals import verifier as vs

# set: (min recall on edits that leave a changed figure, max false alarms, faithful rows)
FLOORS = {
    "ragtruth": (0.55, 24, 212),
    "bump": (0.68, 12, 66),
    "summedits/news": (0.78, 6, 108),
    "summedits/podcast": (0.85, 1, 27),
    "summedits/qmsumm": (0.80, 6, 22),
    "summedits/sales_call": (0.95, 1, 31),
    "summedits/sales_email": (0.85, 3, 156),
    "summedits/samsum": (0.85, 1, 44),
}


@pytest.fixture(scope="module")
def sets() -> dict[str, list[Any]]:
    got = vs.all_sets()
    if not got:
        pytest.skip(f"no labelled data under {vs.data_dir()}")
    return got


def test_row_selection_matches_the_data_readmes(sets: dict[str, list[Any]]) -> None:
    count = {
        n: (sum(r.label == 0 for r in rows), sum(r.label for r in rows)) for n, rows in sets.items()
    }
    assert count["ragtruth"] == (28, 212)  # SOURCE.md: 28 with a digit span, 212 faithful
    assert count["bump"] == (97, 66)
    assert count["summedits/news"] == (47, 108)
    naive = bench.score(sets["bump"], bench.naive)
    assert round(naive.flagged / naive.pos, 2) == 0.58  # the naive check's recall on BUMP


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_floors(sets: dict[str, list[Any]], name: str) -> None:
    if name not in sets:
        pytest.skip(f"{name} not present")
    recall, alarms, faithful = FLOORS[name]
    sc = bench.score(sets[name], bench.verisum_flags)
    assert sc.neg == faithful
    assert sc.recall_left >= recall, sc.misses
    assert sc.alarms <= alarms, sc.false_alarms


def test_the_verifier_beats_the_naive_check_on_real_summaries(sets: dict[str, list[Any]]) -> None:
    if "ragtruth" not in sets:
        pytest.skip("RAGTruth not present")
    mine = bench.score(sets["ragtruth"], bench.verisum_flags)
    naive = bench.score(sets["ragtruth"], bench.naive)
    assert mine.at > naive.at  # more hallucinated figures flagged at their span
