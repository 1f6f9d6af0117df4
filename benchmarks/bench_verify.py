"""Figure verifier vs the naive digit-string baseline on BUMP task 1 and SummEdits news.

Run: ``uv run python benchmarks/bench_verify.py [--errors]`` (data in ../shared/data).

Which rows count as "the edit changes a figure" is decided without the verifier's parser:
BUMP: a whitespace-token diff (either side) holding a digit (the issue's 97 pairs);
SummEdits: the same on word tokens (the data README's 47 rows). A wider set also counts number
words. A flag "points at the changed figure" when a non-supported figure overlaps the changed
word tokens.
"""

from __future__ import annotations

import hashlib
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
from agent.evals import (  # noqa: E402
    TOKEN_RE,
    changed_spans,
    diff_has_digit,
    numeric_token,
    token_opcodes,
)

_DIGIT = re.compile(r"\d")
_DIGIT_STR = re.compile(r"\d+(?:[.,]\d+)*")


def ws_diff_has_digit(before: str, after: str) -> bool:
    """The issue's selection: a whitespace-token diff whose tokens (either side) hold a digit."""
    return diff_has_digit(before, after)


def word_diff_has_digit(before: str, after: str) -> bool:
    """Same on word tokens (punctuation apart): "1997," -> "1997" is no change."""
    return diff_has_digit(before, after, words=True)


def _inserted_tokens(before: str, after: str) -> list[str]:
    """The word tokens the edit inserted or replaced on the edited side."""
    a = TOKEN_RE.findall(before)
    b = TOKEN_RE.findall(after)
    return [
        t
        for op, _i1, _i2, j1, j2 in token_opcodes(a, b)
        if op in ("replace", "insert")
        for t in b[j1:j2]
    ]


def wider_changed(before: str, after: str) -> bool:
    """The wider set: the edited side's changed word tokens hold a digit or a number word."""
    return any(numeric_token(t) for t in _inserted_tokens(before, after))


def leaves_figure(before: str, after: str) -> bool:
    """The edit leaves a changed figure in the edited summary (its inserted or replaced word
    tokens hold a digit): only then is there a figure to flag. A deleted figure ("35 years
    ago" removed) or an edit beside one leaves nothing wrong to point at."""
    return any(_DIGIT.search(t) for t in _inserted_tokens(before, after))


def has_digit(text: str) -> bool:
    return bool(_DIGIT.search(text))


def has_figure_words(text: str) -> bool:
    return any(numeric_token(m.group()) for m in TOKEN_RE.finditer(text))


def naive_flags(article: str, summary: str) -> list[str]:
    """The naive validator: digit strings of the summary ("550", "100,000", "6.50") that do not
    occur in the article as a whole number (no digit before; no digit, ".d" or ",d" after)."""
    return [
        m.group()
        for m in _DIGIT_STR.finditer(summary)
        if not re.search(rf"(?<!\d){re.escape(m.group())}(?![.,]?\d)", article)
    ]


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


def _values(f: figures.Figure) -> list[float]:
    return [v for v in {f.value, f.low, f.high} if v is not None]


def occurs_in_article(f: figures.Figure, article: str) -> bool:
    """Whether the figure's value occurs anywhere in the article in any written form (any kind,
    unit or context): a date by its stated fields, a number by each of its values/ends."""
    afigs = figures.extract_figures(article)
    if f.kind == "date":
        return any(
            g.kind == "date"
            and g.month == f.month
            and (f.day is None or g.day == f.day)
            and (f.year is None or g.year in (None, f.year))
            for g in afigs
        )
    vals = _values(f)
    have = {round(v, 6) for g in afigs for v in _values(g)}
    have |= {round(float(d.replace(",", "")), 6) for d in _DIGIT_STR.findall(article)}
    return bool(vals) and all(round(v, 6) in have for v in vals)


def stated_for_its_noun(f: figures.Figure, article: str) -> bool:
    """Whether the article states the figure's value as the same family of figure (a count, a
    rank, money...) and, for counts and ranks naming what they count, for the same noun."""
    vals = {round(v, 6) for v in _values(f)}
    fam = verify._family(f)
    for g in figures.extract_figures(article):
        if {round(v, 6) for v in _values(g)} != vals or verify._family(g) != fam:
            continue
        counted = f.kind in ("count", "ordinal")
        if counted and f.noun and g.noun and not verify._same_noun(f.noun, g.noun):
            continue
        return True
    return False


def only_hedged(f: figures.Figure, article: str) -> bool:
    """An unhedged figure whose value the article states only hedged ("£10,000" / "about
    £10,000"): unsupported by the issue's rule, absent in the form the summary gives."""
    vals = {round(v, 6) for v in _values(f)}
    same = [
        g for g in figures.extract_figures(article) if {round(v, 6) for v in _values(g)} == vals
    ]
    return f.approx is None and bool(same) and all(g.approx in ("about", "nearly") for g in same)


