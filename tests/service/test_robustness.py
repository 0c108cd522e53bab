"""Serving through index updates, broken versions, bad credentials, huge bodies, other origins.

Real uvicorn on loopback, the real model and real indexes (the session's corpus index and the
small two-document one); index versions are switched exactly as `kotae index` does it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kotae.index.embedders import Embedder
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index
from tests.service.live import LiveServer

TOKEN = "s3cret-admin-token"
QUESTIONS = [
    "普天間飛行場の移設先は？",
    "２＋２の正式名称は？",
    "Who attended from the US side in May 2007?",
    "外務大臣は誰？",
]
CLIENTS, REQUESTS_EACH, RELOADS = 4, 60, 3


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        index_dir=tmp_path / "idx" / "index", corpus_dir=tmp_path / "corpus", **overrides
    )


def _engine(settings: Settings, embedder: Embedder, version: Path) -> Engine:
    point_index(settings.index_dir, version)
    engine = Engine(settings, embedder)
    engine.load()
    return engine


def _wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_no_request_fails_while_the_index_is_reloaded(
    tmp_path: Path, corpus_engine: Engine, small_index: BuiltIndex, embedder: Embedder
) -> None:
    """4 clients × 60 requests while the served version flips corpus ↔ small 3 times."""
    full = Path(os.path.realpath(corpus_engine.settings.index_dir))
    settings = _settings(tmp_path, admin_token=TOKEN, reload_interval=0)
    engine = _engine(settings, embedder, full)
    lock = threading.Lock()
    failures: list[str] = []
    answered = Counter[str]()
    documents_seen: set[int] = set()

    def client(url: str, n: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as c:
            for i in range(REQUESTS_EACH):
                q, kind = QUESTIONS[(n + i) % len(QUESTIONS)], ("ask", "search", "ready")[i % 3]
                try:
                    if kind == "ask":
                        r = c.post("/api/ask", json={"question": q, "top_k": 3})
                    elif kind == "search":
                        r = c.get("/api/search", params={"q": q, "k": 5})
                    else:
                        r = c.get("/readyz")
                except httpx.HTTPError as e:
                    with lock:
                        failures.append(f"{kind}: {type(e).__name__} {e}")
                    continue
                with lock:
                    answered[kind] += 1
                    if r.status_code != 200:
                        failures.append(f"{kind}: {r.status_code} {r.text[:300]}")
                    elif kind == "ready":
                        documents_seen.add(r.json()["documents"])

    started = time.monotonic()
    with LiveServer(engine) as url, httpx.Client(base_url=url, timeout=120) as admin:
        threads = [threading.Thread(target=client, args=(url, n)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        total = CLIENTS * REQUESTS_EACH
        reloads = []
        for k, version in enumerate([small_index.version, full, small_index.version]):
            _wait_for(
                lambda k=k: sum(answered.values()) >= (k + 1) * total // (RELOADS + 1),
                240,
                "requests to progress",
            )
            point_index(settings.index_dir, version)
            r = admin.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
            reloads.append((r.status_code, r.json()))
        for t in threads:
            t.join(timeout=max(1.0, 300 - (time.monotonic() - started)))
        assert not any(t.is_alive() for t in threads), "load test exceeded its time bound"
    print(
        f"\nload during reload: {sum(answered.values())} answered, {len(failures)} failed, "
        f"{len(reloads)} reloads, {time.monotonic() - started:.1f} s"
    )
    assert failures == []
    assert sum(answered.values()) == total
    assert [status for status, _ in reloads] == [200] * RELOADS
    assert all(body["changed"] for _, body in reloads)
    assert documents_seen == {len(corpus_engine.loaded.snapshot.documents), 2}
    assert engine.loaded.snapshot.path == small_index.version


def test_a_kotae_index_run_is_picked_up_without_restart(
    tmp_path: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, reload_interval=0.2)
    engine = _engine(settings, embedder, small_index.version)
    corpus = shutil.copytree(small_index.corpus, tmp_path / "corpus")
    (corpus / "新しい 報告.md").write_text(
        "# 新しい報告\n北海道の矢臼別演習場で日米の共同訓練が行われた。", encoding="utf-8"
    )
    with LiveServer(engine) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert c.get("/readyz").json()["documents"] == 2
        run = subprocess.run(
            [sys.executable, "-m", "kotae.cli.main", "index", str(corpus)]
            + ["--index-dir", str(settings.index_dir), "--replace"],  # a copied folder
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr
        _wait_for(lambda: c.get("/readyz").json()["documents"] == 3, 30, "the new version")
        hits = c.get("/api/search", params={"q": "矢臼別演習場", "k": 1}).json()["citations"]
        assert hits[0]["doc_id"] == "新しい 報告.md"
        assert c.get("/api/documents/新しい 報告.md").status_code == 200


def test_a_broken_version_is_refused_and_the_old_one_kept(
    tmp_path: Path,
    small_index: BuiltIndex,
    embedder: Embedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings(tmp_path, admin_token=TOKEN, reload_interval=0.1)
    engine = _engine(settings, embedder, small_index.version)
    broken = Path(shutil.copytree(small_index.version, tmp_path / "idx" / "index.vbroken"))
    (broken / "chunks.faiss").write_bytes(b"not a faiss index")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with LiveServer(engine) as url, httpx.Client(base_url=url, timeout=60) as c:
        point_index(settings.index_dir, broken)
        _wait_for(lambda: "still serving the previous one" in caplog.text, 30, "the watch")
        assert "chunks.faiss" in caplog.text
        time.sleep(0.5)  # five more ticks of the watch: the same broken version is not retried
        assert caplog.text.count("new index not loaded") == 1
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["documents"] == 2
        assert c.post("/api/ask", json={"question": QUESTIONS[0]}).status_code == 200
        r = c.post("/api/admin/reload", headers=auth)
        assert r.status_code == 409
        assert "chunks.faiss" in r.json()["detail"] and "kotae index" in r.json()["detail"]
        assert engine.loaded.snapshot.path == small_index.version
        good = Path(shutil.copytree(small_index.version, tmp_path / "idx" / "index.vgood"))
        point_index(settings.index_dir, good)
        _wait_for(lambda: engine.loaded.snapshot.path == good, 30, "the repaired version")
        assert c.get("/readyz").status_code == 200


def test_corrupt_index_at_start_up_is_503_with_the_file_named(
    tmp_path: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    settings = _settings(tmp_path)
    broken = Path(shutil.copytree(small_index.version, tmp_path / "idx" / "index.vbroken"))
    documents = broken / "documents.json"
    documents.write_bytes(documents.read_bytes()[:100])
    point_index(settings.index_dir, broken)
    with TestClient(create_app(settings, Engine(settings, embedder))) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503
        assert "documents.json" in r.json()["detail"] and "kotae index" in r.json()["detail"]


@pytest.fixture
def small_engine(tmp_path: Path, small_index: BuiltIndex, embedder: Embedder) -> Engine:
    return _engine(_settings(tmp_path, reload_interval=0), embedder, small_index.version)


@contextmanager
def _client(engine: Engine, **overrides: Any) -> Iterator[TestClient]:
    settings = Settings(**{**engine.settings.model_dump(), **overrides})
    with TestClient(create_app(settings, engine)) as c:
        yield c


def test_admin_endpoints_are_off_without_a_token(small_engine: Engine) -> None:
    with _client(small_engine) as c:
        for headers in ({}, {"Authorization": "Bearer anything"}):
            r = c.post("/api/admin/reload", headers=headers)
            assert r.status_code == 403 and "KOTAE_ADMIN_TOKEN" in r.json()["detail"]


def test_admin_endpoints_need_the_token(small_engine: Engine) -> None:
    with _client(small_engine, admin_token=TOKEN) as c:
        for headers in (
            {},
            {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": TOKEN},
            {"Authorization": "Bearer ünïcödé".encode()},
        ):
            r = c.post("/api/admin/reload", headers=headers)
            assert r.status_code == 401, headers
            assert r.headers["www-authenticate"] == "Bearer"
        r = c.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200
        assert r.json() | {"version": ""} == {
            "status": "reloaded",
            "version": "",
            "changed": False,
            "documents": 2,
            "chunks": len(small_engine.loaded.snapshot.chunks),
        }


def test_oversized_bodies_get_413_declared_or_chunked(small_engine: Engine) -> None:
    limit = small_engine.settings.max_body_bytes
    with _client(small_engine) as c:
        r = c.post(
            "/api/ask", content=b"x" * (limit + 1), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413 and "KOTAE_MAX_BODY_BYTES" in r.json()["detail"]
        padded = {"question": "普天間", "doc_ids": ["x" * 1000] * 100}  # valid shape, too big
        assert c.post("/api/ask", json=padded).status_code == 413

    def stream(parts: list[bytes]) -> Iterator[bytes]:
        yield from parts

    with LiveServer(small_engine) as url, httpx.Client(base_url=url, timeout=60) as c:
        r = c.post("/api/ask", content=stream([b"a" * 1024] * (limit // 1024 + 2)))
        assert "content-length" not in r.request.headers  # really sent chunked
        assert r.status_code == 413 and "KOTAE_MAX_BODY_BYTES" in r.json()["detail"]
        body = '{"question": "普天間飛行場の移設先は？", "top_k": 2}'.encode()
        r = c.post(
            "/api/ask",
            content=stream([body[:10], body[10:30], body[30:]]),
            headers={"content-type": "application/json"},
        )
        assert "content-length" not in r.request.headers
        assert r.status_code == 200 and r.json()["citations"]


def test_cors_is_off_by_default(small_engine: Engine) -> None:
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    with _client(small_engine) as c:
        r = c.options("/api/ask", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/healthz", headers={"Origin": "https://elsewhere.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_cors_allows_only_the_configured_origins(small_engine: Engine) -> None:
    ok, other = "https://kotae.example", "https://elsewhere.example"
    with _client(small_engine, cors_origins=[ok]) as c:
        r = c.options("/api/ask", headers={"Origin": ok, "Access-Control-Request-Method": "POST"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ok
        r = c.options(
            "/api/ask", headers={"Origin": other, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/healthz", headers={"Origin": other})
        assert "access-control-allow-origin" not in r.headers
