"""The ``verisum`` command line. Commands parse options, call one stage function, print.

Heavy libraries (chromadb, onnxruntime, langchain) are imported inside command bodies so
``verisum --help`` stays instant. Errors become one line on stderr and an exit code here,
and only here (see ``main``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from . import __version__
from .errors import VerisumError

app = typer.Typer(
    name="verisum",
    help="Summaries whose every figure is checked against the source.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

_state: dict[str, Any] = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"verisum {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Summaries whose every figure is checked against the source."""
    _state["debug"] = debug


def print_json(data: Any) -> None:
    """Write JSON to stdout (pydantic models and lists of them included)."""
    from pydantic import BaseModel

    def default(o: Any) -> Any:
        if isinstance(o, BaseModel):
            return o.model_dump(mode="json")
        return str(o)

    sys.stdout.write(json.dumps(data, default=default, ensure_ascii=False, indent=2) + "\n")


# ---------------------------------------------------------------- config
@app.command("config")
def config_cmd(as_json: JsonOpt = False) -> None:
    """Show the effective settings (secrets masked) and where each came from."""
    from .settings import describe, get_settings

    rows = describe(get_settings())
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("setting", "value", "source", "description")
    for r in rows:
        table.add_row(r["env"], "" if r["value"] is None else str(r["value"]), r["source"],
                      r["description"])
    Console().print(table)


def main() -> None:
    """Entry point: run the app, map ``VerisumError`` to one line and an exit code."""
    try:
        app(standalone_mode=False)
    except VerisumError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors (Typer's click) and anything unexpected
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
