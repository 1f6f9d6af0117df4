"""What a case run scores: key figures supported, citations valid, the answer's outcome; the
overall numbers; and the invariants that hold whatever the model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..context import Source
    from ..models import Answer

from ..figures import Figure, extract_figures
from ..models.evals import MUTANT_KINDS, CaseMetrics, EvalCase, EvalReport, KeyFigure, Outcome
from .cases import CaseRun
from .mutation import key_figure, mutation_score, same_value
from .verifier import _share


def _units(sources: Sequence[Source]) -> dict[int, str]:
    """Sentence id (as shown to the model, 1-based across documents) -> sentence text."""
    out: dict[int, str] = {}
    for src in sources:
        for s in src.sentences:
            out[len(out) + 1] = src.doc.text[s.start : s.end]
    return out


def _reply_citations(calls: Sequence[Any], sources: Sequence[Source]) -> tuple[int, int, int, int]:
    """Over every parsed draft/repair reply: (ids cited, ids known, bullets, bullets whose ids
    are all known and whose quote, if any, is verbatim in the cited sentences)."""
    from ..citations import quote_in

    units = _units(sources)
    ids = ok_ids = nb = ok_b = 0
    for c in calls:
        if c.prompt not in ("summarize", "repair", "answer", "ask") or not c.response:
            continue
        try:
            data = json.loads(c.response)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        items = data.get("bullets")
        if c.prompt == "answer":  # the ask reply: the answer (when answerable) and key points
            items = list(data.get("key_points") or [])
            if data.get("answerable") and str(data.get("answer") or "").strip():
                items.insert(0, {"sentence_ids": data.get("sentence_ids")})
        if not isinstance(items, list):
            continue
        for b in items:
            if not isinstance(b, dict):
                continue
            sids = [i for i in b.get("sentence_ids") or [] if isinstance(i, int)]
            known = [i for i in sids if i in units]
            ids += len(sids)
            ok_ids += len(known)
            nb += 1
            quote = b.get("quote")
            quote_ok = not quote or quote_in(str(quote), [units[i] for i in known])
            ok_b += bool(sids) and len(known) == len(sids) and quote_ok
    return ids, ok_ids, nb, ok_b


def _verify_bullet_text(text: str, bullet: Any, docs: dict[str, Any], spans: dict[str, Any]) -> Any:
    from ..verify import Claim, verify_claims

    doc = docs[bullet.citations[0].doc_id]
    claim = Claim(id=bullet.id, text=text, citations=[(c.start, c.end) for c in bullet.citations])
    return verify_claims(doc.text, [claim], spans[doc.id]).checks[0]


def _contains(text: str, key: Figure) -> bool:
    return any(same_value(f, key) for f in extract_figures(text))


def case_metrics(run: CaseRun, *, mutate: bool = True) -> CaseMetrics:
    """Every per-case number, from the task output and the calls made."""
    m = CaseMetrics(
        suite=run.suite, case=run.case.id, task=run.case.task, status=run.status, error=run.error
    )
    m.wall_s = round(run.wall_s, 3)
    if run.recorded is not None:
        m.recorded_wall_s, m.recorded_llm_ms = run.recorded.wall_s, run.recorded.llm_ms
    for c in run.calls:
        m.llm_calls += 1
        m.prompt_tokens += c.usage.prompt_tokens
        m.completion_tokens += c.usage.completion_tokens
    out = run.output
    ans = out.answer if out else None
    sources = out.sources if out and out.sources is not None else run.sources
    shown = out.context if out and ans is not None else sources  # the numbering the model saw
    m.cited_ids, m.cited_ids_valid, m.reply_bullets, m.reply_bullets_valid = _reply_citations(
        run.calls, shown
    )
    summary = out.summary if out else None
    if summary is not None:
        bullets, st = list(summary.bullets), summary.stats
    elif ans is not None:
        bullets, st = ans.statements(), ans.stats
        _ask_outcome(m, run.case, ans)
    else:
        return m
    docs = {s.doc.id: s.doc for s in sources}
    spans = {s.doc.id: [(x.start, x.end) for x in s.sentences] for s in sources}
    if ans is not None:
        extra = list(ans.closest_evidence) + [v.citation for c in ans.conflicts for v in c.values]
        if any(docs[c.doc_id].text[c.start : c.end] != c.text for c in extra):
            m.citations_exact = False
    m.bullets = len(bullets)
    m.invalid_replies = st.invalid_replies
    m.unverified_before_repair = st.unverified_before_repair
    m.repaired, m.fell_back, m.flagged = st.repaired, st.fell_back, st.flagged
    m.dropped, m.lead_fallback = st.dropped, st.lead_fallback
    generated: list[str] = []
    for b in bullets:
        for c in b.citations:
            if docs[c.doc_id].text[c.start : c.end] != c.text:
                m.citations_exact = False
        model_text = b.text if b.origin == "model" else (b.model_text or "")
        if model_text:
            generated.append(model_text)
            chk = (
                b.check
                if b.origin == "model" and b.check is not None
                else _verify_bullet_text(model_text, b, docs, spans)
            )
            m.generated_figures += len(chk.figures)
            m.generated_supported += sum(v.verdict == "supported" for v in chk.figures)
        if b.check is None:
            continue
        if b.origin == "extractive":
            m.extractive_figures += len(b.check.figures)
            m.extractive_supported += sum(v.verdict == "supported" for v in b.check.figures)
            fa = [v for v in b.check.verdicts if v.verdict != "supported"]
            m.false_alarm_detail += [
                f"{b.id} (extractive) {v.figure.text!r}: {v.verdict} {v.reason}" for v in fa
            ]
        elif not b.flagged:
            m.output_figures += len(b.check.figures)
            m.output_supported += sum(v.verdict == "supported" for v in b.check.figures)
    # key figures and forbidden figures
    all_text = [s.doc.text for s in sources]
    # an ask's conflict reports a figure with its citation: output, cited
    conflict_values = [v for c in ans.conflicts for v in c.values] if ans is not None else []
    for kf in run.case.must_contain:
        key = key_figure(kf.figure)
        if key is None:
            continue
        m.key_figures += 1
        if any(_contains(t, key) for t in generated):
            m.key_generated += 1
        holders = [b for b in bullets if _contains(b.text, key)]
        stated = [v for v in conflict_values if _contains(v.text, key)]
        if holders or stated:
            m.key_output += 1
        else:
            m.key_missing.append(kf.figure)
        if any(_cites_key(b, kf, key, all_text) for b in holders) or any(
            _cites_key(_Cited([v.citation]), kf, key, all_text) for v in stated
        ):
            m.key_cited += 1
    for ff in run.case.must_not_contain:
        bad = key_figure(ff.figure)
        if bad is None:
            continue
        if any(not b.flagged and _contains(b.text, bad) for b in bullets):
            m.forbidden_in_output.append(ff.figure)
    if mutate:
        mutation_score(m, bullets, sources)
    return m


@dataclass
class _Cited:
    citations: list[Any]


_OUTCOME: dict[str, Outcome] = {
    "answered": "answer",
    "not_in_documents": "abstain",
    "conflicting": "conflict",
}


def _ask_outcome(m: CaseMetrics, case: EvalCase, ans: Answer) -> None:
    """What an ask did (answered, abstained, reported a conflict) against what the case expects."""
    m.outcome = _OUTCOME[ans.status]
    m.expect = case.expect
    m.conflicts = len(ans.conflicts)
    m.abstain_reasons = list(ans.abstain_reasons)
    if case.expect is not None:
        m.expect_met = m.outcome == case.expect


def _cites_key(b: Any, kf: KeyFigure, key: Figure, texts: list[str]) -> bool:
    """The bullet cites the key figure's source sentence (given, or any stating its value)."""
    for c in b.citations:
        if kf.sentence is not None:
            if " ".join(kf.sentence.split()) in " ".join(c.text.split()):
                return True
        elif _contains(c.text, key):
            return True
    return False


