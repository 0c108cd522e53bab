"""`kotae serve` listens at once and builds a missing or stale index behind it."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kotae.index.embedders import Embedder
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index, write_small_corpus
from tests.service.live import free_port

QUESTION = "普天間飛行場の移設先は？"


def _poll(get: Any, until: Any, seconds: float = 600) -> list[httpx.Response]:
    seen = []
    deadline = time.monotonic() + seconds
    while True:
        try:
            r = get()
            seen.append(r)
            if until(r):
                return seen
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, [x.text for x in seen[-3:]]
        time.sleep(0.05)


def test_kotae_serve_listens_before_the_index_is_built(tmp_path: Path) -> None:
    corpus = write_small_corpus(tmp_path / "corpus")
    port = free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "kotae.cli.main", "serve", "--port", str(port)]
        + ["--corpus", str(corpus), "--index-dir", str(tmp_path / "idx" / "index")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            seen = _poll(lambda: c.get("/readyz"), lambda r: r.status_code == 200)
            assert seen[0].status_code == 503, "ready before any index was built?"
            building = [r.json()["build"] for r in seen if r.status_code == 503]
            assert all(b["state"] in ("loading", "checking", "building") for b in building)
            progress = [b for b in building if b["state"] == "building"]
            assert progress, "the build's progress was never shown"
            assert progress[-1]["total"] > 0 and "texts embedded" in progress[-1]["detail"]
            assert [b["embedded"] for b in progress] == sorted(b["embedded"] for b in progress)
            assert seen[-1].json()["build"]["state"] == "done"
            assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
    finally:
        server.terminate()
        server.wait(30)


def test_a_stale_index_is_served_while_the_new_one_builds(
    tmp_path: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    corpus = Path(shutil.copytree(small_index.corpus, tmp_path / "corpus"))
    (corpus / "追加.txt").write_text("嘉手納以南の土地の返還について合意した。", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "idx" / "index", corpus_dir=corpus, replace_index=True)
    point_index(settings.index_dir, small_index.version)  # an index of another (copied) folder
    with TestClient(create_app(settings, Engine(settings, embedder), build=True)) as c:
        first = _poll(lambda: c.get("/readyz"), lambda r: r.status_code == 200)[-1]
        if first.json()["build"]["state"] != "done":  # served the old version meanwhile
            assert first.json()["documents"] == 2
            assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
        done = _poll(lambda: c.get("/readyz"), lambda r: r.json()["build"]["state"] == "done")
        assert done[-1].json()["documents"] == 3
        assert c.get("/api/documents/追加.txt").status_code == 200


def test_any_failure_ends_the_build_with_the_reason_and_the_fix(
    tmp_path: Path,
    small_index: BuiltIndex,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A missing runtime package (scipy, issue 25) killed the build thread: /readyz said
    "building … 333 of 333" with no error for as long as anyone waited."""

    def missing_package(*_: Any, **__: Any) -> bool:
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    settings = Settings(index_dir=tmp_path / "idx" / "index", corpus_dir=small_index.corpus)
    engine = Engine(settings, embedder)
    monkeypatch.setattr(engine, "ensure_index", missing_package)
    with (
        caplog.at_level(logging.INFO, logger="kotae"),
        TestClient(create_app(settings, engine, build=True)) as c,
    ):
        failed = lambda r: r.json()["build"]["state"] == "failed"  # noqa: E731
        seen = _poll(lambda: c.get("/readyz"), failed, seconds=60)
        assert seen[-1].status_code == 503
        build = seen[-1].json()["build"]
        assert "No module named 'scipy'" in build["error"] and "setup.sh" in build["error"]
        assert "failed" in build["detail"]
        asked = c.post("/api/ask", json={"question": QUESTION})
        assert asked.status_code == 503 and "scipy" in asked.text
    failures = [r for r in caplog.records if "index build failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
