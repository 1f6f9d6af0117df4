"""Prompt files: format, variable checks at load, rendering."""

from __future__ import annotations

import pytest

from agent.errors import ConfigError, NotFoundError
from agent.prompts import available, load_prompt, parse_prompt

GOOD = """---
description: test
variables: [doc, n]
---
## system
Return JSON like {"bullets": [{"text": "..."}]} with at most {n} bullets; {{n}} is literal.
## user
{doc}
"""


def test_bundled_prompts_load() -> None:
    assert {"summarize", "repair"} <= set(available())
    s = load_prompt("summarize")
    assert set(s.variables) == {"sentences", "max_bullets", "focus", "parts"}
    r = load_prompt("repair")
    assert set(r.variables) == {"bullet", "failures", "evidence"}


def test_summarize_prompt_renders_json_example_untouched() -> None:
    msgs = load_prompt("summarize").render(
        sentences="[S1] A.\n[S2] B.", max_bullets=4, focus="everything", parts=""
    )
    assert [m["role"] for m in msgs] == ["system", "user"]
    assert '{"bullets": [{"text": "...", "sentence_ids": [1, 2]' in msgs[0]["content"]
    assert "at most 4 bullets" in msgs[0]["content"]
    assert "[S1] A.\n[S2] B." in msgs[1]["content"]


def test_render_fills_once_and_keeps_other_braces() -> None:
    p = parse_prompt("t", GOOD)
    sys_msg, user_msg = p.render(doc="a {n} b", n=3)
    assert sys_msg["content"] == (
        'Return JSON like {"bullets": [{"text": "..."}]} with at most 3 bullets; {n} is literal.'
    )
    assert user_msg["content"] == "a {n} b"  # values are not expanded again


def test_render_missing_or_extra_variable() -> None:
    p = parse_prompt("t", GOOD)
    with pytest.raises(ConfigError, match="missing n"):
        p.render(doc="x")
    with pytest.raises(ConfigError, match="unexpected focus"):
        p.render(doc="x", n=1, focus="y")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("variables: [doc, n]", "variables: [doc]"), "undeclared placeholder.*n"),
        (GOOD.replace("variables: [doc, n]", "variables: [doc, n, extra]"), "unused.*extra"),
        (GOOD.replace("## user\n{doc}\n", ""), "'## user'"),
        (GOOD.replace("---\ndescription", "description"), "front matter"),
        (GOOD.replace("variables: [doc, n]", "variables: doc"), "list of names"),
        (GOOD.replace("variables: [doc, n]", "variables: [doc, n, n]"), "declared twice"),
        (GOOD.replace("## system\n", "hello\n## system\n"), "before the first"),
    ],
)
def test_bad_prompt_files_rejected_at_load(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_prompt("t", text)


def test_unknown_or_bad_name() -> None:
    with pytest.raises(NotFoundError, match=r"no prompt named 'nope'.*summarize"):
        load_prompt("nope")
    with pytest.raises(NotFoundError):
        load_prompt("../pyproject")
