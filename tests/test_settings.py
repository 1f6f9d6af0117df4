"""Settings: env prefix, .env, secrets masked, .env.example complete, bad values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.settings import Settings, describe, env_name, get_settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_prefix_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("VERISUM_COLLECTION=from-dotenv\nVERISUM_MODEL=m1\n")
    monkeypatch.setenv("VERISUM_MODEL", "from-env")
    s = get_settings()
    assert s.collection == "from-dotenv" and s.model == "from-env"
    rows = {r["name"]: r for r in describe(s)}
    assert rows["collection"]["source"] == ".env VERISUM_COLLECTION"
    assert rows["model"]["source"] == "env VERISUM_MODEL"
    assert rows["chunk_chars"]["source"] == "default"


def test_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET-123")
    s = get_settings()
    assert s.openai_api_key is not None
    assert s.openai_api_key.get_secret_value() == "sk-test-SECRET-123"
    assert "SECRET" not in repr(s) and "SECRET" not in str(s)
    assert "SECRET" not in str(describe(s))


def test_bad_value_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERISUM_CHUNK_CHARS", "lots")
    with pytest.raises(ConfigError, match="VERISUM_CHUNK_CHARS"):
        get_settings()
    get_settings.cache_clear()
    monkeypatch.setenv("VERISUM_CHUNK_CHARS", "1000")
    monkeypatch.setenv("VERISUM_CHROMA_URL", "localhost:8000")
    with pytest.raises(ConfigError, match="VERISUM_CHROMA_URL"):
        get_settings()


def test_env_example_lists_every_setting_with_a_comment() -> None:
    text = (ROOT / ".env.example").read_text()
    lines = text.splitlines()
    for name in Settings.model_fields:
        env = env_name(name)
        idx = [i for i, line in enumerate(lines) if re.match(rf"#?\s*{env}=", line)]
        assert idx, f"{env} missing from .env.example"
        assert lines[idx[0] - 1].startswith("# "), f"{env} has no comment line above it"


def test_misspelt_variable_is_named_with_the_closest_setting(cli, monkeypatch) -> None:
    monkeypatch.setenv("VERISUM_CHUNK_CHAR", "800")
    r = cli("config", "--json")
    assert r.code == 0
    assert "warning: VERISUM_CHUNK_CHAR is not a verisum setting; did you mean " in r.err
    assert "VERISUM_CHUNK_CHARS?" in r.err


def test_empty_home_and_credentials_in_a_url_are_refused(cli, monkeypatch) -> None:
    monkeypatch.setenv("VERISUM_HOME", "")
    r = cli("docs", "list")
    assert r.code == 2 and "VERISUM_HOME" in r.err and "empty" in r.err
    assert not (Path.cwd() / "chroma").exists()
    monkeypatch.setenv("VERISUM_HOME", str(Path.cwd() / "home"))
    monkeypatch.setenv("VERISUM_BASE_URL", "http://user:s3cret@127.0.0.1:9/v1")
    r = cli("config")
    assert r.code == 2 and "credentials" in r.err and "s3cret" not in r.err + r.out


def test_config_shows_the_endpoint_actually_used(cli, monkeypatch) -> None:
    monkeypatch.setenv("VERISUM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("VERISUM_MODEL", "my-model")
    rows = {r["name"]: r for r in json.loads(cli("config", "--json").out)}
    assert rows["endpoint"]["value"] == "compatible http://127.0.0.1:9/v1 (model my-model)"
