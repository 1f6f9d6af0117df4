"""Render the HTML report of a hand-built summary of the seed; screenshot it in headless Chromium.

    uv run python scripts/screenshot_html.py [OUT.png] [--html F.html] [--width W] [--height H]

The summary is built by hand from the seed (no model): a supported bullet, a bullet with a
wrong figure kept flagged, an extractive fallback, and two bullets sharing a cited sentence. The
figures are checked by the real verifier. ``build_seed_summary`` is reused by the tests.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "north-korean-troops-kursk.txt"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.chunking import split_sentences  # noqa: E402
from agent.documents import load_path  # noqa: E402
from agent.models import (  # noqa: E402
    Bullet,
    DocRef,
    Document,
    SentenceCitation,
    Summary,
    SummaryStats,
    Usage,
)
from agent.verify import Claim, verify_claims  # noqa: E402


def _cites(doc: Document, *needles: str) -> list[SentenceCitation]:
    """Citations of the sentences of ``doc`` starting with each needle (first match)."""
    sents = split_sentences(doc.text)
    out = []
    for needle in needles:
        s = next(s for s in sents if doc.text[s.start : s.end].startswith(needle))
        out.append(
            SentenceCitation(
                doc_id=doc.id,
                start=s.start,
                end=s.end,
                text=doc.text[s.start : s.end],
                sentence=s.index,
            )
        )
    return out


def _bullet(
    doc: Document, bid: str, text: str, cites: list[SentenceCitation], **kw: object
) -> Bullet:
    claim = Claim(id=bid, text=text, citations=[(c.start, c.end) for c in cites])
    check = verify_claims(doc.text, [claim]).checks[0]
    return Bullet(id=bid, text=text, citations=cites, check=check, verified=check.verified, **kw)


def build_seed_summary(seed: Path = SEED) -> tuple[Summary, dict[str, Document]]:
    doc = load_path(seed)
    zel = _cites(doc, "As for North Korean troops", "We're seeing an increase")
    herald = _cites(doc, "The Korea Herald")[0]
    bullets = [
        _bullet(
            doc,
            "1",
            "Ukrainian intelligence has recorded 11,000 North Korean soldiers in Russia's Kursk "
            "region, and their number is increasing.",
            _cites(doc, "Ukrainian intelligence has already", "Their number") + zel[:1],
        ),
        _bullet(
            doc,
            "2",
            "Zelensky said North Korean numbers keep rising while partners' response does not.",
            zel,
        ),
        _bullet(
            doc,
            "3",
            "US Secretary of State Anthony Blinken said 18,000 North Korean soldiers were "
            "captured in the Kursk region.",
            _cites(doc, "According to the latest data"),
            flagged=True,
        ),
        _bullet(
            doc,
            "4",
            "Zelensky noted it will soon be 3 months since Ukraine's Kursk operation began.",
            _cites(doc, "He also reminded"),
        ),
        _bullet(
            doc,
            "5",
            herald.text,
            [herald],
            origin="extractive",
            model_text="Russia pays each North Korean soldier $20,000 a month.",
        ),
    ]
    summary = Summary(
        documents=[DocRef(id=doc.id, title=doc.title, source=doc.source)],
        bullets=bullets,
        policy="flag",
        endpoint="local: SmolLM2-135M-Instruct (llama.cpp, 127.0.0.1)",
        notice="Using the bundled local model (no OPENAI_API_KEY or VERISUM_BASE_URL set). "
        "Set OPENAI_API_KEY to use OpenAI.",
        usage=Usage(prompt_tokens=1480, completion_tokens=310, total_tokens=1790, calls=2),
        stats=SummaryStats(
            bullets_from_model=5, unverified_before_repair=2, fell_back=1, flagged=1
        ),
    )
    return summary, {doc.id: doc}


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("chrome")


def screenshot(html_path: Path, png: Path, width: int = 1400, height: int = 1000) -> None:
    """Headless Chromium screenshot of a local file; no network, throwaway profile."""
    exe = chromium()
    if exe is None:
        raise SystemExit("chromium not found (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                html_path.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    from agent.render.html import render_html

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("png", nargs="?", default="/tmp/summary_html.png")
    ap.add_argument("--html", default="/tmp/summary.html")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    a = ap.parse_args()
    summary, docs = build_seed_summary()
    Path(a.html).write_text(render_html(summary, docs), encoding="utf-8")
    screenshot(Path(a.html), Path(a.png), a.width, a.height)
    print(f"{a.html}\n{a.png}")


if __name__ == "__main__":
    main()
