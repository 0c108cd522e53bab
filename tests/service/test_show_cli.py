"""`kotae show`: a document as indexed, furniture lines flagged."""

from __future__ import annotations

from typer.testing import CliRunner

from kotae.cli.main import app
from kotae.service.engine import Engine


def test_show_flags_furniture_lines(corpus_engine: Engine) -> None:
    index_dir = str(corpus_engine.settings.index_dir)
    result = CliRunner().invoke(app, ["show", "--index-dir", index_dir, "001_0e082c2b15b74ab7.txt"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "001_0e082c2b15b74ab7.txt: 日米安全保障協議委員会(日米「2+2」)(概要)"
    )
    assert "▌ 印刷用  [navigation]" in lines and "▌ 令和6年1月12日  [date]" in lines
    assert "  日米安全保障協議委員会(日米「2+2」)(概要)" in lines
    assert any(ln.startswith("  1月12日4時00分") for ln in lines)


def test_show_unknown_document_is_a_clear_error(corpus_engine: Engine) -> None:
    index_dir = str(corpus_engine.settings.index_dir)
    result = CliRunner().invoke(app, ["show", "--index-dir", index_dir, "nope.txt"])
    assert result.exit_code == 1
    assert "no document 'nope.txt'" in result.output
