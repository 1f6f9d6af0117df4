"""The verifier benchmark: the human-labelled rows the figure verifier is measured on (from
the data folder, ``VERISUM_DATA_DIR``), its flags, and the eval suite's scores on them.

Used by the eval suite (``kind: verifier-benchmark``), ``benchmarks/bench_verify.py`` (the full
table, ablations, speed) and ``tests/test_verify_data.py`` (floors).

One ``Row`` per summary to check: ``label`` 0 = it holds a wrong figure (the verifier should
flag it, ideally at ``targets``), 1 = faithful (it must pass). Which rows count is decided
without the verifier's parser, so the selection cannot drift with it:

- ``ragtruth``: REAL summaries by six LLMs. Positives: a human-marked hallucination span that
  holds a digit (not ``implicit_true``); targets = those spans. Negatives: no span marked, and a
  digit left once the prompt's word-limit phrases ("within 141 words") are blanked (SOURCE.md).
- ``bump``: task 1; positives = edits whose whitespace-token diff holds a digit, negatives = the
  faithful reference summaries holding a digit.
- ``summedits/DOMAIN``: positives = label-0 rows whose word-token diff holds a digit; negatives =
  label-1 rows holding a digit.

``leaves_figure``: the edit leaves a changed figure in the summary (there is a figure to flag).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models.evals import SuiteFile
from .datasets import DataMissing, bump_rows, data_dir, summedits_rows

# ---------------------------------------------------------------- which rows count
# Token diffs decide, not the verifier's parser, so the selection cannot drift with it.
TOKEN_RE = re.compile(r"\w+(?:[.,'’-]\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
# spelled out here, not taken from the parser's vocabulary: the rows must not drift with it
# fmt: off
NUMBER_WORDS = frozenset((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "trillion", "dozen", "first", "second",
    "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth",
))
# fmt: on


def numeric_token(t: str) -> bool:
    return bool(_DIGIT.search(t)) or any(p in NUMBER_WORDS for p in t.lower().split("-"))


def token_opcodes(a: list[str], b: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def diff_has_digit(before: str, after: str, *, words: bool = False) -> bool:
    """The edit changes a figure: a token diff (whitespace tokens, or word tokens with
    ``words``) whose changed tokens on either side hold a digit."""
    split = TOKEN_RE.findall if words else str.split
    a, b = split(before), split(after)
    return any(
        _DIGIT.search(t)
        for op, i1, i2, j1, j2 in token_opcodes(a, b)
        if op != "equal"
        for t in a[i1:i2] + b[j1:j2]
    )


def changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """Spans of ``after`` the edit inserted or replaced holding a figure (else all inserted
    tokens, else the neighbours of a deleted figure)."""
    a = TOKEN_RE.findall(before)
    bm = list(TOKEN_RE.finditer(after))
    b = [m.group() for m in bm]
    numeric: list[tuple[int, int]] = []
    other: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in token_opcodes(a, b):
        if op == "equal":
            continue
        if j2 > j1:
            for j in range(j1, j2):
                (numeric if numeric_token(b[j]) else other).append((bm[j].start(), bm[j].end()))
        elif any(numeric_token(t) for t in a[i1:i2]):
            other.extend((bm[j].start(), bm[j].end()) for j in (j1 - 1, j1) if 0 <= j < len(bm))
    return numeric or other


_DIGIT_STR = re.compile(r"\d+(?:[.,]\d+)*")
# the prompt's length instruction echoed back: "in 150 words or less", "within 90 words"
_WORD_LIMIT = re.compile(
    r"\b(?:in|within|under|of)\s+(?:about\s+)?\d+\s+words?(?:\s+or\s+(?:less|fewer))?",
    re.IGNORECASE,
)
SUMMEDITS_DOMAINS = ("news", "podcast", "qmsumm", "sales_call", "sales_email", "samsum", "scitldr")


@dataclass(frozen=True)
class Row:
    set: str
    id: str
    doc_id: str
    source: str
    summary: str
    label: int
    targets: tuple[tuple[int, int], ...] = ()
    leaves_figure: bool = True
    error_type: str = ""  # BUMP: the edit's error type ("Intrinsic ...", "Extrinsic ...")


def blank_word_limits(text: str) -> str:
    """Replace the prompt's word-limit phrases by spaces (offsets kept)."""
    return _WORD_LIMIT.sub(lambda m: " " * len(m.group()), text)


