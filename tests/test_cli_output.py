"""`kotae ask` and the help screens as a new user reads them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kotae.cli import ask_cmd
from kotae.cli.main import app
from kotae.service.engine import Engine


@pytest.mark.parametrize("command", ["index", "serve", "ask", "search", "eval"])
def test_help_names_the_environment_variables(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "(env KOTAE_INDEX_DIR)" in result.stdout  # rich markup once swallowed "[env …]"


def test_an_empty_question_is_an_error_not_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ask_cmd, "_engine", lambda index_dir: pytest.fail("loaded an index"))
    result = CliRunner().invoke(app, ["ask", "  "])
    assert result.exit_code == 2
    assert "the question is empty" in result.stderr and not result.stdout


def test_citations_are_titled_and_closest_passages_say_so(
    corpus_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ask_cmd, "_engine", lambda index_dir: corpus_engine)
    found = CliRunner().invoke(app, ["ask", "-k", "2", "普天間飛行場の移設先は？"])
    assert found.exit_code == 0, found.output
    assert "\nsources:\n" in found.stdout and "not an answer" not in found.stdout
    first = corpus_engine.ask("普天間飛行場の移設先は？", 2).citations[0].hit.chunk
    title = corpus_engine.loaded.snapshot.documents[first.doc_id].title
    assert f"[1] {title}" in found.stdout
    missing = CliRunner().invoke(app, ["ask", "-k", "2", "寿司の握り方のコツは？"])
    assert "\nclosest passages (not an answer):\n" in missing.stdout
    assert "\nsources:" not in missing.stdout


@pytest.mark.parametrize("command", [["ask", "普天間は？"], ["search", "普天間"]])
def test_an_unexpected_failure_is_one_line_not_a_traceback(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25: with a runtime package missing, `kotae ask` and `kotae search` printed a
    traceback. Any failure is one line naming it (KOTAE_DEBUG=1 still shows the traceback)."""

    def broken(index_dir: object) -> Engine:
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    monkeypatch.setattr(ask_cmd, "_engine", broken)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "No module named 'scipy'" in lines[0] and "setup.sh" in lines[0]
    assert "Traceback" not in result.output
    monkeypatch.setenv("KOTAE_DEBUG", "1")
    debug = CliRunner().invoke(app, command)
    assert isinstance(debug.exception, ModuleNotFoundError)
