"""Figure matching (the same value, the key figure of a text) and the mutation score: figures
of verified bullets changed one at a time (digits, scale, unit, period, date, swap) and the
share of those the verifier catches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..context import Source
    from ..models import Bullet

from ..figures import Figure, extract_figures
from ..models.evals import CaseMetrics, Mutant


# ====================================================================== figure matching
def _vals(f: Figure) -> tuple[float | None, ...]:
    return (f.value, f.low, f.high)


def same_value(a: Figure, b: Figure) -> bool:
    """Whether two figures state the same value: dates by their stated fields, numbers by
    value and bounds (scale applied: "11K" == "11,000"); units and context are ignored.
    Not the verifier's ``same`` on purpose: a mutation score must not use the tolerance it tests."""
    if a.kind == "date" or b.kind == "date":
        if a.kind != b.kind:
            return False
        fields = [(a.year, b.year), (a.month, b.month), (a.day, b.day)]
        return all(x == y for x, y in fields if x is not None and y is not None) and (
            a.month == b.month
        )
    va = [v for v in _vals(a) if v is not None]
    vb = [v for v in _vals(b) if v is not None]
    if not va or not vb:
        return False

    def within(xs: list[float], ys: list[float]) -> bool:
        return all(any(abs(x - y) <= 1e-9 * max(1.0, abs(x)) for y in ys) for x in xs)

    # both ways: "second" (2) does not state the score "2-0", nor "$300" the range "$300 to $350"
    return within(va, vb) and within(vb, va)


def key_figure(text: str) -> Figure | None:
    figs = extract_figures(text)
    return max(figs, key=lambda f: f.end - f.start) if figs else None