def naive_flags(source: str, summary: str) -> list[tuple[int, int]]:
    """The naive validator: spans of the summary's digit strings ("550", "6.50") that do not
    occur in the source as a whole number (no digit before; no digit, ".d" or ",d" after)."""
    return [
        m.span()
        for m in _DIGIT_STR.finditer(summary)
        if not re.search(rf"(?<!\d){re.escape(m.group())}(?![.,]?\d)", source)
    ]


def _inserted_tokens(before: str, after: str) -> list[str]:
    a, b = TOKEN_RE.findall(before), TOKEN_RE.findall(after)
    return [
        t
        for op, _i1, _i2, j1, j2 in token_opcodes(a, b)
        if op in ("replace", "insert")
        for t in b[j1:j2]
    ]


def leaves_figure(before: str, after: str) -> bool:
    return any(_DIGIT.search(t) for t in _inserted_tokens(before, after))


def ragtruth(data: Path | None = None) -> Iterator[Row]:
    path = (data or data_dir()) / "ragtruth" / "ragtruth_summary_even.jsonl"
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        src = json.loads(line)
        for i, resp in enumerate(src["responses"]):
            text = blank_word_limits(resp["response"])
            spans = tuple(
                (lab["start"], lab["end"])
                for lab in resp["labels"]
                if _DIGIT.search(lab["text"]) and not lab.get("implicit_true")
            )
            rid = f"rt{src['source_id']}/{i}:{resp['model']}"
            if spans:
                yield Row("ragtruth", rid, str(src["source_id"]), src["source"], text, 0, spans)
            elif not resp["labels"] and _DIGIT.search(text):
                yield Row("ragtruth", rid, str(src["source_id"]), src["source"], text, 1)


def bump_set(rows: list[dict[str, Any]]) -> Iterator[Row]:
    """BUMP task 1: positives = edits whose whitespace-token diff holds a digit, negatives =
    the faithful reference summaries holding a digit (each once)."""
    seen: set[str] = set()
    for r in rows:
        ref, ed, art = r["reference_summary"], r["edited_summary"], str(r["article_id"])
        if diff_has_digit(ref, ed):
            yield Row(
                "bump",
                f"bump#{r['id']}",
                art,
                r["article"],
                ed,
                0,
                tuple(changed_spans(ref, ed)),
                leaves_figure(ref, ed),
                r["error_type"],
            )
        if ref not in seen and _DIGIT.search(ref):
            seen.add(ref)
            yield Row("bump", f"bump-ref#{r['id']}", art, r["article"], ref, 1)


def summedits_set(rows: list[dict[str, Any]], domain: str) -> Iterator[Row]:
    """SummEdits: positives = label-0 rows whose word-token diff holds a digit, negatives =
    label-1 rows holding a digit."""
    for r in rows:
        doc_id = str(hash(r["doc"]))
        og, s = r["original_summary"], r["summary"]
        if r["label"] == 0 and diff_has_digit(og, s, words=True):
            yield Row(
                f"summedits/{domain}",
                r["id"],
                doc_id,
                r["doc"],
                s,
                0,
                tuple(changed_spans(og, s)),
                leaves_figure(og, s),
            )
        elif r["label"] == 1 and _DIGIT.search(s):
            yield Row(f"summedits/{domain}", r["id"], doc_id, r["doc"], s, 1)


def bump(data: Path | None = None) -> Iterator[Row]:
    try:
        rows = bump_rows(data)
    except DataMissing:
        return
    yield from bump_set(rows)


def summedits(domain: str, data: Path | None = None) -> Iterator[Row]:
    try:
        rows = summedits_rows(data, domain)
    except DataMissing:
        return
    yield from summedits_set(rows, domain)


def all_sets(data: Path | None = None) -> dict[str, list[Row]]:
    """Every set present, by name (an absent data folder gives no entry)."""
    out: dict[str, list[Row]] = {}
    for name, rows in [
        ("ragtruth", ragtruth(data)),
        ("bump", bump(data)),
        *((f"summedits/{d}", summedits(d, data)) for d in SUMMEDITS_DOMAINS),
    ]:
        got = list(rows)
        if got:
            out[name] = got
    return out


