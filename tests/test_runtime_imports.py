"""The product runs on the default install: nothing it imports or calls needs an extra.

The real proof is `scripts/smoke_default.py` (a fresh virtualenv with no extras, the README's
first command, one question answered); this is its quick guard inside the suite: the packages
only the extras install are made unimportable, then every runtime module is imported and the
lazily imported paths that once needed scipy (pseudo-relevance feedback) are run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS_ONLY = (
    "scipy",
    "torch",
    "sentence_transformers",
    "transformers",
    "pymilvus",
    "milvus_lite",
    "pytest",
    "playwright",
    "schemathesis",
    "importlinter",
    "ir_measures",
    "pytrec_eval",
)
BLOCKER = f"""
import runpy, sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Blocked())
"""
FEEDBACK = """
import numpy as np
from kotae.index.lexical import LexicalIndex
index = LexicalIndex.build(["普天間飛行場の移設", "辺野古 工事", "演習の日程"])
assert index.passage_terms(np.array([0, 1]))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code], cwd=ROOT, capture_output=True, text=True
    )


def test_every_runtime_module_imports_without_the_extras() -> None:
    run = _run("runpy.run_path('scripts/check_runtime_imports.py', run_name='__main__')")
    assert run.returncode == 0, run.stderr
    assert "runtime modules import" in run.stdout


def test_feedback_terms_need_no_scipy() -> None:
    run = _run(FEEDBACK)
    assert run.returncode == 0, run.stderr


def test_the_blocker_would_catch_a_missing_package() -> None:
    """The check above is not vacuous: a runtime import of a blocked package fails it."""
    run = _run("import scipy.sparse")
    assert run.returncode != 0 and "No module named 'scipy" in run.stderr
