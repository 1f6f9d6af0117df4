"""Figure verifier vs the naive digit-string baseline on BUMP task 1 and SummEdits news.

Run: ``uv run python benchmarks/bench_verify.py [--errors]`` (data in ../shared/data).

Which rows count as "the edit changes a figure" is decided without the verifier's parser:
a token diff of the faithful and the edited summary whose tokens on the edited side include a
digit or an English number word (cardinal or ordinal). A flag "points at the changed figure"
when one of the non-supported figures overlaps those changed tokens.
"""

from __future__ import annotations

import difflib
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from agent import figures, verify  # noqa: E402

NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "dozen",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
    ]
)
_TOKEN = re.compile(r"\w+(?:[.,'’-]\w+)*|[^\w\s]")
_DIGIT_STR = re.compile(r"\d+(?:[.,]\d+)*")


def _numeric_token(t: str) -> bool:
    return bool(re.search(r"\d", t)) or any(p in NUMBER_WORDS for p in t.lower().split("-"))


def changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """Character spans in ``after`` of numeric tokens the edit inserted or replaced."""
    a = [m.group() for m in _TOKEN.finditer(before)]
    bm = list(_TOKEN.finditer(after))
    b = [m.group() for m in bm]
    out = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, _i1, _i2, j1, j2 in sm.get_opcodes():
        if op in ("replace", "insert"):
            out.extend((bm[j].start(), bm[j].end()) for j in range(j1, j2) if _numeric_token(b[j]))
    return out


def has_figure_words(text: str) -> bool:
    return any(_numeric_token(m.group()) for m in _TOKEN.finditer(text))


def naive_flags(article: str, summary: str) -> list[str]:
    """Digit strings of the summary that do not occur in the article."""
    return [m.group() for m in _DIGIT_STR.finditer(summary) if m.group() not in article]


def run_verifier(article: str, summary: str) -> list[verify.FigureVerdict]:
    rep = verify.verify_text(article, summary)
    return [v for c in rep.checks for v in c.verdicts]


def bad(verdicts: list[verify.FigureVerdict]) -> list[verify.FigureVerdict]:
    return [v for v in verdicts if v.verdict != "supported"]


def summary_offsets(summary: str, claims: list[verify.Claim]) -> list[int]:
    pos, out = 0, []
    for c in claims:
        i = summary.find(c.text, pos)
        out.append(max(i, 0))
        pos = max(i, 0) + len(c.text)
    return out


def flagged_spans(article: str, summary: str) -> tuple[list[tuple[int, int, str]], int]:
    """Spans (in ``summary``) of non-supported figures, and how many figures there were."""
    claims = verify.claims_from_text(summary)
    rep = verify.verify_claims(article, claims)
    offs = summary_offsets(summary, claims)
    spans = []
    n = 0
    for off, chk in zip(offs, rep.checks, strict=True):
        for v in chk.verdicts:
            n += 1
            if v.verdict != "supported":
                spans.append(
                    (
                        off + v.figure.start,
                        off + v.figure.end,
                        f"{v.figure.text!r} {v.verdict}: {v.reason}",
                    )
                )
    return spans, n


def overlaps(spans: list[tuple[int, int, str]], changed: list[tuple[int, int]]) -> bool:
    return any(s < ce and cs < e for s, e, _ in spans for cs, ce in changed)


def bump(rows: list[dict[str, Any]], show: bool) -> list[str]:
    lines: list[str] = []
    numeric = []
    for r in rows:
        ch = changed_spans(r["reference_summary"], r["edited_summary"])
        if ch:
            numeric.append((r, ch))
    intrinsic = [x for x in numeric if x[0]["error_type"].startswith("Intrinsic")]
    refs = {}
    for r in rows:
        refs.setdefault(r["reference_summary"], r["article"])
    ref_fig = {s: a for s, a in refs.items() if has_figure_words(s)}

    v_caught = v_point = v_int = n_caught = n_int = 0
    misses: list[str] = []
    for r, ch in numeric:
        spans, _ = flagged_spans(r["article"], r["edited_summary"])
        is_int = r["error_type"].startswith("Intrinsic")
        if spans:
            v_caught += 1
            v_int += is_int
        if overlaps(spans, ch):
            v_point += 1
        else:
            misses.append(
                f"  bump#{r['id']} [{r['error_type']}] changed "
                f"{[r['edited_summary'][s:e] for s, e in ch]} flagged={spans or 'nothing'}"
                f"\n      edited: {r['edited_summary'].strip()}"
            )
        if naive_flags(r["article"], r["edited_summary"]):
            n_caught += 1
            n_int += is_int
    v_fa: list[str] = []
    n_fa = 0
    for s, a in ref_fig.items():
        spans, _ = flagged_spans(a, s)
        if spans:
            v_fa.append(f"  ref: {s.strip()}\n      " + "\n      ".join(x[2] for x in spans))
        n_fa += bool(naive_flags(a, s))
    nn, ni, nr = len(numeric), len(intrinsic), len(ref_fig)
    lines.append(
        f"BUMP task 1: {nn} pairs whose edit changes a figure ({ni} intrinsic); "
        f"{nr} faithful references with figures"
    )
    lines.append(f"{'':34}{'verifier':>14}{'naive digits':>16}")
    lines.append(f"{'recall (edited flagged)':34}{v_caught / nn:>14.3f}{n_caught / nn:>16.3f}")
    lines.append(f"{'recall, flag on changed figure':34}{v_point / nn:>14.3f}{'-':>16}")
    lines.append(f"{'recall, intrinsic':34}{v_int / ni:>14.3f}{n_int / ni:>16.3f}")
    lines.append(f"{'false alarms on references':34}{f'{len(v_fa)}/{nr}':>14}{f'{n_fa}/{nr}':>16}")
    lines.append("misses (edited summary not flagged at the changed figure):")
    lines.extend(misses or ["  none"])
    lines.append("false alarms (faithful reference flagged):")
    lines.extend(v_fa or ["  none"])
    return lines


