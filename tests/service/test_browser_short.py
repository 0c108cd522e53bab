"""The chat page shows the short answer above the quotes and marks it inside its sentence."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.service.live import LiveServer
from tests.service.test_browser import browser_page, pytestmark  # noqa: F401 (fixture, marker)

DOCUMENT = (
    "日米安全保障協議委員会は1960年1月19日に設置された。外務大臣と防衛大臣が日本側から出席する。\n"
)
QUESTION = "日米安全保障協議委員会が設置されたのはいつ？"


def test_short_answer_is_shown_marked_and_opens_its_passage(
    tmp_path: Path,
    embedder: Embedder,
    browser_page: Page,  # noqa: F811
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scc.txt").write_text(DOCUMENT, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", min_score=0.0)
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    short = engine.ask(QUESTION).short
    assert short is not None and short.text == "1960年1月19日"
    page = browser_page
    with LiveServer(engine) as url:
        page.goto(url)
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        answer = page.locator(".answer").last
        shown = answer.locator(".short-answer-text")
        expect(shown).to_have_text(short.text, timeout=20_000)
        mark = answer.locator(".answer-text mark.short-mark")
        expect(mark).to_have_text(short.text)
        box = shown.bounding_box()
        text_box = answer.locator(".answer-text").bounding_box()
        assert box is not None and text_box is not None and box["y"] < text_box["y"]
        shown.click()
        passage = answer.locator(".passage")
        expect(passage).to_be_visible()
        expect(passage.locator("mark")).to_contain_text(short.text)
