"""The wheel installs one top-level package, `kotae` (issue 26): ingest/, index/, service/ and
eval/ go in as kotae.ingest, kotae.index, …; lab/, bench/ and tests/ run from a checkout only.

Before, a user's site-packages got `eval`, `index`, `ingest` and `service` too, so `import eval`
in their own code meant kotae's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("ingest", "index", "service", "eval")


def test_the_package_finder_ships_kotae_only() -> None:
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    rule = find["find"]
    shipped = find_packages(str(ROOT), include=rule["include"], exclude=rule["exclude"])
    assert {p.split(".")[0] for p in shipped} == {"kotae"}
    assert {f"kotae.{layer}" for layer in LAYERS} <= set(shipped)
    assert {"lab", "bench"} <= set(find_packages(str(ROOT)))  # the check above could see them


def test_the_built_wheel_installs_kotae_and_nothing_else(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kotae-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"kotae"}
    for layer in LAYERS:
        assert f"kotae/{layer}/__init__.py" in names  # a real folder in the wheel, not a link
    shipped = (
        "kotae/service/api/static/app.js",
        "kotae/eval/questions.jsonl",
        "kotae/service/data/reader_stage.json",
        *(f"kotae/service/reader/model/{f}" for f in ("config.json", "weights.npz", "card.md")),
    )
    for data in shipped:
        assert data in names
    assert not any(n.endswith("checkpoint.pt") for n in names)  # training's, never shipped
    assert not any(n.startswith(("kotae/lab/", "lab/", "bench/", "tests/")) for n in names)


def test_the_layers_are_links_to_the_top_level_folders() -> None:
    """The repository keeps ingest/, index/, service/, eval/ at its top, as the design card
    names them; kotae/ holds relative links to them, so a checkout imports kotae.index too."""
    for layer in LAYERS:
        link = ROOT / "kotae" / layer
        assert link.is_symlink() and link.resolve() == (ROOT / layer).resolve()


def test_the_default_install_has_no_milvus_package() -> None:
    """Milvus (client, milvus-lite, the server) comes only with the `milvus` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    assert not {n for n in names if "milvus" in n}
    extra = {_name(r) for r in project["optional-dependencies"]["milvus"]}
    assert extra == {"pymilvus", "milvus-lite", "milvus"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()
