"""The figure verifier against human labels, beside the naive digit check, on every data set.

Run: ``uv run python benchmarks/bench_verify.py [--errors SET|all] [--ablate [--rules A,B]]
[--speed] [--figures-only] [--only SET,...]``
(data in ``VERISUM_DATA_DIR``, default ../shared/data; ``agent.evals.verifier`` says which rows
count and what the verifier flags).

For each set (RAGTruth half, BUMP task 1, each SummEdits domain): recall on the rows to flag
(flagged at all; flagged AT the marked span or changed figure; on edits that leave a changed
figure), false alarms on faithful rows (rows, and documents since rows cluster by document),
and the same for the naive check. ``--errors`` prints every miss and false alarm with the
verdict's reason (the frame attribute that decided it). ``--ablate`` switches each rule of
``agent.verify.RULES`` off in turn and prints the change per set, then the leave-one-domain-out
table: each set scored with the rules chosen (helps on two sets, hurts none) on the others.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agent import verify
from agent.evals import verifier as vs
from agent.evals.verifier import Flag
from agent.evals.verifier import verifier_flags as verisum_flags


def naive(source: str, summary: str) -> list[Flag]:
    return [(s, e, "digits absent") for s, e in vs.naive_flags(source, summary)]


def _hit(flags: list[Flag], targets: Iterable[tuple[int, int]]) -> bool:
    return any(s < te and ts < e for s, e, _ in flags for ts, te in targets)


def _really_absent(row: vs.Row, flags: list[Flag]) -> bool:
    """Every flagged span holds a digit string the source does not contain (BUMP references
    that state figures their article lacks: listed, not counted as false alarms)."""
    naive_spans = vs.naive_flags(row.source, row.summary)
    return bool(flags) and all(
        any(s < ne and ns < e for ns, ne in naive_spans) for s, e, _ in flags
    )


@dataclass
class Score:
    pos: int = 0
    flagged: int = 0
    at: int = 0
    left: int = 0
    left_at: int = 0
    neg: int = 0
    alarms: int = 0
    absent: int = 0
    neg_docs: set[str] = field(default_factory=set)
    alarm_docs: set[str] = field(default_factory=set)
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.flagged / self.pos if self.pos else float("nan")

    @property
    def recall_left(self) -> float:
        return self.left_at / self.left if self.left else float("nan")

    @property
    def fa_rate(self) -> float:
        return self.alarms / self.neg if self.neg else float("nan")


def score(rows: list[vs.Row], flagger: Callable[[str, str], list[Flag]]) -> Score:
    sc = Score()
    for r in rows:
        flags = flagger(r.source, r.summary)
        if r.label == 0:
            sc.pos += 1
            sc.flagged += bool(flags)
            hit = _hit(flags, r.targets)
            sc.at += hit
            sc.left += r.leaves_figure
            sc.left_at += hit and r.leaves_figure
            if not hit:
                marked = [r.summary[s:e] for s, e in r.targets]
                sc.misses.append(
                    f"  {r.id} marked {marked} flagged {[f[2] for f in flags] or 'nothing'}"
                    f"{'' if r.leaves_figure else ' (edit leaves no figure)'}\n"
                    f"      {r.summary.strip()[:400]}"
                )
        else:
            sc.neg += 1
            sc.neg_docs.add(r.doc_id)
            if flags and r.set == "bump" and _really_absent(r, flags):
                sc.absent += 1
                continue
            if flags:
                sc.alarms += 1
                sc.alarm_docs.add(r.doc_id)
                sc.false_alarms.append(
                    f"  {r.id}: {[f[2] for f in flags]}\n      {r.summary.strip()[:400]}"
                )
    return sc


def _f(k: int, n: int) -> str:
    return f"{k / n:.3f} ({k}/{n})" if n else "-"


def table(sets: dict[str, list[vs.Row]]) -> tuple[list[str], dict[str, Score]]:
    head = (
        f"{'set':22}{'to flag':>8}{'recall':>16}{'at span':>16}{'leaves fig.':>16}"
        f"{'faithful':>9}{'false alarms':>18}{'docs':>8}{'naive recall':>16}{'naive FA':>16}"
    )
    lines, scores = [head], {}
    for name, rows in sets.items():
        v, n = score(rows, verisum_flags), score(rows, naive)
        scores[name] = v
        lines.append(
            f"{name:22}{v.pos:>8}{_f(v.flagged, v.pos):>16}{_f(v.at, v.pos):>16}"
            f"{_f(v.left_at, v.left):>16}{v.neg:>9}{_f(v.alarms, v.neg):>18}"
            f"{len(v.alarm_docs):>3}/{len(v.neg_docs):<4}{_f(n.flagged, n.pos):>16}"
            f"{_f(n.alarms, n.neg):>16}"
        )
        if v.absent:
            lines.append(f"{'':22}  + {v.absent} faithful rows whose flags are all really absent")
    return lines, scores


def _delta(base: Score, other: Score) -> tuple[int, int]:
    """(recall gained, false alarms removed) by the rule set ``base`` over ``other``."""
    return base.left_at - other.left_at, other.alarms - base.alarms


def ablate(sets: dict[str, list[vs.Row]], only: Iterable[str] = ()) -> list[str]:
    """Each rule off in turn (``only``: these rules; the others stay on and count as kept):
    what it buys per set; then leave-one-domain-out."""
    rules = sorted(only or verify.RULES)
    lines = ["", "ablation: per set, (recall hits gained, false alarms removed) by the rule"]
    base = {n: score(rows, verisum_flags) for n, rows in sets.items()}
    effect: dict[str, dict[str, tuple[int, int]]] = {}
    for rule in rules:
        with verify.rules_off(rule):
            off = {n: score(rows, verisum_flags) for n, rows in sets.items()}
        effect[rule] = {n: _delta(base[n], off[n]) for n in sets}
        cells = " ".join(f"{n.split('/')[-1]}{d[0]:+d}/{d[1]:+d}" for n, d in effect[rule].items())
        lines.append(f"  {rule:24} {cells}")

    def keep(rule: str, names: Iterable[str]) -> bool:
        """Helps on two sets and hurts none; a rule with no effect on these sets (a soundness
        rule the data never reaches, pinned by unit tests) is kept."""
        ds = [effect[rule][n] for n in names]
        helps = sum(g > 0 or r > 0 for g, r in ds)
        hurts = any(g < 0 or r < 0 for g, r in ds)
        return not hurts and (helps >= 2 or helps == 0)

    lines.append("leave-one-domain-out: rules kept by the other sets, scored on the held-out one")
    for held in sets:
        others = [n for n in sets if n != held]
        dropped = [r for r in rules if not keep(r, others)]
        with verify.rules_off(*dropped):
            s = score(sets[held], verisum_flags)
        lines.append(
            f"  {held:22} recall (leaves fig.) {_f(s.left_at, s.left):>16}  false alarms "
            f"{_f(s.alarms, s.neg):>16}  rules dropped: {', '.join(dropped) or 'none'}"
        )
    return lines


def speed(sets: dict[str, list[vs.Row]]) -> list[str]:
    """Cold (source parse included) and cached (source index ready, as after ingest)."""
    import tempfile
    from pathlib import Path

    from agent.verify import parsecache

    rows = [r for rows in sets.values() for r in rows]
    sources = list(dict.fromkeys(r.source for r in rows))
    with tempfile.TemporaryDirectory() as tmp:
        parsecache.configure(Path(tmp))  # cold: parse and store; then a new process's view
        verify.clear_caches()
        t0 = time.perf_counter()
        for s in sources:
            verify.source_index(s)
        cold = time.perf_counter() - t0
        verify.clear_caches()
        t0 = time.perf_counter()
        for s in sources:
            verify.source_index(s)
        disk = time.perf_counter() - t0
        parsecache.reset()
    chars = sum(len(s) for s in sources)
    per = []
    for r in rows:
        t = time.perf_counter()
        verisum_flags(r.source, r.summary)
        per.append(time.perf_counter() - t)
    per.sort()
    return [
        "",
        f"speed: {len(sources)} sources ({chars:,} chars) parsed and indexed in {cold:.1f} s = "
        f"{cold / chars * 5000 * 1000:.0f} ms per 5,000 characters (cold, parse included); "
        f"from the parse cache on disk (a later run): {disk / chars * 5000 * 1000:.0f} ms;",
        f"  {len(rows)} summaries against cached sources: p50 {statistics.median(per) * 1000:.2f} "
        f"ms, p95 {per[int(len(per) * 0.95)] * 1000:.2f} ms, max {per[-1] * 1000:.1f} ms; "
        "LLM calls: 0",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", default="", help="print misses and false alarms: SET or all")
    ap.add_argument("--ablate", action="store_true", help="rule ablation and leave-one-out")
    ap.add_argument("--rules", default="", help="with --ablate: comma-separated rule names")
    ap.add_argument("--speed", action="store_true", help="time the verifier")
    ap.add_argument("--only", default="", help="comma-separated set names")
    ap.add_argument(
        "--figures-only", action="store_true", help="names and negations off (VERISUM_CHECKS)"
    )
    a = ap.parse_args(argv)
    sets = vs.all_sets()
    if a.only:
        sets = {n: r for n, r in sets.items() if n in a.only.split(",")}
    if a.figures_only:
        verify.figures_only()
    if not sets:
        print(f"no data under {vs.data_dir()}", file=sys.stderr)
        return 2
    lines: list[str] = []
    if a.speed:
        lines += speed(sets)
    tab, scores = table(sets)
    lines += ["", *tab]
    if a.errors:
        for name, sc in scores.items():
            if a.errors in ("all", name):
                lines += ["", f"== {name}: misses", *sc.misses, f"== {name}: false alarms"]
                lines += sc.false_alarms
    if a.ablate:
        lines += ablate(sets, [r for r in a.rules.split(",") if r])
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
