"""One build at a time per index: a second is refused with the fix, and the lock dies with
the process that held it (kill -9 included), so a crashed build never blocks the next."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kotae.errors import IndexBusyError
from kotae.index.builder import _build_lock

HOLDER = """
import sys, time
from pathlib import Path
from kotae.index.builder import _build_lock
with _build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_second_build_is_refused_until_the_first_ends(tmp_path: Path) -> None:
    target = tmp_path / "idx" / "index"
    with _build_lock(target):
        with pytest.raises(IndexBusyError, match="another `kotae index` is building"):
            with _build_lock(target):
                pass
    with _build_lock(target):  # released: the next build goes ahead
        pass


def test_the_lock_of_a_killed_build_is_free(tmp_path: Path) -> None:
    target = tmp_path / "idx" / "index"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError):
            with _build_lock(target):
                pass
    finally:
        holder.kill()  # SIGKILL: no cleanup runs in the holder
        holder.wait()
    with _build_lock(target):
        pass
