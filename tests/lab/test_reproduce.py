"""The reproduction matrix: eval/conditions.toml parses into `kotae eval` commands the CLI
accepts, the README's table is the one the file generates, and a check finds every miss."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
import typer

from kotae.cli.main import app
from lab.reproduce import (
    README,
    Condition,
    differences,
    load_conditions,
    prepare,
    table,
    with_table,
)
from tests.conftest import ROOT


def test_readme_table_is_generated_from_the_conditions() -> None:
    conditions, _ = load_conditions()
    readme = README.read_text(encoding="utf-8")
    assert with_table(readme, table(conditions)) == readme, "run python -m lab.reproduce --table"


def test_every_condition_is_a_kotae_eval_command_the_cli_accepts() -> None:
    conditions, tolerance = load_conditions()
    assert 0 < tolerance < 0.01
    assert len({c.name for c in conditions}) == len(conditions)
    command = typer.main.get_command(app)
    for c in conditions:
        argv = c.argv(Path("/tmp/idx"))
        assert argv[:3] == [sys.executable, "-m", "kotae.cli.main"]
        assert f"/tmp/idx/{c.index}" in argv and "--json" in argv
        sub = command.get_command(None, argv[3])  # type: ignore[attr-defined]
        sub.make_context(argv[3], argv[4:])  # raises on an unknown option or a bad value
        for word in shlex.split(c.command):  # the repository's own files exist
            if word.startswith(("eval/", "corpus")):
                assert (ROOT / word).exists(), f"{c.name}: {word}"


def test_a_check_reports_each_number_off_by_more_than_the_tolerance() -> None:
    expected = {"recall@1": 0.729, "by_lang": {"en": {"mrr@10": 0.748}}, "found_rate": 0.971}
    measured = {"recall@1": 0.7286, "by_lang": {"en": {"mrr@10": 0.7400}}, "n": 70}
    assert differences(expected, measured, 0.0006) == [
        "by_lang.en.mrr@10: expected 0.748, measured 0.74",
        "found_rate: expected 0.971, missing",
    ]
    assert differences(expected, {**measured, "by_lang": 1, "found_rate": 0.9714}, 0.0006) == [
        "by_lang: missing"
    ]


def test_a_condition_runs_kotae_eval_only() -> None:
    bad = Condition("x", "", "twoplus", "", "python -m lab.sweep --work {index}", {})
    with pytest.raises(ValueError, match="kotae eval"):
        bad.argv(Path("/tmp"))


def test_a_condition_prepares_its_collection_with_a_lab_command_only() -> None:
    bad = Condition("x", "", "w", "", "kotae eval --json", {}, prepare="rm -rf .kotae")
    with pytest.raises(ValueError, match="python -m lab"):
        prepare(bad)
    made = [c for c in load_conditions()[0] if c.prepare]
    assert made, "the withheld collection is written by lab.withheld before its eval"
    for c in made:
        assert shlex.split(c.prepare)[:3] == ["python", "-m", "lab.withheld"]
