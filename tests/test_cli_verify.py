"""``verisum verify``: output, --json, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import app

SOURCE = "Russia will pay North Korean soldiers $2,000 a month. There are 11,000 in Kursk.\n"


def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from agent.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    src = tmp_path / "source.txt"
    src.write_text(SOURCE, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("- Soldiers get $2,000 per month.\n- 11,000 soldiers are in Kursk.\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("- Soldiers get $3,000 per month.\n- 11,000 soldiers are in Kursk.\n")
    return src, good, bad


def test_supported_exits_0(files: tuple[Path, Path, Path]) -> None:
    src, good, _ = files
    r = run(["verify", "--source", str(src), "--summary", str(good)])
    assert r.returncode == 0, r.stderr
    assert "$2,000 per month" in r.stdout and "supported" in r.stdout
    assert "verified" in r.stdout


def test_unsupported_exits_1_and_json(files: tuple[Path, Path, Path]) -> None:
    src, _, bad = files
    r = run(["verify", "--source", str(src), "--summary", str(bad), "--json"])
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["schema_version"] == "3" and data["verified"] is False
    verdicts = [
        v["verdict"] for c in data["checks"] for v in c["verdicts"] if v["kind"] == "figure"
    ]
    assert verdicts == ["contradicted", "supported"]
    ev = data["checks"][0]["verdicts"][0]["evidence"][0]
    assert SOURCE[ev["start"] : ev["end"]] == ev["text"]


def test_summary_from_stdin(files: tuple[Path, Path, Path]) -> None:
    src, good, _ = files
    r = run(["verify", "--source", str(src), "--summary", "-"], stdin=good.read_text())
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--summary", "x.txt"],
        ["verify", "--source", "a.txt", "--doc", "abc", "--summary", "x.txt"],
        ["verify", "--source", "missing.txt", "--summary", "missing.txt"],
        ["verify", "--source", "a.txt"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    r = run(args)
    assert r.returncode == 2
    assert r.stderr.strip()


def test_seed_through_the_cli(seed_path: Path, tmp_path: Path) -> None:
    lines = seed_path.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "bullets.txt").write_text("".join(x for x in lines if x.startswith("  •")))
    (tmp_path / "body.txt").write_text("".join(x for x in lines if not x.startswith("  •")))
    r = run(
        [
            "verify",
            "--source",
            str(tmp_path / "body.txt"),
            "--summary",
            str(tmp_path / "bullets.txt"),
            "--json",
        ]
    )
    data = json.loads(r.stdout)
    assert data["counts"]["figures"] == 3
    assert r.returncode == 0


def test_command_is_registered() -> None:
    assert any(c.name == "verify" for c in app.registered_commands)
