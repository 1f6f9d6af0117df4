"""The choices of the command line, as enums Typer validates (standard library only: the CLI
imports this module before any command runs, so it must stay light)."""

from __future__ import annotations

from enum import StrEnum


class SummaryFormat(StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"
    html = "html"


class AnswerFormat(StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"


class Length(StrEnum):
    """Words per bullet (``agent.statements.LENGTH_WORDS``)."""

    short = "short"
    medium = "medium"
    long = "long"


class OnUnverified(StrEnum):
    """What becomes of a statement still unverified after repair (``Policy``)."""

    fallback = "fallback"  # replaced by its cited source sentences
    flag = "flag"  # kept, marked unverified
    drop = "drop"  # left out
