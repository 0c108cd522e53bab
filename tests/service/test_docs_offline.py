"""/docs renders offline in Chromium from packaged files, with the security headers on."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Request, expect, sync_playwright

from kotae.index.embedders import Embedder
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index
from tests.service.live import LiveServer
from tests.service.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser


def test_api_docs_render_offline_with_no_external_request(
    tmp_path: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=small_index.corpus)
    point_index(settings.index_dir, small_index.version)
    engine = Engine(settings, embedder)
    engine.load()
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    requests: list[str] = []
    problems: list[str] = []

    def on_console(m: ConsoleMessage) -> None:
        if m.type == "error":
            problems.append(m.text)

    with LiveServer(engine) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", on_console)
        # Anything not from the server fails, as it would on an offline machine.
        page.route(
            "**/*",
            lambda route, request: (
                route.continue_() if _local(request, url) else route.abort("internetdisconnected")
            ),
        )
        page.goto(f"{url}/docs")
        expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible(
            timeout=30_000
        )
        expect(page.locator(".swagger-ui")).to_contain_text("/api/ask")
        page.locator(".opblock-summary-path", has_text="/api/search").first.click()
        expect(page.locator(".swagger-ui .parameters").first).to_be_visible()
        page.goto(url)  # the chat page under the same policy
        expect(page.locator("#question")).to_be_visible()
        browser.close()
    external = [r for r in requests if not r.startswith(url) and not r.startswith("data:")]
    assert external == []
    assert [r for r in requests if "/docs-assets/swagger-ui-bundle.js" in r]
    assert not [m for m in problems if "Content Security Policy" in m], problems


def _local(request: Request, url: str) -> bool:
    return request.url.startswith(url) or request.url.startswith("data:")
