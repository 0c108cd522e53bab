"""Hostile requests: expanding questions, tokens in URLs, unexpected errors, and what every
response carries."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from kotae.index.embedders import Embedder
from kotae.index.lexical import JapaneseTokenizer
from kotae.service.api.app import create_app
from kotae.service.api.middleware import ServerErrors
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index
from tests.service.live import free_port

TOKEN = "tok-Zq81-never-in-a-log"
FDFA_QUESTION = "\ufdfa" * 2000  # NFKC: 36,000 characters, ~66 KB of UTF-8
# A factoid question: the short answer reads it with Sudachi's morphemes, not only its tokens.
LONG_FACTOID = "普天間の移設先は？" + "\ufdfa" * 1991


@pytest.fixture
def engine(tmp_path: Path, small_index: BuiltIndex, embedder: Embedder) -> Engine:
    settings = Settings(
        index_dir=tmp_path / "idx" / "index",
        corpus_dir=small_index.corpus,
        reload_interval=0,
        admin_token=TOKEN,
    )
    point_index(settings.index_dir, small_index.version)
    engine = Engine(settings, embedder)
    engine.load()
    return engine


def test_sudachi_reads_texts_that_expand_past_its_byte_limit() -> None:
    tokenizer = JapaneseTokenizer()
    assert tokenizer.tokens(FDFA_QUESTION) == []  # raised SudachiError before: 66 KB after NFKC
    assert "普天間" in tokenizer.tokens("普天間飛行場。" * 4000)  # 84 KB, read in pieces
    morphemes = tokenizer.morphemes(LONG_FACTOID)  # ~65.5 KB after NFKC: SudachiError
    assert "".join(m.surface() for m in morphemes) == LONG_FACTOID
    assert all(LONG_FACTOID[m.begin() : m.end()] == m.surface() for m in morphemes)


def test_a_question_that_expands_under_nfkc_is_answered_not_500(engine: Engine) -> None:
    with TestClient(create_app(engine.settings, engine)) as c:
        assert c.post("/api/ask", json={"question": FDFA_QUESTION}).status_code == 200
        r = c.post("/api/ask/stream", json={"question": FDFA_QUESTION})
        assert r.status_code == 200 and "event: done" in r.text
        assert c.get("/api/search", params={"q": FDFA_QUESTION}).status_code == 200
        too_long = c.post("/api/ask", json={"question": FDFA_QUESTION + "x"})
        assert too_long.status_code == 422


def test_a_long_factoid_question_on_the_corpus_is_answered_not_500(corpus_engine: Engine) -> None:
    with TestClient(create_app(corpus_engine.settings, corpus_engine)) as c:
        r = c.post("/api/ask", json={"question": LONG_FACTOID})
        assert r.status_code == 200, r.text
        r = c.post("/api/ask/stream", json={"question": LONG_FACTOID})
        assert r.status_code == 200 and "event: done" in r.text, r.text[-500:]


def test_the_admin_token_is_refused_in_the_url(engine: Engine) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(engine.settings, engine)) as c:
        for url in (f"/api/admin/reload?token={TOKEN}", "/api/admin/reload?x=1"):
            for headers in ({}, auth):
                r = c.post(url, headers=headers)
                assert r.status_code == 400 and "Authorization" in r.json()["detail"]
        assert c.post("/api/admin/reload", headers=auth).status_code == 200


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_admin_token_never_reaches_the_access_log(engine: Engine) -> None:
    """A real uvicorn with its access log on: the token sent in the URL is refused and
    blanked in the line; sent in the header, it never was in the line."""
    port = free_port()
    app = create_app(engine.settings, engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    access_log, logger = _Lines(), logging.getLogger("uvicorn.access")
    try:
        while not server.started:
            assert thread.is_alive()
            thread.join(0.05)
        logger.addHandler(access_log)  # after start-up: uvicorn's logging config resets handlers
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            assert c.post(f"/api/admin/reload?token={TOKEN}").status_code == 400
            assert c.post(f"/api/admin/reload?access_token={TOKEN}&a=1").status_code == 400
            r = c.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        logger.removeHandler(access_log)
    admin = [line for line in access_log.lines if "/api/admin/reload" in line]
    assert len(admin) == 3, access_log.lines
    assert all(TOKEN not in line for line in access_log.lines)
    assert "token=[redacted]" in admin[0] and "access_token=[redacted]&a=1" in admin[1]


SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
)


def test_every_response_carries_the_security_headers(engine: Engine) -> None:
    with TestClient(create_app(engine.settings, engine)) as c:
        responses = [
            c.get("/"),
            c.get("/static/app.js"),
            c.get("/docs"),
            c.get("/docs-assets/swagger-ui.css"),
            c.get("/openapi.json"),
            c.get("/healthz"),
            c.get("/api/documents/nope"),
            c.post("/api/ask", json={}),
            c.post("/api/ask", content=b"x" * 70_000),  # the body-size middleware's 413
            c.get("/redoc"),
        ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 404, 422, 413, 404]
    for r in responses:
        missing = [h for h in SECURITY_HEADERS if h not in r.headers]
        assert not missing, (r.url, missing)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    chat, docs = responses[0], responses[2]
    assert "script-src 'self';" in chat.headers["content-security-policy"]
    assert "unsafe-inline" not in chat.headers["content-security-policy"].split("style-src")[0]
    assert "cdn" not in docs.text and "https://" not in docs.text


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the index broke\nTraceback (most recent call last): a forged line")


def test_an_unexpected_error_is_one_clean_500_and_one_log_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine, "ask", _broken)
    monkeypatch.setattr(engine, "search", _broken)
    app = create_app(engine.settings, engine)
    with TestClient(app) as c, caplog.at_level(logging.INFO):
        caplog.clear()
        responses = [
            c.post("/api/ask", json={"question": "普天間の移設先は？"}),
            c.post("/api/ask/stream", json={"question": "普天間の移設先は？"}),
            c.get("/api/search", params={"q": "普天間"}),
        ]
    ids = []
    for r in responses:
        assert r.status_code == 500, r.text
        assert not [h for h in SECURITY_HEADERS if h not in r.headers]
        request_id = r.json()["request_id"]
        assert request_id == r.headers["x-request-id"] and request_id in r.json()["detail"]
        assert "broke" not in r.text  # the client gets the id, not the internals
        ids.append(request_id)
    failed = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(failed) == len(ids) and len(set(ids)) == len(ids)
    for rec, request_id in zip(failed, ids, strict=True):
        line = rec.getMessage()
        assert request_id in line and "RuntimeError: the index broke" in line
        assert "\n" not in line and rec.exc_info is None  # one line, no traceback


def test_an_error_after_the_response_started_ends_it(caplog: pytest.LogCaptureFixture) -> None:
    async def half_a_stream(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"event: token\n\n", "more_body": True})
        raise RuntimeError("broke mid-stream")

    with caplog.at_level(logging.ERROR):
        r = TestClient(ServerErrors(half_a_stream)).get("/api/ask/stream")
    assert r.status_code == 200 and r.text == "event: token\n\n"
    assert [rec.getMessage().count("broke mid-stream") for rec in caplog.records] == [1]
