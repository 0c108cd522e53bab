"""The chat page in Debian's headless Chromium (never a downloaded one), on a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.service.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="ja-JP")
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page
        browser.close()


def _ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    page.press("#question", "Enter")


def test_ask_see_answer_click_citation_see_passage(
    corpus_engine: Engine, browser_page: Page
) -> None:
    page = browser_page
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        _ask(page, "普天間飛行場の移設先は？")
        answer = page.locator(".answer").last
        expect(answer.locator(".answer-text")).to_be_visible(timeout=20_000)
        expect(page.locator(".thinking")).to_have_count(0)
        cite = answer.locator("button.cite").first
        expect(cite).to_be_visible()
        cite.click()
        passage = answer.locator(".passage")
        expect(passage).to_be_visible()
        n = int(cite.get_attribute("data-n") or "1")
        cited = corpus_engine.ask("普天間飛行場の移設先は？").citations[n - 1].hit.chunk
        expect(passage).to_contain_text(cited.text[:20])
        expect(passage.locator("mark")).to_have_count(1)
        with page.context.expect_page() as opened:
            answer.locator("a.full-doc").click()
        reader = opened.value
        marks = reader.locator("mark.cited")
        expect(marks.first).to_be_visible(timeout=10_000)
        assert "".join(marks.all_text_contents()) == "".join(cited.text.split("\n"))
        reader.close()


def test_document_markup_is_shown_as_text(
    tmp_path: Path, embedder: Embedder, browser_page: Page
) -> None:
    corpus = tmp_path / "xss"
    corpus.mkdir()
    hostile = (
        "危険な文書 <img src=x onerror=alert(1)> について。"
        "<script>alert('xss')</script> という文字列を含む報告書です。"
    )
    (corpus / "hostile <b>.txt").write_text(hostile, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", min_score=0.0)
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    page = browser_page
    with LiveServer(engine) as url:
        page.goto(url)
        _ask(page, "危険な文書について教えて")
        answer = page.locator(".answer").last
        expect(answer.locator("button.cite").first).to_be_visible(timeout=20_000)
        expect(answer.locator(".answer-text")).to_contain_text("<img src=x onerror=alert(1)>")
        answer.locator("button.cite").first.click()
        expect(answer.locator(".passage")).to_contain_text("<script>alert('xss')</script>")
        with page.context.expect_page() as opened:
            answer.locator("a.full-doc").click()
        reader = opened.value
        reader_dialogs: list[str] = []
        reader.on("dialog", lambda d: (reader_dialogs.append(d.message), d.dismiss()))
        expect(reader.locator("#doc-text")).to_contain_text("<img src=x onerror=alert(1)>")
        expect(reader.locator("#doc-source")).to_have_text("hostile <b>.txt")
        assert reader.locator("img[src=x]").count() == 0
        assert reader.locator("#doc-text script").count() == 0
        reader.close()
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("#conversation script").count() == 0
        assert page.dialogs == reader_dialogs == []  # type: ignore[attr-defined]


def test_not_found_shows_the_closest_passages_marked_as_such(
    corpus_engine: Engine, browser_page: Page
) -> None:
    page = browser_page
    question = "寿司の握り方のコツは？"
    expected = corpus_engine.ask(question)
    assert not expected.found and expected.citations
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        _ask(page, question)
        answer = page.locator(".answer").last
        expect(answer.locator(".answer-text")).to_be_visible(timeout=20_000)
        expect(answer).to_have_class(re.compile(r"\bnot-found\b"))
        expect(answer.locator(".answer-text")).to_contain_text("見つかりませんでした")
        expect(answer.locator(".answer-text button.cite")).to_have_count(0)
        closest = answer.locator(".sources.closest")
        expect(closest.locator(".sources-heading")).to_contain_text("最も近い箇所")
        expect(closest.locator(".source-chip")).to_have_count(len(expected.citations))
        closest.locator(".source-chip").first.click()
        expect(answer.locator(".passage")).to_contain_text(
            expected.citations[0].hit.chunk.text[:20]
        )
