"""The human-labelled rows the figure verifier is measured on, read from ``../shared/data``.

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
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from agent.evals import TOKEN_RE, changed_spans, diff_has_digit, token_opcodes  # noqa: E402

DIGIT = re.compile(r"\d")
_DIGIT_STR = re.compile(r"\d+(?:[.,]\d+)*")
# the prompt's length instruction echoed back: "in 200 words or less", "within 87 words"
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
    return any(DIGIT.search(t) for t in _inserted_tokens(before, after))


def ragtruth(data: Path = DATA) -> Iterator[Row]:
    path = data / "ragtruth" / "ragtruth_summary_even.jsonl"
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        src = json.loads(line)
        for i, resp in enumerate(src["responses"]):
            text = blank_word_limits(resp["response"])
            spans = tuple(
                (lab["start"], lab["end"])
                for lab in resp["labels"]
                if DIGIT.search(lab["text"]) and not lab.get("implicit_true")
            )
            rid = f"rt{src['source_id']}/{i}:{resp['model']}"
            if spans:
                yield Row("ragtruth", rid, str(src["source_id"]), src["source"], text, 0, spans)
            elif not resp["labels"] and DIGIT.search(text):
                yield Row("ragtruth", rid, str(src["source_id"]), src["source"], text, 1)


def bump(data: Path = DATA) -> Iterator[Row]:
    path = data / "bump" / "task1_dataset.json"
    if not path.is_file():
        return
    rows = json.loads(path.read_text(encoding="utf-8"))
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
            )
        if ref not in seen and DIGIT.search(ref):
            seen.add(ref)
            yield Row("bump", f"bump-ref#{r['id']}", art, r["article"], ref, 1)


def summedits(domain: str, data: Path = DATA) -> Iterator[Row]:
    path = data / "summedits" / f"summedits_{domain}.json"
    if not path.is_file():
        return
    for r in json.loads(path.read_text(encoding="utf-8")):
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
        elif r["label"] == 1 and DIGIT.search(s):
            yield Row(f"summedits/{domain}", r["id"], doc_id, r["doc"], s, 1)


def all_sets(data: Path = DATA) -> dict[str, list[Row]]:
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
