"""The command line as a whole: help, version, usage errors."""

from __future__ import annotations

from typing import Any

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