def alarm_lines(article: str, summary: str) -> tuple[list[str], bool]:
    """One line per non-supported figure, each classed "really absent" (the value does not
    occur in the article in any form), "only hedged in the article", "absent for its noun/kind"
    (the value occurs, but never as this kind of figure or counting this noun: "seven points"
    where the article has only "seventh straight win") or "verifier error"; and whether all
    are really absent."""
    claims = verify.claims_from_text(summary)
    rep = verify.verify_claims(article, claims)
    out, all_absent = [], True
    for chk in rep.checks:
        for v in chk.verdicts:
            if v.verdict == "supported":
                continue
            absent = not occurs_in_article(v.figure, article)
            all_absent &= absent
            if absent:
                cls = "really absent"
            elif only_hedged(v.figure, article):
                cls = "only hedged in the article"
            elif v.figure.kind != "date" and not stated_for_its_noun(v.figure, article):
                cls = "absent for its noun/kind"
            else:
                cls = "verifier error"
            out.append(f"[{cls}] {v.figure.text!r} {v.verdict}: {v.reason}")
    return out, all_absent


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    out = [f"{'':44}{'verifier':>16}{'naive digits':>16}"]
    out.extend(f"{a:44}{b:>16}{c:>16}" for a, b, c in rows)
    return out


def _frac(k: int, n: int) -> str:
    return f"{k / n:.3f} ({k}/{n})" if n else "-"


def half_of(article_id: object) -> str:
    """ "A" or "B": a stable split of BUMP by article (sha1 of the id, even/odd), so rules can
    be developed on half A and checked on half B (the guard against fitting rows)."""
    return "AB"[int(hashlib.sha1(str(article_id).encode()).hexdigest(), 16) % 2]


def bump(rows: list[dict[str, Any]], detail: bool = True) -> list[str]:
    lines: list[str] = []
    pairs = [
        (r, changed_spans(r["reference_summary"], r["edited_summary"]))
        for r in rows
        if ws_diff_has_digit(r["reference_summary"], r["edited_summary"])
    ]
    refs: dict[str, dict[str, Any]] = {}
    for r in rows:
        refs.setdefault(r["reference_summary"], r)
    ref_fig = {s: r for s, r in refs.items() if has_digit(s)}

    v_any = v_point = v_int = n_any = n_int = v_int_any = v_left = ceil = 0
    misses: list[str] = []
    for r, ch in pairs:
        spans, _ = flagged_spans(r["article"], r["edited_summary"])
        is_int = "Intrinsic" in r["error_type"]
        left = leaves_figure(r["reference_summary"], r["edited_summary"])
        ceil += left
        v_any += bool(spans)
        v_int_any += bool(spans) and is_int
        hit = overlaps(spans, ch)
        v_point += hit
        v_left += hit and left
        v_int += hit and is_int
        if naive_flags(r["article"], r["edited_summary"]):
            n_any += 1
            n_int += is_int
        if not hit:
            note = ""
            if not word_diff_has_digit(r["reference_summary"], r["edited_summary"]):
                note = " (the edit changes no figure value, only punctuation next to one)"
            elif not left:
                note = " (the edit leaves no changed figure in the summary)"
            misses.append(
                f"  bump#{r['id']} half {half_of(r['article_id'])} [{r['error_type']}]{note} "
                f"changed {[r['edited_summary'][s:e] for s, e in ch]} "
                f"flagged={spans or 'nothing'}\n      edited: {r['edited_summary'].strip()}"
            )
    v_fa: list[str] = []
    absent = n_fa = errors = 0
    for s, r in ref_fig.items():
        a = r["article"]
        al, all_absent = alarm_lines(a, s)
        if al:
            absent += all_absent
            errors += any("[verifier error]" in x for x in al)
            v_fa.append(
                f"  ref (half {half_of(r['article_id'])}): {s.strip()}\n      "
                + "\n      ".join(al)
            )
        n_fa += bool(naive_flags(a, s))
    # the wider set (number words too), so that nothing is hidden
    wide = [
        (r, changed_spans(r["reference_summary"], r["edited_summary"]))
        for r in rows
        if wider_changed(r["reference_summary"], r["edited_summary"])
    ]
    w_hit = sum(overlaps(flagged_spans(r["article"], r["edited_summary"])[0], ch) for r, ch in wide)
    w_int = [x for x in wide if "Intrinsic" in x[0]["error_type"]]
    wi_hit = sum(
        overlaps(flagged_spans(r["article"], r["edited_summary"])[0], ch) for r, ch in w_int
    )
    w_refs = {s: r["article"] for s, r in refs.items() if has_figure_words(s)}
    w_fa = sum(bool(flagged_spans(a, s)[0]) for s, a in w_refs.items())

    nn = len(pairs)
    ni = sum("Intrinsic" in r["error_type"] for r, _ in pairs)
    nr = len(ref_fig)
    lines.append(
        f"{nn} pairs whose edit changes a figure (whitespace-token diff has a digit; "
        f"{ni} intrinsic); {nr} faithful reference summaries with a digit"
    )
    lines += _table(
        [
            ("recall: edited summary flagged", _frac(v_any, nn), _frac(n_any, nn)),
            ("recall: flagged at the changed figure", _frac(v_point, nn), "-"),
            ("  of the edits that leave a changed figure", _frac(v_left, ceil), "-"),
            ("recall at the changed figure, intrinsic", _frac(v_int, ni), "-"),
            ("recall flagged anywhere, intrinsic", _frac(v_int_any, ni), _frac(n_int, ni)),
            ("false alarms on references", f"{len(v_fa)}/{nr}", f"{n_fa}/{nr}"),
            ("  of which every flag is really absent", f"{absent}/{len(v_fa)}", "-"),
            ("  of which a flag is a verifier error", f"{errors}/{len(v_fa)}", "-"),
        ]
    )
    lines.append(
        f"wider set (number words count too): {len(wide)} pairs ({len(w_int)} intrinsic), "
        f"{len(w_refs)} references: recall at the changed figure {_frac(w_hit, len(wide))}, "
        f"intrinsic {_frac(wi_hit, len(w_int))}, false alarms {w_fa}/{len(w_refs)}"
    )
    if detail:
        lines.append("misses (edited summary not flagged at the changed figure):")
        lines.extend(misses or ["  none"])
        lines.append("false alarms (faithful reference flagged):")
        lines.extend(v_fa or ["  none"])
    return lines


