"""The first build, as the chat page shows it at phone size: progress in the page's language, a
question asked meanwhile answered when the index is ready, a failed build said plainly."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from kotae.index.embedders import Embedder
from kotae.service.api import app as app_module
from kotae.service.api.app import create_app
from kotae.service.api.background import BackgroundBuild
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index
from tests.service.chat import ask
from tests.service.live import LiveServer

pytestmark = pytest.mark.browser
QUESTION = "普天間飛行場の移設先は？"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class HeldBuild(BackgroundBuild):
    """The server's first build, moved along by the test instead of a thread: no waiting on a
    real embedder, and every state the page can see, on cue."""

    version: Path  # the index that "finishing" the build publishes

    def start(self) -> threading.Thread:
        return threading.Thread()  # never started: the test calls the steps

    def finish(self) -> None:
        point_index(self.engine.settings.index_dir, self.version)
        self.engine.load()
        self._set(state="done")

    def fail(self, error: str) -> None:
        self._set(state="failed", error=error)


@pytest.fixture
def first_build(
    tmp_path: Path, small_index: BuiltIndex, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, HeldBuild]]:
    """A live server with no index yet, whose build the test drives."""
    settings = Settings(
        corpus_dir=small_index.corpus, index_dir=tmp_path / "idx" / "index", reload_interval=0
    )
    monkeypatch.setattr(app_module, "BackgroundBuild", HeldBuild)
    app = create_app(settings, Engine(settings, embedder), build=True)
    with LiveServer(app=app) as url:
        build: HeldBuild = app.state.build
        build.version = small_index.version
        yield url, build


def test_progress_is_shown_and_a_question_asked_meanwhile_is_answered(
    first_build: tuple[str, HeldBuild], page: Page
) -> None:
    url, build = first_build
    build(total=333)
    build.update(112)
    page.goto(url)
    status = page.locator("#build-status")
    expect(status).to_contain_text("索引を作成中：333 件中 112 件を処理済み")
    expect(status.locator("progress")).to_have_js_property("value", 112)
    expect(status.locator("progress")).to_have_js_property("max", 333)
    page.fill("#question", QUESTION)
    page.press("#question", "Enter")
    expect(page.locator(".thinking")).to_contain_text("索引の準備ができしだいお答えします")
    build.update(88)
    expect(status).to_contain_text("333 件中 200 件")
    conversation = page.locator("#conversation")
    assert not LATIN_WORD.search(status.inner_text() + conversation.inner_text())
    page.locator(".lang-button[data-lang=en]").click()
    expect(status).to_contain_text("Building the index: 200 of 333 texts embedded")
    page.locator(".lang-button[data-lang=ja]").click()
    build.finish()  # answered by itself: no second click
    expect(page.locator(".answer")).to_have_count(1, timeout=30_000)
    expect(status).to_be_hidden()
    expect(page.locator(".message.error")).to_have_count(0)
    expect(page.locator(".message.user")).to_have_count(1)


def test_a_failed_build_is_said_in_the_page_language(
    first_build: tuple[str, HeldBuild], page: Page
) -> None:
    url, build = first_build
    build(total=333)
    build.update(16)
    build.fail("no documents found in /srv/corpus")
    page.goto(url)
    status = page.locator("#build-status")
    expect(status).to_contain_text("索引を作成できませんでした。")
    expect(status).to_contain_text("no documents found in /srv/corpus")  # the server's reason
    expect(status.locator("progress")).to_have_count(0)
    page.fill("#question", QUESTION)
    page.press("#question", "Enter")
    error = page.locator(".message.error")
    expect(error).to_contain_text("エラー: 索引を作成できませんでした。")
    assert "not ready" not in error.inner_text() and "HTTP" not in error.inner_text()
    page.locator(".lang-button[data-lang=en]").click()
    expect(status).to_contain_text("The index could not be built.")
    expect(error).to_contain_text("Error: The index could not be built.")


def test_http_errors_are_framed_in_the_page_language(
    first_build: tuple[str, HeldBuild], page: Page
) -> None:
    url, build = first_build
    build.finish()
    page.goto(url)
    said = {
        422: "サーバーがこの質問を受け付けませんでした。",
        500: "サーバーでエラーが起きました。",
        503: "サーバーの準備ができていません。",
    }
    for shown, (status, framing) in enumerate(said.items(), start=1):
        page.route("**/api/ask", _failing(status))
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        expect(page.locator(".message.error")).to_have_count(shown)
        error = page.locator(".message.error").last
        expect(error.locator(".error-message")).to_contain_text(framing)
        expect(error).to_contain_text(f"(HTTP {status})")
        expect(error.locator(".error-detail")).to_contain_text("詳細: upstream said no")
        page.unroute("**/api/ask")
    ask(page, QUESTION)  # and with the server answering again, an answer


def _failing(status: int) -> Callable[[Route], None]:
    """A route handler: the server's answer to /api/ask is this HTTP error."""
    return lambda route: route.fulfill(status=status, json={"detail": "upstream said no"})
