"""The wheel ships the application packages only: lab/, bench/ and tests/ run from a checkout."""

from __future__ import annotations

import re
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



def test_the_default_install_has_no_milvus_package() -> None:
    """Milvus (client, milvus-lite, the server) comes only with the `milvus` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    assert not {n for n in names if "milvus" in n}
    extra = {_name(r) for r in project["optional-dependencies"]["milvus"]}
    assert extra == {"pymilvus", "milvus-lite", "milvus"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()
