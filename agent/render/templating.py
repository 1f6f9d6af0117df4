"""The Jinja2 environment of the HTML reports: templates shipped as package data in
``agent/render/templates/``, autoescaped."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("agent.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )


def page(template: str, **view: Any) -> str:
    """``template`` rendered with ``view`` (every value escaped unless it is ``Markup``)."""
    return str(_env().get_template(template).render(**view))


@lru_cache(maxsize=8)
def asset(name: str) -> Any:
    """A stylesheet or script of ``templates/``, inlined as is (trusted: it ships with us)."""
    from markupsafe import Markup

    return Markup(files("agent.render").joinpath("templates", name).read_text(encoding="utf-8"))