def aggregate(cases: Sequence[CaseMetrics]) -> dict[str, float | int | None]:
    """Overall numbers: sums, and shares over the summed counts (micro averages)."""
    done = [c for c in cases if c.status in ("ok", "error")]

    def s(attr: str) -> int:
        return int(sum(getattr(c, attr) for c in done))

    out: dict[str, float | int | None] = {
        "cases": len(cases),
        "cases_ok": sum(c.status == "ok" for c in cases),
        "cases_skipped": sum(c.status == "skipped" for c in cases),
        "cases_failed": sum(c.status in ("error", "stale") for c in cases),
        "bullets": s("bullets"),
        "generated_figures": s("generated_figures"),
        "generated_supported_share": _share(s("generated_supported"), s("generated_figures")),
        "citation_validity": _share(s("reply_bullets_valid"), s("reply_bullets")),
        "cited_id_validity": _share(s("cited_ids_valid"), s("cited_ids")),
        "invalid_replies": s("invalid_replies"),
        "key_figures": s("key_figures"),
        "key_recall_generated": _share(s("key_generated"), s("key_figures")),
        "key_recall_output": _share(s("key_output"), s("key_figures")),
        "key_cited_share": _share(s("key_cited"), s("key_figures")),
        "unverified_before_repair": s("unverified_before_repair"),
        "repaired": s("repaired"),
        "fell_back": s("fell_back"),
        "lead_fallbacks": sum(c.lead_fallback for c in done),
        "flagged": s("flagged"),
        "output_figures": s("output_figures"),
        "output_supported_share": _share(s("output_supported"), s("output_figures")),
        "extractive_supported_share": _share(s("extractive_supported"), s("extractive_figures")),
        "forbidden_in_output": sum(len(c.forbidden_in_output) for c in done),
        "llm_calls": s("llm_calls"),
        "prompt_tokens": s("prompt_tokens"),
        "completion_tokens": s("completion_tokens"),
        "calls_per_case": _share(s("llm_calls"), len(done)),
        "tokens_per_case": _share(s("prompt_tokens") + s("completion_tokens"), len(done)),
        "replay_wall_s": round(sum(c.wall_s for c in done), 2),
        "recorded_wall_s_per_case": _share(sum(c.recorded_wall_s for c in done), len(done)),
        "mutants": s("mutants"),
        "mutation_caught_share": _share(s("mutants_caught"), s("mutants")),
        "verbatim_figures": s("verbatim_figures"),
        "verbatim_false_alarms": s("verbatim_false_alarms"),
    }
    asks = [c for c in done if c.outcome is not None]
    if asks:  # task: ask: abstention and conflicts against what the cases expect
        judged = [c for c in asks if c.expect is not None]
        should = [c for c in judged if c.expect == "abstain"]
        conflict = [c for c in judged if c.expect == "conflict"]
        out |= {
            "ask_cases": len(asks),
            "expect_met_share": _share(sum(bool(c.expect_met) for c in judged), len(judged)),
            "abstention_correct_share": _share(
                sum((c.outcome == "abstain") == (c.expect == "abstain") for c in judged),
                len(judged),
            ),
            "abstained": sum(c.outcome == "abstain" for c in asks),
            "missed_abstentions": sum(c.outcome != "abstain" for c in should),
            "false_abstentions": sum(
                c.outcome == "abstain" for c in judged if c.expect != "abstain"
            ),
            "conflicts_reported_share": _share(
                sum(c.outcome == "conflict" for c in conflict), len(conflict)
            ),
        }
    for kind in MUTANT_KINDS:
        ms = [mu for c in done for mu in c.mutant_detail if mu.kind == kind]
        out[f"mutants_{kind}"] = len(ms)
        out[f"caught_{kind}"] = _share(sum(mu.caught for mu in ms), len(ms))
    return out


def invariant_problems(report: EvalReport) -> list[str]:
    """What must hold whatever the model: stale/missing recordings, unsupported figures in
    unmarked output, citations that do not slice the text, forbidden figures let through."""
    out: list[str] = []
    for c in report.cases:
        name = f"{c.suite}/{c.case}"
        if c.status == "stale":
            out.append(f"{name}: {c.error}")
        elif c.status == "error":
            out.append(f"{name}: failed: {c.error}")
        if c.output_supported < c.output_figures:
            out.append(
                f"{name}: {c.output_figures - c.output_supported} unsupported figure(s) in "
                "unmarked output"
            )
        if not c.citations_exact:
            out.append(f"{name}: a citation does not slice the document to its text")
        if c.forbidden_in_output:
            out.append(f"{name}: forbidden figure(s) in unmarked output: {c.forbidden_in_output}")
    return out