def bump_report(rows: list[dict[str, Any]]) -> list[str]:
    """All of BUMP task 1, then each half of the article split (metrics only)."""
    out = ["BUMP task 1 (all):", *bump(rows)]
    for h in "AB":
        part = [r for r in rows if half_of(r["article_id"]) == h]
        n_art = len({r["article_id"] for r in part})
        out += ["", f"BUMP task 1, half {h} ({n_art} articles):", *bump(part, detail=False)]
    return out


def summedits(rows: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    neg = [
        (r, changed_spans(r["original_summary"], r["summary"]))
        for r in rows
        if r["label"] == 0 and word_diff_has_digit(r["original_summary"], r["summary"])
    ]
    pos = [r for r in rows if r["label"] == 1 and has_digit(r["summary"])]
    v_c = v_p = n_c = v_left = ceil = 0
    misses = []
    for r, ch in neg:
        spans, _ = flagged_spans(r["doc"], r["summary"])
        left = leaves_figure(r["original_summary"], r["summary"])
        ceil += left
        v_c += bool(spans)
        if overlaps(spans, ch):
            v_p += 1
            v_left += left
        else:
            note = ""
            if not left:
                note = " (the edit leaves no changed figure in the summary)"
            misses.append(
                f"  {r['id']}{note} changed {[r['summary'][s:e] for s, e in ch]} "
                f"flagged={spans or 'nothing'}\n      summary: {r['summary'].strip()}"
            )
        n_c += bool(naive_flags(r["doc"], r["summary"]))
    v_fa = []
    absent = n_fa = 0
    for r in pos:
        al, all_absent = alarm_lines(r["doc"], r["summary"])
        if al:
            absent += all_absent
            v_fa.append(f"  {r['id']}: {r['summary'].strip()}\n      " + "\n      ".join(al))
        n_fa += bool(naive_flags(r["doc"], r["summary"]))
    wide_neg = [
        (r, changed_spans(r["original_summary"], r["summary"]))
        for r in rows
        if r["label"] == 0 and wider_changed(r["original_summary"], r["summary"])
    ]
    w_hit = sum(overlaps(flagged_spans(r["doc"], r["summary"])[0], ch) for r, ch in wide_neg)
    wide_pos = [r for r in rows if r["label"] == 1 and has_figure_words(r["summary"])]
    w_fa = sum(bool(flagged_spans(r["doc"], r["summary"])[0]) for r in wide_pos)
    nn, np_ = len(neg), len(pos)
    lines.append(
        f"SummEdits news: {nn} label-0 rows whose edit changes a figure (word-token diff holds a "
        f"digit); {np_} label-1 rows with a digit"
    )
    lines += _table(
        [
            ("recall: summary flagged", _frac(v_c, nn), _frac(n_c, nn)),
            ("recall: flagged at the changed figure", _frac(v_p, nn), "-"),
            ("  of the edits that leave a changed figure", _frac(v_left, ceil), "-"),
            (
                "false alarms on label 1",
                f"{len(v_fa)}/{np_} ({len(v_fa) / np_:.1%})",
                f"{n_fa}/{np_} ({n_fa / np_:.1%})",
            ),
            ("  of which every flag is really absent", f"{absent}/{len(v_fa)}", "-"),
        ]
    )
    lines.append(
        f"wider set (number words count too): {len(wide_neg)} label-0 rows, recall at the changed "
        f"figure {_frac(w_hit, len(wide_neg))}; {len(wide_pos)} label-1 rows, false alarms "
        f"{w_fa}/{len(wide_pos)} ({w_fa / len(wide_pos):.1%})"
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
    figures._identifiers_cached.cache_clear()
    figures.stem.cache_clear()
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
    out = [*speed(b), "", *bump_report(b), "", *summedits(s)]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
