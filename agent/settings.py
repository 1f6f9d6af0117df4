"""All settings in one place: env prefix ``VERISUM_``, a ``.env`` file, and defaults.

``OPENAI_API_KEY`` is read under its usual name and held as a ``SecretStr``: it never
appears in a repr, a log line or ``verisum config``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

ENV_PREFIX = "VERISUM_"


def _default_data_dir() -> Path:
    """``../shared/data`` beside the checkout (for development)."""
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("verisum", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(default_factory=_default_home, description="Where verisum keeps its data.")
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL; unset = embedded store under home."
    )
    collection: str = Field(default="verisum", description="Chroma collection name.")
    embedding: Literal["local", "openai"] = Field(
        default="local", description="Embedding provider: bundled MiniLM or OpenAI."
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small", description="OpenAI embedding model name."
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "VERISUM_OPENAI_API_KEY"),
        description="OpenAI API key (secret, never printed).",
    )
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint URL (Ollama, vLLM, llama.cpp...)."
    )
    model: str = Field(default="gpt-4o-mini", description="Chat model name for OpenAI/base_url.")
    checks: Literal["all", "figures"] = Field(
        default="all",
        description="What the verifier checks: figures, names and negations (all), or figures.",
    )
    local_model: Literal["qwen2.5-coder-1.5b", "smollm2-135m"] = Field(
        default="qwen2.5-coder-1.5b",
        description="Bundled model used when no endpoint is configured (smollm2-135m: fast, weak).",
    )
    local_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="llama.cpp threads for the bundled model; unset = usable cores - 1 (1..4).",
    )
    llm_timeout: float = Field(default=120.0, gt=0, description="Seconds per LLM request.")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="Retries on timeout/429/5xx.")
    llm_max_reasks: int = Field(
        default=2, ge=0, le=5, description="Re-asks when a reply does not validate."
    )
    chunk_chars: int = Field(
        default=600, ge=100, le=20000, description="Target chunk size in characters."
    )
    chunk_overlap: int = Field(
        default=1, ge=0, le=10, description="Sentences shared by neighbouring chunks."
    )
    lock_timeout: float = Field(
        default=600.0,
        ge=0,
        description="Seconds to wait for another verisum process using the embedded store.",
    )
    max_file_mb: float = Field(
        default=20.0, gt=0, description="Largest file ingest accepts, in megabytes."
    )
    parse_cache_mb: float = Field(
        default=200.0,
        ge=0,
        description="Disk kept for the verifier's parses of sources under home/parses (0 = off).",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Labelled data sets of the evals and benchmarks (BUMP, SummEdits, RAGTruth).",
    )

    @field_validator("chroma_url", "base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        from urllib.parse import urlparse

        if "@" in (urlparse(v).netloc or ""):
            raise ValueError(
                "must not hold credentials (user:password@); put the key in OPENAI_API_KEY"
            )
        return v.rstrip("/")

    @field_validator("home", mode="before")
    @classmethod
    def _home(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError("is empty; unset it for the default, or give a folder")
        return v

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def log_path(self) -> Path:
        return self.home / "logs"


def env_name(field: str) -> str:
    if field == "openai_api_key":
        return "OPENAI_API_KEY"
    return ENV_PREFIX + field.upper()


def unknown_variables(environ: dict[str, str] | None = None) -> list[str]:
    """One warning per ``VERISUM_*`` variable that is no setting, naming the closest one."""
    import difflib

    known = [env_name(f) for f in Settings.model_fields] + ["VERISUM_OPENAI_API_KEY"]
    out = []
    for name in sorted(environ if environ is not None else os.environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else " (see: verisum config)"
            out.append(f"warning: {name} is not a verisum setting{hint}")
    return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load settings once per process; raise ``ConfigError`` with one readable line.
    Misspelt ``VERISUM_*`` variables are named on stderr."""
    import sys

    for line in unknown_variables():
        print(line, file=sys.stderr)
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        name = env_name(loc) if loc in Settings.model_fields else loc
        raise ConfigError(f"bad setting {name}: {err['msg']}") from None


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Each setting with its effective value (secrets masked) and where it came from."""
    from dotenv import dotenv_values

    dotenv = (
        {k.upper(): v for k, v in dotenv_values(".env").items()} if Path(".env").is_file() else {}
    )
    rows = []
    for name, field in Settings.model_fields.items():
        env = env_name(name)
        if env in os.environ:
            origin = f"env {env}"
        elif env in dotenv:
            origin = f".env {env}"
        else:
            origin = "default"
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown: Any = "********" if value.get_secret_value() else ""
        elif value is None:
            shown = None
        else:
            shown = str(value) if isinstance(value, Path) else value
        rows.append(
            {
                "name": name,
                "env": env,
                "value": shown,
                "source": origin,
                "description": field.description or "",
            }
        )
    return rows
