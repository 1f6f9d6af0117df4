"""Shared test setup: isolated VERISUM_HOME, no secrets, recorded-HTTP hygiene.

Network is blocked for every test by pytest-socket (see ``addopts`` in pyproject):
only loopback hosts are allowed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.evals import body_matcher, data_dir
from agent.evals import vcr_config as _vcr_config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def _model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of built model files for the whole run (building one takes ~1 s)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _model_cache: Path) -> None:
    """Every test gets its own VERISUM_HOME and no API key from the developer's shell."""
    home = tmp_path / "verisum-home"
    home.mkdir()
    (home / "models").symlink_to(_model_cache, target_is_directory=True)
    monkeypatch.setenv("VERISUM_HOME", str(home))
    for var in (
        "OPENAI_API_KEY",
        "VERISUM_OPENAI_API_KEY",
        "VERISUM_CHROMA_URL",
        "VERISUM_BASE_URL",
        "VERISUM_EMBEDDING",
        "VERISUM_LOCAL_MODEL",
        "VERISUM_LOCAL_THREADS",
        "VERISUM_LLM_TIMEOUT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    from agent.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # the evals' cassette configuration; no "record_mode" here: it would override
    # --record-mode (replay-only is the default)
    return _vcr_config()


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    vcr.register_matcher("json_body", body_matcher)


@pytest.fixture
def seed_path() -> Path:
    return SEEDS / "north-korean-troops-kursk.txt"


@pytest.fixture(scope="session")
def bump_rows() -> list[dict[str, Any]]:
    path = data_dir() / "bump" / "task1_dataset.json"
    if not path.is_file():
        pytest.skip(f"BUMP data not present ({path})")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def summedits_rows() -> list[dict[str, Any]]:
    path = data_dir() / "summedits" / "summedits_news.json"
    if not path.is_file():
        pytest.skip(f"SummEdits data not present ({path})")
    return json.loads(path.read_text(encoding="utf-8"))


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-500:]!r}, err={self.err[-500:]!r})"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``verisum ARGS`` in-process through ``main()`` (the real error mapping)."""
    from agent import cli as cli_module

    def run(*args: str, stdin: bytes | None = None) -> CliResult:
        import io
        import sys

        from agent.settings import get_settings

        get_settings.cache_clear()
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["verisum", *args])
        if stdin is not None:
            fake = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
            monkeypatch.setattr(sys, "stdin", fake)
        cli_module._state["debug"] = False
        try:
            cli_module.main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
