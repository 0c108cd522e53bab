"""Driving the chat page the way a user does: shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def ask(page: Page, question: str) -> None:
    """Type ``question``, press Enter and wait until its answer is on the page."""
    count = page.locator(".answer").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(page.locator(".answer")).to_have_count(count + 1, timeout=30_000)
