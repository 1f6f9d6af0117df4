"""The command line as a whole: help, version, usage errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

COMMANDS = ["config", "ingest", "search", "verify", "logs", "summarize", "ask", "eval", "docs"]


def test_help_lists_every_command_with_a_whole_line(cli: Any) -> None:
    r = cli("--help")
    assert r.code == 0
    listed = r.out.split("Commands:", 1)[1].splitlines()
    for name in COMMANDS:
        [line] = [ln for ln in listed if ln.split()[:1] == [name]]
        assert len(line.split()) > 3 and not line.rstrip().endswith("..."), line


def test_version_and_usage_errors(cli: Any) -> None:
    r = cli("--version")
    assert r.code == 0 and r.out.startswith("verisum ")
    r = cli("no-such-command")
    assert r.code == 2 and "No such command" in r.err and "Traceback" not in r.err


def test_piped_docs_list_keeps_long_names(cli: Any, tmp_path: Path) -> None:
    name = "a-document-with-a-rather-long-file-name-that-rich-would-cut-at-eighty.txt"
    (tmp_path / name).write_text("Inspections rose to 1,240 in March this year.\n")
    assert cli("ingest", str(tmp_path / name)).code == 0
    r = cli("docs", "list")
    widths = [len(line) for line in r.out.splitlines()]
    assert r.code == 0 and 80 < max(widths) <= 200  # piped: not rich's default 80 columns


def test_summarize_select_asks_for_the_central_sentences(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--select`` reaches the summarizer (which the unit tests check with fake replies);
    without it the default (``summarize.SELECT_LOCAL``) decides. No model is asked here."""
    import agent.summarize as sm

    seen: list[object] = []

    def stop(*args: object, **kwargs: object) -> None:
        seen.append(kwargs.get("select"))
        raise KeyboardInterrupt

    monkeypatch.setattr(sm, "summarize", stop)
    doc = tmp_path / "note.txt"
    doc.write_text("The hall seats 400 people. It opened in 1931.", encoding="utf-8")
    cli("summarize", str(doc), "--select")
    cli("summarize", str(doc))
    assert seen == [True, None]
