"""The wheel ships the application packages only: lab/, bench/ and tests/ run from a checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]


def test_lab_bench_and_tests_are_not_in_the_wheel() -> None:
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    rule = find["find"]
    shipped = find_packages(str(ROOT), include=rule["include"], exclude=rule["exclude"])
    assert {p.split(".")[0] for p in shipped} == {"kotae", "ingest", "index", "service", "eval"}
    assert {"lab", "bench"} <= set(find_packages(str(ROOT)))  # the check above could see them
