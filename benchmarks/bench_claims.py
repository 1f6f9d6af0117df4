"""Beyond figures: names and negations, measured on SummEdits and RAGTruth (figure checks on).

Usage: uv run python benchmarks/bench_claims.py [--only news,samsum] [--errors SET] [--lodo]

Rows (selected without the verifier, from the data's own labels and a diff):
- entity edits: SummEdits label-0 rows whose inserted tokens (word diff of the seed summary
  against the edit) overlap a named entity that spaCy's NER finds in the edited summary
  (types ``entities.CHECKED``);
- negation edits: label-0 rows whose ``edit_types`` list ``negation_insertion_removal``;
- false alarms: every label-1 row (the summary is consistent with its document).
- RAGTruth: responses with a human-marked span holding no digit (recall, and at the span);
  faithful responses (no span) for false alarms.

A row is flagged when the report is not verified (any figure, name or negation verdict not
supported): what a user gets. ``--lodo`` picks the fuzzy-match threshold and the negation
scope share on all sets but one and scores the one left out with them.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass

from agent.evals import verifier as vs
from agent.evals.datasets import data_dir
from agent.verify import NON_FIGURE_CHECKS, RULES, clear_caches, entities, rules_off, verify_text

DIGIT = re.compile(r"\d")

NEGATION = "negation_insertion_removal"
NON_FIGURE = NON_FIGURE_CHECKS


@dataclass(frozen=True)
class Case:
    set: str
    id: str
    doc: str
    source: str
    summary: str
    kind: str  # "entity", "negation", "consistent", "rt_span", "rt_faithful"
    targets: tuple[tuple[int, int], ...] = ()


def _edit_types(r: dict) -> list[str]:
    et = r.get("edit_types") or []
    if isinstance(et, str):
        try:
            et = json.loads(et.replace("'", '"'))
        except json.JSONDecodeError:
            et = []
    return list(et)


def _entity_edit(before: str, after: str) -> tuple[tuple[int, int], ...]:
    """Spans of the edited summary's named entities that the edit inserted or changed."""
    changed = vs.changed_spans(before, after)
    hits = []
    for n in entities.claim_names(after):
        if any(a < n.end and n.start < b for a, b in changed):
            hits.append((n.start, n.end))
    return tuple(hits)


def summedits_cases(domain: str) -> list[Case]:
    path = data_dir() / "summedits" / f"summedits_{domain}.json"
    if not path.is_file():
        return []
    out = []
    for r in json.loads(path.read_text(encoding="utf-8")):
        doc, s, og = str(hash(r["doc"])), r["summary"], r["original_summary"]
        name = f"summedits/{domain}"
        if int(r["label"]) == 1:
            out.append(Case(name, r["id"], doc, r["doc"], s, "consistent"))
            continue
        ent = _entity_edit(og, s)
        if ent:
            out.append(Case(name, r["id"], doc, r["doc"], s, "entity", ent))
        if NEGATION in _edit_types(r):
            out.append(Case(name, r["id"] + "#neg", doc, r["doc"], s, "negation"))
    return out


def ragtruth_cases() -> list[Case]:
    path = data_dir() / "ragtruth" / "ragtruth_summary_even.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        src = json.loads(line)
        for i, resp in enumerate(src["responses"]):
            text = vs.blank_word_limits(resp["response"])
            rid, doc = f"rt{src['source_id']}/{i}:{resp['model']}", str(src["source_id"])
            spans = tuple(
                (lab["start"], lab["end"])
                for lab in resp["labels"]
                if not DIGIT.search(lab["text"]) and not lab.get("implicit_true")
            )
            if spans:
                out.append(Case("ragtruth", rid, doc, src["source"], text, "rt_span", spans))
            elif not resp["labels"]:
                out.append(Case("ragtruth", rid, doc, src["source"], text, "rt_faithful"))
    return out


