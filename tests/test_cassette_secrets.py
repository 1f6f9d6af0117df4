"""Every recorded cassette under tests/ and evals/ is readable and carries no secret."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SECRET_HEADERS = {
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
}
SECRET_TEXT = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),  # OpenAI-style keys
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-]{8,}"),
    re.compile(r"(?i)\b(?:api[_-]?key|access[_-]?token)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9_\-]{12,}"),
]


def cassettes() -> list[Path]:
    found: list[Path] = []
    for top in ("tests", "evals"):
        base = ROOT / top
        if base.is_dir():
            found += [p for p in base.rglob("*.y*ml") if "cassettes" in p.parts]
    return sorted(found)


def problems(text: str) -> list[str]:
    """Secrets or unreadable parts in one cassette's text."""
    out = [
        f"secret-like text {m.group(0)[:12]}..." for pat in SECRET_TEXT for m in pat.finditer(text)
    ]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [*out, f"not YAML: {exc}"]
    for i, inter in enumerate((data or {}).get("interactions", [])):
        for side in ("request", "response"):
            part: dict[str, Any] = inter.get(side) or {}
            bad = SECRET_HEADERS & {h.lower() for h in part.get("headers") or {}}
            out += [f"interaction {i} {side} header {h}" for h in sorted(bad)]
        body = (inter.get("request") or {}).get("body")
        if isinstance(body, str) and body:
            try:
                json.loads(body)
            except ValueError:
                out.append(f"interaction {i} request body is not JSON")
    return out


def test_cassettes_exist() -> None:
    assert cassettes(), "no cassettes found under tests/ or evals/"


@pytest.mark.parametrize("path", cassettes(), ids=lambda p: str(p.relative_to(ROOT)))
def test_cassette_has_no_secrets(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8")) == []


def test_scanner_catches_secrets() -> None:
    leaky = {
        "interactions": [
            {
                "request": {"body": "{}", "headers": {"Authorization": ["Bearer abcdefgh12345"]}},
                "response": {
                    "headers": {"Set-Cookie": ["x=1"]},
                    "body": {"string": "sk-proj-ABCDEFGHIJKLMNOPQRSTUV"},
                },
            }
        ]
    }
    found = problems(yaml.safe_dump(leaky))
    assert any("header authorization" in f for f in found)
    assert any("header set-cookie" in f for f in found)
    assert sum("secret-like" in f for f in found) == 2
    assert problems("interactions: []\n") == []
