"""What a new user ran into on the chat page, at phone width: chips, bad input, new chats."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kotae.service.engine import Engine
from tests.service.chat import ask
from tests.service.live import LiveServer

pytestmark = pytest.mark.browser
QUESTION = "普天間飛行場の移設先は？"


def test_sources_list_quoted_passages_first_on_one_line_each(
    corpus_engine: Engine, page: Page
) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, QUESTION)
        answer = page.locator(".answer").last
        cited: list[str] = []
        for n in answer.locator(".answer-text button.cite").evaluate_all(
            "bs => bs.map(b => b.dataset.n)"
        ):
            if n not in cited:
                cited.append(n)
        sources = answer.locator(".sources:not(.also-retrieved) .source-chip")
        assert sources.evaluate_all("cs => cs.map(c => c.dataset.n)") == cited
        others = answer.locator(".sources.also-retrieved .source-chip")
        assert sources.count() + others.count() == len(corpus_engine.ask(QUESTION).citations)
        for number in answer.locator(".chip-n").all():  # "[2]", never "[2" over "]"
            box = number.bounding_box()
            assert box is not None and box["height"] < 1.5 * box["width"]
        chip = sources.first
        chip.focus()
        page.keyboard.press("Enter")
        answer.locator(".passage .close-button").click()
        expect(answer.locator(".passage")).to_have_count(0)
        expect(chip).to_be_focused()  # focus back where the reader was, not lost to <body>


def test_bad_questions_are_refused_in_the_page_language(corpus_engine: Engine, page: Page) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        notice = page.locator("#composer-notice")
        page.fill("#question", "？？？！！")
        page.press("#question", "Enter")
        expect(notice).to_contain_text("記号だけでは")
        page.locator(".lang-button[data-lang=en]").click()
        expect(notice).to_contain_text("punctuation alone")
        long = "あ" * 1999 + "𠮷𠮷"  # 2001 code points; JS's .length would say 2003
        page.fill("#question", long)
        page.press("#question", "Enter")
        expect(notice).to_contain_text("2000 characters")
        expect(page.locator("#question")).to_have_value(long)  # kept, to be shortened
        assert page.locator(".message").count() == 0  # nothing was sent
        page.fill("#question", "あ" * 1998 + "𠮷𠮷")  # 2000: allowed
        expect(notice).to_be_hidden()  # typing clears it
        page.press("#question", "Enter")
        expect(page.locator(".message.answer, .message.error")).to_have_count(1, timeout=30_000)
        expect(page.locator(".message.error")).to_have_count(0)
        # Japanese text on the English page is marked Japanese (screen readers, CJK glyphs).
        expect(page.locator(".user-text")).to_have_attribute("lang", "ja")
        expect(page.locator(".answer-text")).to_have_attribute("lang", "ja")


def test_new_chat_forgets_the_earlier_questions(corpus_engine: Engine, page: Page) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, QUESTION)
        with page.expect_request("**/api/ask") as asked:
            ask(page, "その時の出席者は？")
        assert asked.value.post_data_json["history"] == [QUESTION]
        page.locator("#new-chat").click()
        expect(page.locator(".message")).to_have_count(0)
        expect(page.locator(".empty-hint")).to_be_visible()
        with page.expect_request("**/api/ask") as fresh:
            ask(page, "ゴミの日は？")
        assert "history" not in fresh.value.post_data_json
        expect(page.locator(".understood-as")).to_have_count(0)
        page.locator("#collection-toggle").click()
        page.locator(".doc-item input").first.check()
        ask(page, "寿司の握り方のコツは？")  # not found, maybe only because of the filter
        expect(page.locator(".answer").last.locator(".filters-hint")).to_be_visible()
        reader = page.context.new_page()
        reader.goto(url + "/documents/no-such-doc.txt")
        expect(reader.locator("#reader-status")).to_contain_text("404")
        expect(reader.locator("#doc-text")).to_be_hidden()  # no empty text box under the error
        doc_id = next(iter(corpus_engine.loaded.snapshot.documents))
        reader.goto(f"{url}/documents/{doc_id}#2000-2100")
        summary = reader.locator("#cited-summary")
        expect(summary.locator("button")).to_be_visible(timeout=10_000)
        assert "2000" not in summary.inner_text()  # no code-point offsets shown to a reader
        reader.evaluate("window.scrollTo(0, 0)")
        summary.locator("button").click()
        expect(reader.locator("mark.cited").first).to_be_in_viewport()
