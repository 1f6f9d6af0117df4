"""Prompts are files: ``prompts/NAME.md`` (packaged as ``agent/_prompts``), loaded by name.

Format: YAML front matter declaring ``variables``, then a ``## system`` and a ``## user``
section (those two exact lines mark the sections)::

    ---
    description: one line
    variables: [sentences, max_bullets]
    ---
    ## system
    You summarize ...
    ## user
    {sentences}

``{name}`` (an identifier in single braces) is a placeholder; ``{{`` and ``}}`` are literal
braces; any other brace (a JSON example such as ``{"text": ...}``) is left as it is.
Every placeholder must be declared and every declared variable used, checked at load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, NotFoundError

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SECTIONS = ("system", "user")


def prompt_dirs() -> list[Path]:
    """Where prompts are looked up: the checkout's ``prompts/``, then the packaged copy."""
    here = Path(__file__).resolve().parent
    return [d for d in (here.parent / "prompts", here / "_prompts") if d.is_dir()]


def available() -> list[str]:
    """Names of all prompts that can be loaded."""
    names = {p.stem for d in prompt_dirs() for p in d.glob("*.md")}
    return sorted(n for n in names if _NAME.match(n))


def placeholders(text: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1)}


def _fill(text: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        return values[m.group(1)]

    return _PLACEHOLDER.sub(sub, text)


@dataclass(frozen=True)
class Prompt:
    """A loaded, checked prompt. ``render`` gives chat messages as plain dicts."""

    name: str
    variables: tuple[str, ...]
    system: str
    user: str
    description: str = ""
    path: Path | None = None

    def render(self, **values: Any) -> list[dict[str, str]]:
        """Fill the placeholders; ``ConfigError`` on a missing or unexpected variable."""
        missing = [v for v in self.variables if v not in values]
        extra = sorted(set(values) - set(self.variables))
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if extra:
                parts.append("unexpected " + ", ".join(extra))
            raise ConfigError(f"prompt {self.name!r}: {'; '.join(parts)}")
        text = {k: str(v) for k, v in values.items()}
        return [
            {"role": "system", "content": _fill(self.system, text)},
            {"role": "user", "content": _fill(self.user, text)},
        ]

    def followup(self, **values: Any) -> str:
        """The prompt as one user message that continues a conversation (its system part,
        then its user part): the conversation so far stays an identical prefix, which a
        server such as llama.cpp reads from its prompt cache instead of again."""
        system, user = self.render(**values)
        return f"{system['content']}\n\n{user['content']}"


def parse_prompt(name: str, source: str, path: Path | None = None) -> Prompt:
    """Parse and check a prompt file's text (see the module docstring for the format)."""
    import yaml

    where = str(path) if path else name
    text = source.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ConfigError(f"prompt {where}: must start with '---' front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ConfigError(f"prompt {where}: front matter is not closed with '---'")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"prompt {where}: bad front matter: {exc}") from None
    if not isinstance(meta, dict):
        raise ConfigError(f"prompt {where}: front matter must be a mapping")
    declared = meta.get("variables") or []
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise ConfigError(f"prompt {where}: 'variables' must be a list of names")
    if len(set(declared)) != len(declared):
        raise ConfigError(f"prompt {where}: a variable is declared twice")
    body = text[end + 5 :]
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in body.split("\n"):
        header = line.strip()
        if header.startswith("## ") and header[3:].strip() in _SECTIONS:
            current = header[3:].strip()
            if current in sections:
                raise ConfigError(f"prompt {where}: section '## {current}' appears twice")
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif header:
            raise ConfigError(f"prompt {where}: text before the first '## system' section")
    for sec in _SECTIONS:
        if not "\n".join(sections.get(sec, [])).strip():
            raise ConfigError(f"prompt {where}: missing or empty '## {sec}' section")
    system = "\n".join(sections["system"]).strip()
    user = "\n".join(sections["user"]).strip()
    used = placeholders(system) | placeholders(user)
    undeclared = sorted(used - set(declared))
    unused = sorted(set(declared) - used)
    if undeclared:
        raise ConfigError(f"prompt {where}: undeclared placeholder(s): {', '.join(undeclared)}")
    if unused:
        raise ConfigError(f"prompt {where}: declared but unused variable(s): {', '.join(unused)}")
    return Prompt(
        name=name,
        variables=tuple(declared),
        system=system,
        user=user,
        description=str(meta.get("description", "")),
        path=path,
    )


def load_prompt(name: str) -> Prompt:
    """Load ``prompts/NAME.md`` (or the packaged copy) and check its variables."""
    if not _NAME.match(name):
        raise NotFoundError(f"bad prompt name {name!r}")
    for folder in prompt_dirs():
        path = folder / f"{name}.md"
        if path.is_file():
            return parse_prompt(name, path.read_text(encoding="utf-8"), path)
    known = ", ".join(available()) or "none"
    raise NotFoundError(f"no prompt named {name!r} (available: {known})")
