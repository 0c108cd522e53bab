"""The chat page and the reader at phone size (375 × 740): what a reader sees after each step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.service.chat import ask
from tests.service.live import LiveServer

pytestmark = pytest.mark.browser
QUESTION = "日米安全保障協議委員会が設置されたのはいつ？"  # a long answer with a short one (答え)


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_answer_opens_at_its_question_not_its_end(corpus_engine: Engine, page: Page) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        ask(page, QUESTION)
        view = page.locator("#conversation").bounding_box()
        answer = page.locator(".answer").last.bounding_box()
        question = page.locator(".message.user").last.bounding_box()
        chip = page.locator(".answer .short-answer").bounding_box()
        assert view and answer and question and chip
        assert answer["height"] > view["height"], "the answer fits: nothing to check"
        assert question["y"] >= view["y"], "the question is scrolled off the top"
        assert chip["y"] + chip["height"] <= view["y"] + view["height"], "答え is out of view"


def test_focus_on_the_question_box_is_one_calm_ring(corpus_engine: Engine, page: Page) -> None:
    with LiveServer(corpus_engine) as url:
        page.goto(url)
        page.locator("#collection-toggle").focus()
        page.keyboard.press("Tab")  # as a keyboard user reaches it
        expect(page.locator("#question")).to_be_focused()
        style = page.locator("#question").evaluate(
            """e => { const s = getComputedStyle(e);
                      const bg = getComputedStyle(e.parentElement).backgroundColor;
                      return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                              s.borderTopColor, bg]; }"""
        )
        outline, width, color, shadow, border, background = style
        assert outline == "solid" and float(width.removesuffix("px")) >= 2, style  # visible
        assert shadow == "none", style  # one ring, not two
        for css in (color, border):
            r, g, b = _rgb(css)
            assert r - max(g, b) < 32, f"{css} reads as red, an error: {style}"
        assert _contrast(_rgb(color), _rgb(background)) >= 3, style  # WCAG 1.4.11


def test_reader_shows_a_long_cited_passage_from_its_first_line(
    tmp_path: Path, embedder: Embedder, page: Page
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    before = "".join(f"{n}. 前置きの段落です。\n" for n in range(40))
    cited = "普天間飛行場の移設について協議した。" * 60  # one paragraph taller than the phone
    (corpus / "long.txt").write_text(before + cited + "\n結びの段落です。\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    text = engine.loaded.snapshot.documents["long.txt"].text
    start = text.index(cited)
    with LiveServer(engine) as url:
        page.goto(f"{url}/documents/long.txt#{start}-{start + len(cited)}")
        mark = page.locator("mark.cited").first
        expect(mark).to_be_focused()  # scrolled and focused
        header, line, height = mark.evaluate(
            """m => [document.querySelector('.reader-header').getBoundingClientRect().bottom,
                     m.getClientRects()[0], window.innerHeight]"""
        )
        assert line["top"] >= header, f"the first cited line is under the header: {line}"
        assert line["bottom"] <= height, f"the first cited line is below the screen: {line}"
        assert line["top"] <= header + 100, "scrolled past where the passage starts"