# ====================================================================== mutation score
MAX_MUTATED_FIGURES = 12  # per case, so the suite stays fast
_SCALE_SWAP = [
    (r"\btrillion\b", "billion"),
    (r"\bbillion\b", "million"),
    (r"\bmillion\b", "billion"),
    (r"\bthousand\b", "million"),
    (r"(?<=\d)bn\b", "m"),
    (r"(?<=\d)m\b", "bn"),
    (r"(?<=\d)[kK]\b", "m"),
]
_UNIT_SWAP = [
    (r"\$", "£"),
    (r"£", "$"),
    (r"€", "$"),
    (r"\bdollars\b", "euros"),
    (r"\bpounds\b", "dollars"),
    (r"\bper cent\b", "percentage points"),
    (r"%", " percentage points"),
    (r"\bpercentage points?\b", "per cent"),
    (r"\bmiles\b", "kilometres"),
    (r"\bkm\b", "miles"),
    (r"\bkilometres\b", "miles"),
    (r"(?<=\d)kg\b", "lb"),
    (r"\bkg\b", "lb"),
    (r"\bmonths\b", "years"),
    (r"\bmonth\b", "year"),
    (r"\byears\b", "months"),
    (r"\byear\b", "month"),
    (r"\bweeks\b", "months"),
    (r"\bweek\b", "month"),
    (r"\bdays\b", "weeks"),
    (r"\bday\b", "week"),
    (r"\bhours\b", "days"),
    (r"\bhour\b", "day"),
    (r"\bminutes\b", "hours"),
    (r"\bfeet\b", "metres"),
    (r"\bmetres\b", "feet"),
]
_PERIOD_SWAP = [
    (r"\b(a|an|per|each|every) month\b", r"\1 year"),
    (r"\b(a|an|per|each|every) year\b", r"\1 month"),
    (r"\b(a|an|per|each|every) week\b", r"\1 month"),
    (r"\b(a|an|per|each|every) day\b", r"\1 week"),
    (r"\b(a|an|per|each|every) hour\b", r"\1 day"),
    (r"\bmonthly\b", "yearly"),
    (r"\b(annually|yearly)\b", "monthly"),
    (r"\bweekly\b", "monthly"),
    (r"\bdaily\b", "weekly"),
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _first_sub(text: str, table: list[tuple[str, str]]) -> str | None:
    for pat, rep in table:
        new, n = re.subn(pat, rep, text, count=1)
        if n and new != text:
            return new
    return None


def _digit_change(t: str) -> str | None:
    m = re.search(r"\d", t)
    if not m:
        return None
    d = int(m.group())
    new = str((d + 1) % 10 if d != 9 else 8)
    if new == "0" and (m.start() == 0 or not t[m.start() - 1].isdigit()):
        new = "2"
    return t[: m.start()] + new + t[m.end() :]


def _date_change(f: Figure) -> str | None:
    t = f.text
    if f.kind == "year" or (f.kind == "date" and f.day is None and f.month is None and f.year):
        m = re.search(r"\d{4}", t)
        return t[: m.start()] + str(int(m.group()) + 1) + t[m.end() :] if m else None
    if f.kind != "date":
        return None
    if f.day is not None:
        m = re.search(rf"(?<!\d){f.day}(?!\d)", t)
        if m:
            day = f.day + 1 if f.day < 28 else f.day - 1
            return t[: m.start()] + str(day) + t[m.end() :]
    if f.month is not None:
        for i, name in enumerate(_MONTHS):
            m = re.search(rf"\b{name[:3]}[a-z]*\.?", t)
            if m and i + 1 == f.month:
                return t[: m.start()] + _MONTHS[(i + 1) % 12] + t[m.end() :]
    return None


def figure_mutants(f: Figure, others: Sequence[Figure]) -> list[tuple[str, str]]:
    """(kind, replacement text) for each applicable change of figure ``f``; ``others`` are the
    document's figures (for the swap: the first of the same kind with another value)."""
    out: list[tuple[str, str]] = []
    if f.kind not in ("date", "year"):
        d = _digit_change(f.text)
        if d:
            out.append(("digits", d))
    s = _first_sub(f.text, _SCALE_SWAP)
    if s:
        out.append(("scale", s))
    if f.per:
        p = _first_sub(f.text, _PERIOD_SWAP)
        if p:
            out.append(("period", p))
    if f.kind not in ("date", "year"):
        u = _first_sub(f.text, _UNIT_SWAP)
        if u and (not out or u != out[-1][1]):
            out.append(("unit", u))
    dt = _date_change(f)
    if dt:
        out.append(("date", dt))
    swap = next(
        (
            o
            for o in others
            if o.kind == f.kind and o.text != f.text and not same_value(o, f) and o.text.strip()
        ),
        None,
    )
    if swap is not None:
        out.append(("swap", swap.text))
    return out


def _changed(a: Figure, b: Figure) -> bool:
    keys = ("value", "low", "high", "unit", "currency", "per", "year", "month", "day", "scale")
    return any(getattr(a, k) != getattr(b, k) for k in keys)


def mutate_claim(
    text: str, citations: list[tuple[int, int]], doc_text: str, spans: list[tuple[int, int]]
) -> tuple[list[Mutant], list[str], int]:
    """Mutants of every figure of a claim the verifier fully supports: (mutants with their
    verdicts, false alarms on the untouched claim, figures checked untouched)."""
    from ..verify import Claim, verify_claims

    base = verify_claims(doc_text, [Claim(id="c", text=text, citations=citations)], spans)
    chk = base.checks[0]
    alarms = [
        f"{v.figure.text!r}: {v.verdict} {v.reason}"
        for v in chk.verdicts
        if v.verdict != "supported"
    ]
    if alarms:
        return [], alarms, len(chk.figures)
    cited_text = " ".join(doc_text[s:e] for s, e in citations)
    others = [*extract_figures(cited_text), *extract_figures(doc_text)]
    out: list[Mutant] = []
    for v in chk.figures[:MAX_MUTATED_FIGURES]:
        f = v.figure
        for kind, new in figure_mutants(f, others):
            claim = text[: f.start] + new + text[f.end :]
            got = [
                g
                for g in extract_figures(claim)
                if g.start < f.start + len(new) and f.start < g.end
            ]
            if not got or not all(_changed(g, f) for g in got):
                continue  # the change did not make a different figure: not a mutant
            rep = verify_claims(doc_text, [Claim(id="m", text=claim, citations=citations)], spans)
            hit = [
                x
                for x in rep.checks[0].figures
                if x.figure.start < f.start + len(new) and f.start < x.figure.end
            ]
            verdict = ",".join(x.verdict for x in hit) or "no figure"
            out.append(
                Mutant(
                    kind=kind,
                    original=f.text,
                    mutated=new,
                    claim=claim,
                    caught=not rep.checks[0].verified,
                    verdict=verdict,
                )
            )
    return out, [], len(chk.figures)


def mutation_score(m: CaseMetrics, bullets: Sequence[Bullet], sources: Sequence[Source]) -> None:
    """Mutate the figures of the case's verified output (model bullets that verify, and every
    cited source sentence, which is verbatim) and count what the verifier catches."""
    docs = {s.doc.id: s for s in sources}
    seen: set[tuple[str, str]] = set()
    budget = MAX_MUTATED_FIGURES
    for b in bullets:
        claims: list[tuple[str, list[tuple[int, int]], bool]] = []
        if b.origin != "extractive" and b.verified and not b.flagged:
            claims.append((b.text, [(c.start, c.end) for c in b.citations], False))
        claims += [(c.text, [(c.start, c.end)], True) for c in b.citations]
        doc = docs[b.citations[0].doc_id]
        spans = [(s.start, s.end) for s in doc.sentences]
        for text, cits, verbatim in claims:
            if (doc.doc.id, text) in seen or budget <= 0 or not extract_figures(text):
                continue
            seen.add((doc.doc.id, text))
            mutants, alarms, n = mutate_claim(text, cits, doc.doc.text, spans)
            if verbatim:
                m.verbatim_figures += n
                m.verbatim_false_alarms += len(alarms)
                m.false_alarm_detail += [f"source sentence {a}" for a in alarms]
            budget -= n
            for mu in mutants:
                mu.case = m.case
            m.mutants += len(mutants)
            m.mutants_caught += sum(mu.caught for mu in mutants)
            m.mutant_detail += mutants
