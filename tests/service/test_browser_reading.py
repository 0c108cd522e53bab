"""The reading room in Chromium: follow-ups in context, the reader page, the collection filters.

Screenshots go to $KOTAE_SCREENSHOTS when it is set (for looking at the page, not asserted on).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kotae.service.engine import Engine
from tests.service.chat import ask
from tests.service.live import LiveServer

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KOTAE_SCREENSHOTS")
DOC_2007 = "002_1b2c3951911e05d3.txt"
DOC_TOKYO = "003_398f49884e4d4ebb.txt"


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _cited_docs(page: Page) -> set[str]:
    """The documents the last answer cites, read from its reader links' targets."""
    answer = page.locator(".answer").last
    titles = set(answer.locator(".source-chip .chip-title").all_text_contents())
    assert titles, "the answer cites nothing"
    return titles


def test_follow_up_is_answered_in_context(corpus_engine: Engine, page: Page) -> None:
    docs = corpus_engine.loaded.snapshot.documents
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, "2007年の会合では何が合意された？")
        expect(page.locator(".answer").last.locator(".understood-as")).to_have_count(0)
        ask(page, "その時の日本側の出席者は？")
        answer = page.locator(".answer").last
        expect(answer.locator(".understood-as")).to_contain_text("2007年")
        assert _cited_docs(page) == {docs[DOC_2007].title}
        expect(answer.locator(".answer-text")).to_contain_text("[1]")
        answer.locator(".understood-as").scroll_into_view_if_needed()
        _shot(page, "followup-375")


def test_citation_opens_reader_with_span_in_view(corpus_engine: Engine, page: Page) -> None:
    question = "在日米軍を統合軍司令部に再編する理由は？"
    cited = [c.hit.chunk for c in corpus_engine.ask(question).citations]
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, question)
        answer = page.locator(".answer").last
        answer.locator("button.cite").first.click()
        n = int(answer.locator("button.cite").first.get_attribute("data-n") or "1")
        with page.context.expect_page() as opened:
            answer.locator("a.full-doc").click()
        reader = opened.value
        chunk = cited[n - 1]
        first = reader.locator("mark.cited").first
        expect(first).to_be_visible(timeout=10_000)
        expect(first).to_be_in_viewport()
        marked = "".join(reader.locator("mark.cited").all_text_contents())
        assert marked == chunk.text.replace("\n", "")
        expect(reader.locator("#doc-source")).to_have_text(chunk.doc_id)
        same_doc = [c for c in cited if c.doc_id == chunk.doc_id and c.start != chunk.start]
        assert reader.locator("mark.other").count() >= len(same_doc)
        assert reader.url.endswith(f"#{chunk.start}-{chunk.end}") or "&cited=" in reader.url
        _shot(reader, "reader-375")
        reader.set_viewport_size({"width": 1100, "height": 800})
        _shot(reader, "reader-desktop")
        reader.close()


def test_document_and_date_filters_change_the_sources(corpus_engine: Engine, page: Page) -> None:
    docs = corpus_engine.loaded.snapshot.documents
    question = "日米の外相と防衛相は誰でしたか？"
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, question)
        unfiltered = _cited_docs(page)
        assert len(unfiltered) > 1

        page.click("#collection-toggle")
        expect(page.locator(".doc-item")).to_have_count(len(docs), timeout=10_000)
        page.locator(f".doc-item input[value='{DOC_TOKYO}']").check()
        expect(page.locator(".filter-chip")).to_have_count(1)
        _shot(page, "collection-375")
        page.click("#collection-toggle")
        ask(page, question)
        assert _cited_docs(page) == {docs[DOC_TOKYO].title}

        page.locator(".filter-chip .chip-remove").click()
        expect(page.locator(".filter-chip")).to_have_count(0)
        page.click("#collection-toggle")
        page.fill("#date-from", "2007-01-01")
        page.fill("#date-to", "2007-12-31")
        page.locator("#date-to").dispatch_event("change")
        expect(page.locator(".filter-chip")).to_have_count(1)
        page.click("#collection-toggle")
        ask(page, question)
        dates = page.locator(".answer").last.locator(".source-chip .chip-date").all_text_contents()
        assert dates and all(d.startswith("2007") for d in dates), dates
        assert _cited_docs(page) != unfiltered
        _shot(page, "filters-375")


def test_reader_counts_code_points_and_dims_furniture(corpus_engine: Engine, page: Page) -> None:
    """Offsets are Python code points: an emoji before the span must not shift the mark."""
    doc = {
        "doc_id": "x.txt",
        "title": "<i>t</i>",
        "date": None,
        "text": "😀ab\ncdef\nghij",
        "furniture": [[9, 13]],
    }
    with LiveServer(corpus_engine) as url:
        page.route(
            "**/api/documents/x.txt",
            lambda route: route.fulfill(json=doc),
        )
        page.goto(f"{url}/documents/x.txt#1-3&cited=4-6")
        expect(page.locator("mark.cited")).to_have_text("ab")
        expect(page.locator("mark.other")).to_have_text("cd")
        expect(page.locator(".furniture")).to_have_text("ghij")
        expect(page.locator("#doc-title")).to_have_text("<i>t</i>")
        assert page.locator("#doc-title i").count() == 0
        page.goto(f"{url}/documents/no-such.txt")
        expect(page.locator("#reader-status")).to_contain_text("404")


def test_filters_work_from_the_keyboard(corpus_engine: Engine, page: Page) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        page.focus("#question")
        page.keyboard.press("Shift+Tab")  # the collection comes just before the question
        expect(page.locator("#collection-toggle")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#collection-toggle")).to_have_attribute("aria-expanded", "true")
        first_box = page.locator(".doc-item input").first
        expect(first_box).to_be_visible(timeout=10_000)
        for _ in range(10):  # the two date fields, then the first document
            page.keyboard.press("Tab")
            if first_box.evaluate("el => el === document.activeElement"):
                break
        expect(first_box).to_be_focused()
        page.keyboard.press("Space")
        chip = page.locator(".filter-chip")
        expect(chip).to_have_count(1)
        remove = chip.locator(".chip-remove")
        expect(remove).to_have_attribute("aria-label", re.compile("絞り込みを外す"))
        remove.focus()
        page.keyboard.press("Enter")
        expect(chip).to_have_count(0)
        expect(first_box).not_to_be_checked()
        expect(page.locator("#question")).to_be_focused()