def flags(source: str, summary: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every verdict that is not supported, in summary offsets."""
    rep = verify_text(source, summary)
    out = []
    pos = 0
    for c in rep.checks:
        off = summary.find(c.claim.text, pos)
        off = max(off, 0)
        pos = off
        for v in c.verdicts:
            if v.verdict != "supported":
                out.append((off + v.figure.start, off + v.figure.end, v.kind))
    return out


@dataclass
class Tally:
    n: int = 0
    hit: int = 0
    at: int = 0
    docs: set[str] | None = None
    absent: int = 0  # flagged only at names none of whose words the source holds

    def add(self, ok: bool, at: bool, doc: str) -> None:
        self.n += 1
        self.hit += ok
        self.at += at
        if ok:
            self.docs = (self.docs or set()) | {doc}


def run(cases: list[Case]) -> dict[tuple[str, str], Tally]:
    out: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for c in cases:
        fl = flags(c.source, c.summary)
        at = any(a < te and ta < b for a, b, _ in fl for ta, te in c.targets)
        t = out[(c.set, c.kind)]
        t.add(bool(fl), at, c.doc)
        if fl and all(k == "entity" and _absent(c.summary[a:b], c.source) for a, b, k in fl):
            t.absent += 1
    return out


def _absent(name: str, source: str) -> bool:
    """No word of the name occurs in the source (case aside): the summary writer added it."""
    low = source.casefold()
    return not any(w.casefold() in low for w in name.replace(".", " ").split() if len(w) > 2)


def _r(t: Tally | None, at: bool = False) -> str:
    if t is None or not t.n:
        return "-"
    k = t.at if at else t.hit
    return f"{k / t.n:.3f} ({k}/{t.n})"


def _docs(t: Tally | None) -> str:
    return str(len(t.docs or ())) if t else "-"


def table(res: dict[tuple[str, str], Tally], base: dict[tuple[str, str], Tally]) -> list[str]:
    sets = sorted({s for s, _ in res}, key=lambda s: (s != "ragtruth", s))
    lines = [
        "| set | entity recall (at name) | negation recall | false alarms (docs) | "
        "figures only: entity / negation / false alarms |",
        "|---|---|---|---|---|",
    ]
    for s in sets:
        if s == "ragtruth":
            lines.append(
                f"| ragtruth (non-figure spans) | {_r(res.get((s, 'rt_span')))} "
                f"(at span {_r(res.get((s, 'rt_span')), True)}) | - | "
                f"{_r(res.get((s, 'rt_faithful')))} ({_docs(res.get((s, 'rt_faithful')))}) | "
                f"{_r(base.get((s, 'rt_span')))} / - / {_r(base.get((s, 'rt_faithful')))} |"
            )
            continue
        e, g, f = (res.get((s, k)) for k in ("entity", "negation", "consistent"))
        be, bg, bf = (base.get((s, k)) for k in ("entity", "negation", "consistent"))
        lines.append(
            f"| {s} | {_r(e)} ({_r(e, True)}) | {_r(g)} | {_r(f)} ({_docs(f)}) | "
            f"{_r(be)} / {_r(bg)} / {_r(bf)} |"
        )
    for s in sets:
        for k in ("consistent", "rt_faithful"):
            t = res.get((s, k))
            if t and t.hit:
                lines.append(
                    f"{s}: {t.absent} of {t.hit} false alarms are only names the source never "
                    "uses a word of"
                )
    for kind in ("entity", "negation", "consistent"):
        vals = [res[(s, kind)] for s in sets if (s, kind) in res and res[(s, kind)].n]
        if vals:
            avg = sum(t.hit / t.n for t in vals) / len(vals)
            lines.append(f"mean over domains, {kind}: {avg:.3f}")
    return lines


def errors(cases: list[Case], which: str) -> None:
    for c in cases:
        if c.set != which and which != "all":
            continue
        fl = flags(c.source, c.summary)
        bad = c.kind in ("consistent", "rt_faithful") and fl
        miss = c.kind not in ("consistent", "rt_faithful") and not fl
        if bad or miss:
            print(f"{'FA' if bad else 'MISS'} {c.kind} {c.id}: {c.summary[:300]!r}")
            for a, b, k in fl:
                print(f"    {k} {c.summary[a:b]!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="")
    ap.add_argument("--errors", default="")
    ap.add_argument(
        "--lodo",
        action="store_true",
        help="fuzzy threshold and negation scope share chosen leave-one-out",
    )
    ap.add_argument("--ablate", action="store_true", help="each non-figure rule switched off")
    a = ap.parse_args(argv)
    only = set(filter(None, a.only.split(",")))
    cases = ragtruth_cases() if not only or "ragtruth" in only else []
    for d in vs.SUMMEDITS_DOMAINS:
        if not only or f"summedits/{d}" in only or d in only:
            cases += summedits_cases(d)
    if not cases:
        print("no data under", data_dir())
        return 0
    if a.errors:
        errors(cases, a.errors)
        return 0
    t0 = time.perf_counter()
    res = run(cases)
    took = time.perf_counter() - t0
    with rules_off(*(r for r in NON_FIGURE if r in RULES)):
        base = run(cases)
    print("\n".join(table(res, base)))
    print(f"{len(cases)} cases in {took:.0f} s")
    if a.ablate:
        ablate(cases, res)
    if a.lodo:
        lodo(cases)
    return 0


def ablate(cases: list[Case], res: dict[tuple[str, str], Tally]) -> None:
    """Per rule and set: recall hits gained and false alarms added by the rule (on - off)."""
    sets = sorted({c.set for c in cases})
    for rule in NON_FIGURE:
        if rule not in RULES:
            continue
        with rules_off(rule):
            off = run(cases)
        cells = []
        for s in sets:
            gain = sum(
                res[(s, k)].hit - off[(s, k)].hit
                for k in ("entity", "negation", "rt_span")
                if (s, k) in res
            )
            fa = sum(
                res[(s, k)].hit - off[(s, k)].hit
                for k in ("consistent", "rt_faithful")
                if (s, k) in res
            )
            cells.append(f"{s.split('/')[-1]} +{gain}/{fa:+d}FA")
        print(f"ablate {rule}: " + ", ".join(cells))


def lodo(cases: list[Case]) -> None:
    """Leave one domain out: the fuzzy threshold and the negation scope share chosen on the
    others (recall - 3 x false alarms), scored on the held-out domain."""
    from agent.verify import negation

    grid = ((80.0, 0.5), (85.0, 0.5), (90.0, 0.5), (85.0, 0.6), (85.0, 0.8))
    by: dict[tuple[float, float], dict[tuple[str, str], Tally]] = {}
    for fuzzy, share in grid:
        entities.FUZZY, negation.SCOPE_SHARE = fuzzy, share
        clear_caches(parses=False)
        by[(fuzzy, share)] = run(cases)
    entities.FUZZY, negation.SCOPE_SHARE = 85.0, 0.5
    clear_caches(parses=False)
    sets = sorted({c.set for c in cases})

    def utility(res: dict[tuple[str, str], Tally], keep: list[str]) -> float:
        u = 0.0
        for s in keep:
            for k, w in (("entity", 1.0), ("negation", 1.0), ("consistent", -3.0),
                         ("rt_span", 1.0), ("rt_faithful", -3.0)):  # fmt: skip
                t = res.get((s, k))
                if t and t.n:
                    u += w * t.hit / t.n
        return u

    for held in sets:
        rest = [s for s in sets if s != held]
        g = max(grid, key=lambda g: utility(by[g], rest))
        r = by[g]
        print(
            f"LODO {held}: FUZZY={g[0]:.0f} SCOPE_SHARE={g[1]:.1f} "
            f"entity {_r(r.get((held, 'entity')) or r.get((held, 'rt_span')))} "
            f"negation {_r(r.get((held, 'negation')))} "
            f"false alarms {_r(r.get((held, 'consistent')) or r.get((held, 'rt_faithful')))}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
