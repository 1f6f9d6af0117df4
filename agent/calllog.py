"""Local log of LLM calls: JSON lines in ``<home>/logs/calls.jsonl``, append-only, rotated.

Each line is one ``LLMCall`` (one HTTP attempt). Lines are scrubbed before writing: the
configured API key and anything shaped like a key or bearer token never reach the file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .models import LLMCall

MAX_BYTES = 5_000_000  # rotate calls.jsonl when it grows past this
KEEP = 3  # rotated files kept: calls.jsonl.1 .. calls.jsonl.3

_KEYLIKE = [
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"), "sk-***"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-]{8,}"), "Bearer ***"),
]


def log_file() -> Path:
    from .settings import get_settings

    return get_settings().log_path / "calls.jsonl"


def scrub(text: str) -> str:
    """Remove the configured API key and key-shaped strings from ``text``."""
    from .settings import get_settings

    key = get_settings().openai_api_key
    secret = key.get_secret_value() if key is not None else ""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    for pattern, repl in _KEYLIKE:
        text = pattern.sub(repl, text)
    return text


def _rotate(path: Path) -> None:
    for i in range(KEEP, 0, -1):
        src = path.with_name(f"{path.name}.{i - 1}") if i > 1 else path
        if src.exists():
            src.replace(path.with_name(f"{path.name}.{i}"))


def append(call: LLMCall) -> None:
    """Append one call (scrubbed) to the log, rotating first if the file is too big."""
    path = log_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > MAX_BYTES:
        _rotate(path)
    line = scrub(json.dumps(call.model_dump(mode="json"), ensure_ascii=False))
    # the log holds whole documents and prompts: readable by its owner only
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a log created before this rule


def recent(n: int = 20) -> list[LLMCall]:
    """The last ``n`` calls, oldest first (reads rotated files when needed)."""
    path = log_file()
    files = [path.with_name(f"{path.name}.{i}") for i in range(KEEP, 0, -1)] + [path]
    lines: list[str] = []
    for f in files:
        if f.is_file():
            lines.extend(f.read_text(encoding="utf-8", errors="replace").splitlines())
    calls: list[LLMCall] = []
    for line in reversed(lines):
        if len(calls) >= n:
            break
        try:
            calls.append(LLMCall.model_validate_json(line))
        except ValueError:
            continue  # a torn or foreign line: skip it
    return calls[::-1]
