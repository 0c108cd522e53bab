"""Fixtures the service tests share: one Chromium, one scripted LLM server per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm import FakeLLM, serve
from playwright.sync_api import Browser, Page, sync_playwright

from tests.service.test_browser import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched once per test module (never a downloaded browser)."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh Japanese-locale tab at phone size (375 × 740), closed after the test."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 740})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    """A scripted OpenAI-compatible server (``fake_llm``) on a free local port."""
    llm = FakeLLM()
    with serve(llm.app()) as url:
        llm.url = url + "/v1"
        yield llm