def summedits(rows: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    neg = []
    for r in rows:
        if r["label"] == 0:
            ch = changed_spans(r["original_summary"], r["summary"])
            if ch:
                neg.append((r, ch))
    pos = [r for r in rows if r["label"] == 1 and has_figure_words(r["summary"])]
    v_c = v_p = n_c = 0
    misses = []
    for r, ch in neg:
        spans, _ = flagged_spans(r["doc"], r["summary"])
        v_c += bool(spans)
        if overlaps(spans, ch):
            v_p += 1
        else:
            misses.append(
                f"  {r['id']} changed {[r['summary'][s:e] for s, e in ch]} "
                f"flagged={spans or 'nothing'}\n      summary: {r['summary'].strip()}"
            )
        n_c += bool(naive_flags(r["doc"], r["summary"]))
    v_fa = []
    n_fa = 0
    for r in pos:
        spans, _ = flagged_spans(r["doc"], r["summary"])
        if spans:
            v_fa.append(
                f"  {r['id']}: {r['summary'].strip()}\n      "
                + "\n      ".join(x[2] for x in spans)
            )
        n_fa += bool(naive_flags(r["doc"], r["summary"]))
    nn, np_ = len(neg), len(pos)
    lines.append(
        f"SummEdits news: {nn} label-0 rows whose edit changes a figure; "
        f"{np_} label-1 rows with figures"
    )
    lines.append(f"{'':34}{'verifier':>14}{'naive digits':>16}")
    lines.append(f"{'recall (flagged)':34}{v_c / nn:>14.3f}{n_c / nn:>16.3f}")
    lines.append(f"{'recall, flag on changed figure':34}{v_p / nn:>14.3f}{'-':>16}")
    lines.append(
        f"{'false alarms on label 1':34}"
        f"{f'{len(v_fa)}/{np_} ({len(v_fa) / np_:.1%})':>14}"
        f"{f'{n_fa}/{np_} ({n_fa / np_:.1%})':>16}"
    )
    lines.append("misses:")
    lines.extend(misses or ["  none"])
    lines.append("false alarms:")
    lines.extend(v_fa or ["  none"])
    return lines


def speed(rows: list[dict[str, Any]]) -> list[str]:
    """Cold caches; every pair = its reference and its edited summary verified."""
    verify._index.cache_clear()
    figures._extract_cached.cache_clear()
    per: list[float] = []
    t0 = time.process_time()
    for r in rows:
        for s in (r["reference_summary"], r["edited_summary"]):
            t = time.perf_counter()
            verify.verify_text(r["article"], s)
            per.append(time.perf_counter() - t)
    total = time.process_time() - t0
    return [
        f"speed: {len(rows)} BUMP pairs ({len(per)} summaries, cold caches, one process/core): "
        f"{total:.2f} s CPU; per summary p50 {statistics.median(per) * 1000:.2f} ms, "
        f"p95 {sorted(per)[int(len(per) * 0.95)] * 1000:.2f} ms, "
        f"max {max(per) * 1000:.1f} ms; LLM calls: 0",
    ]


def main() -> int:
    bump_path = DATA / "bump" / "task1_dataset.json"
    se_path = DATA / "summedits" / "summedits_news.json"
    if not bump_path.is_file() or not se_path.is_file():
        print(f"data not found under {DATA}", file=sys.stderr)
        return 2
    b = json.loads(bump_path.read_text(encoding="utf-8"))
    s = json.loads(se_path.read_text(encoding="utf-8"))
    out = [*speed(b), "", *bump(b, "--errors" in sys.argv), "", *summedits(s)]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