# ---------------------------------------------------------------- what the verifier flags
Flag = tuple[int, int, str]  # a span of the summary, and why it is flagged


def verifier_flags(source: str, summary: str) -> list[Flag]:
    """Spans (in ``summary``) of the figures the verifier does not support, with the reason.
    Figure verdicts only (these rows label figures); names and negations are measured by
    ``benchmarks/bench_claims.py``."""
    from ..verify import claims_from_text, verify_claims

    claims = claims_from_text(summary)
    rep = verify_claims(source, claims)
    out: list[Flag] = []
    pos = 0
    for c, chk in zip(claims, rep.checks, strict=True):
        off = max(summary.find(c.text, pos), 0)
        pos = off + len(c.text)
        out += [
            (off + v.figure.start, off + v.figure.end, f"{v.figure.text!r} {v.verdict}: {v.reason}")
            for v in chk.figures
            if v.verdict != "supported"
        ]
    return out


def flagged_spans(article: str, summary: str) -> list[tuple[int, int]]:
    """Spans (in ``summary``) of the figures the verifier does not support."""
    return [(s, e) for s, e, _ in verifier_flags(article, summary)]


def hit(spans: Sequence[tuple[int, int]], targets: Sequence[tuple[int, int]]) -> bool:
    """Does a flagged span overlap a target (a changed figure)?"""
    return any(s < te and ts < e for s, e in spans for ts, te in targets)


# ---------------------------------------------------------------- the eval suite's scores
def benchmark_bump(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """BUMP task 1: numeric edits flagged at the changed figure; faithful references flagged."""
    pairs, refs = _split(bump_set(rows))
    hits = [hit(flagged_spans(r.source, r.summary), r.targets) for r in pairs]
    intrinsic = ["Intrinsic" in r.error_type for r in pairs]
    alarms = [r.summary.strip()[:160] for r in refs if flagged_spans(r.source, r.summary)]
    return {
        "pairs": len(pairs),
        "recall": _share(sum(hits), len(pairs)),
        "intrinsic": sum(intrinsic),
        "recall_intrinsic": _share(
            sum(h and i for h, i in zip(hits, intrinsic, strict=True)), sum(intrinsic)
        ),
        "references": len(refs),
        "false_alarms": len(alarms),
        "misses_detail": _misses(pairs, hits),
        "false_alarms_detail": alarms,
    }


def benchmark_summedits(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SummEdits news: label-0 numeric edits flagged; label-1 summaries with digits flagged."""
    neg, pos = _split(summedits_set(rows, "news"))
    hits = [hit(flagged_spans(r.source, r.summary), r.targets) for r in neg]
    alarms = [
        f"{r.id}: {r.summary.strip()[:160]}" for r in pos if flagged_spans(r.source, r.summary)
    ]
    return {
        "pairs": len(neg),
        "recall": _share(sum(hits), len(neg)),
        "references": len(pos),
        "false_alarms": len(alarms),
        "false_alarm_rate": _share(len(alarms), len(pos)),
        "misses_detail": _misses(neg, hits),
        "false_alarms_detail": alarms,
    }


def _split(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """(rows holding a wrong figure, faithful rows)."""
    got = list(rows)
    return [r for r in got if r.label == 0], [r for r in got if r.label == 1]


def _misses(rows: Sequence[Row], hits: Sequence[bool]) -> list[str]:
    return [f"{r.id}: {r.summary.strip()[:160]}" for r, h in zip(rows, hits, strict=True) if not h]


def _share(k: int | float, n: int | float) -> float | None:
    return round(k / n, 4) if n else None


def run_verifier_suite(suite: SuiteFile, data: Path | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in suite.datasets:
        t0 = time.perf_counter()
        try:
            if name == "bump":
                res = benchmark_bump(bump_rows(data))
            else:
                res = benchmark_summedits(summedits_rows(data))
        except DataMissing as exc:
            out[name] = {"status": "skipped", "reason": str(exc)}
            continue
        res["status"] = "ok"
        res["wall_s"] = round(time.perf_counter() - t0, 2)
        out[name] = res
    return out
