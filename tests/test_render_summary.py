"""Terminal (rich) and Markdown rendering of a Summary."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path
from types import ModuleType

import pytest
from rich.console import Console

from agent.models import Bullet, DocRef, Document, SentenceCitation, Summary, Usage
from agent.render.summary import (
    EXTRACTIVE_MARK,
    FLAG_MARK,
    REJECTED_LABEL,
    figure_spans,
    footnotes,
    render_markdown,
    render_terminal,
)
from agent.verify import Claim, verify_claims

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshot_html.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot_html", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def seed() -> tuple[Summary, dict[str, Document]]:
    return load_script().build_seed_summary()


def terminal(summary: Summary, styles: bool = False) -> str:
    con = Console(
        record=True, width=400, force_terminal=True, color_system="standard", file=io.StringIO()
    )
    render_terminal(summary, con)
    return con.export_text(styles=styles)


def test_footnotes_are_shared_by_bullets_citing_the_same_span(seed: tuple) -> None:
    summary, _ = seed
    notes, per_bullet = footnotes(summary)
    assert [fn.n for fn in notes] == list(range(1, len(notes) + 1))
    assert per_bullet[0] == [1, 2, 3] and per_bullet[1] == [3, 4]
    assert notes[2].bullets == [0, 1]
    assert len(notes) == len(
        {(c.doc_id, c.start, c.end) for b in summary.bullets for c in b.citations}
    )


def test_terminal_shows_markers_sources_and_footer(seed: tuple) -> None:
    summary, docs = seed
    (d,) = docs.values()
    out = terminal(summary)
    notes, _ = footnotes(summary)
    lines = out.splitlines()
    bullet_lines = [ln for ln in lines if re.match(r"\s*\d\. ", ln)]
    assert len(bullet_lines) == len(summary.bullets)
    assert bullet_lines[0].endswith("[1][2][3]")
    assert FLAG_MARK in bullet_lines[2] and "18,000" in bullet_lines[2]
    assert EXTRACTIVE_MARK in bullet_lines[4]
    assert any("18,000: contradicted" in ln and "8,000" in ln for ln in lines)
    assert any(f"{REJECTED_LABEL} Russia pays" in ln for ln in lines)  # marked as rejected
    assert "Sources" in lines
    for fn in notes:
        row = next(ln for ln in lines if ln.startswith(f" [{fn.n}] "))
        assert f"{fn.start}–{fn.end}" in row
        assert d.text[fn.start : fn.end][:40] in row
    footer = lines[-1]
    assert footer.startswith("NOT verified")
    for part in (
        "5 bullets",
        "1 flagged",
        "1 quoted from source",
        "policy flag",
        "2 calls",
        "1,790 tokens",
    ):
        assert part in footer
    assert summary.endpoint in footer


def test_terminal_colours_figures_by_verdict(seed: tuple) -> None:
    summary, _ = seed
    out = terminal(summary, styles=True)
    assert "\x1b[1;32m11,000\x1b[0m" in out  # bold green: supported
    assert "\x1b[1;31m18,000\x1b[0m" in out  # bold red: contradicted


def test_markdown(seed: tuple) -> None:
    summary, docs = seed
    (d,) = docs.values()
    md = render_markdown(summary)
    notes, per_bullet = footnotes(summary)
    items = [ln for ln in md.splitlines() if re.match(r"\d+\. ", ln)]
    assert len(items) == len(summary.bullets)
    for item, nums in zip(items, per_bullet, strict=True):
        assert item.endswith("".join(f"[^{n}]" for n in nums))
    assert items[2].startswith(f"3. **{FLAG_MARK}:**")
    assert "**18,000** (✗)" in items[2]
    assert f"*{EXTRACTIVE_MARK}*" in items[4]
    assert "`18,000`: contradicted — source says '8,000'" in md
    for fn in notes:
        line = next(ln for ln in md.splitlines() if ln.startswith(f"[^{fn.n}]: "))
        assert f"{fn.start}–{fn.end}" in line
        assert d.text[fn.start : fn.end][:30] in line
    assert "**NOT verified**" in md
    # the model's rejected text is labelled and struck through, never bare
    assert f"{REJECTED_LABEL} ~~Russia pays" in md and "\n    - model wrote:" not in md


def test_markdown_escapes_markup_and_text_from_the_source() -> None:
    text = "Shares fell 5% <script>alert(1)</script> on *Monday*.\nNew line."
    d = Document(id="d", title="T [x]", source="s", text=text)
    c = SentenceCitation(doc_id="d", start=0, end=len(text), text=text, sentence=0)
    claim = Claim(id="1", text="Shares fell 5% <b>now</b>.", citations=[(0, len(text))])
    check = verify_claims(text, [claim]).checks[0]
    b = Bullet(id="1", text=claim.text, citations=[c], check=check, verified=check.verified)
    s = Summary(documents=[DocRef(id="d", title=d.title, source="s")], bullets=[b])
    md = render_markdown(s)
    assert "<script>" not in md and "<b>" not in md
    assert r"\<script\>alert(1)\</script\>" in md
    assert r"\*Monday\*" in md and r"T \[x\]" in md
    assert "**5%**" in md
    assert "New line" in md.split("[^1]: ")[1].splitlines()[0]  # footnote stays on one line
    assert md.splitlines()[-1].startswith("verified · 1 bullets: 1 verified")


def test_figures_are_found_when_the_shown_text_differs_from_the_checked_claim() -> None:
    text = "The team scored 3 goals in 2021."
    check = verify_claims(text, [Claim(id="1", text="They scored 3 goals in 2021.")]).checks[0]
    b = Bullet(id="1", text="The side scored 3 goals in 2021.", citations=[], check=check)
    spans = [(b.text[s:e], v.verdict) for s, e, v in figure_spans(b)]
    assert [t for t, _ in spans] == ["3", "2021"]


def test_usage_and_notice_in_outputs() -> None:
    s = Summary(
        documents=[],
        bullets=[],
        notice="Using the bundled local model.",
        usage=Usage(calls=1, total_tokens=1234),
        endpoint="local",
    )
    out = terminal(s)
    assert out.splitlines()[0] == "Using the bundled local model."
    assert "1 call, 1,234 tokens" in out
    assert "> Using the bundled local model." in render_markdown(s)
