"""Follow-ups rewritten by the configured LLM (the scripted fake), with the rule-based fallback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_llm import MODEL, FakeLLM, Script
from fastapi.testclient import TestClient

from kotae.service.api.app import create_app
from kotae.service.engine import Engine

FIRST = "2007年の会合では何が合意された？"
FOLLOW_UP = "その時の日本側の出席者は？"
REWRITTEN = "2007年5月の2+2会合の日本側の出席者は？"
DOC_2007 = "002_1b2c3951911e05d3.txt"


@pytest.fixture(scope="module")
def client(corpus_engine: Engine, fake: FakeLLM) -> Iterator[TestClient]:
    update = {"llm_base_url": fake.url, "llm_model": MODEL, "llm_timeout": 2.0}
    with TestClient(
        create_app(corpus_engine.settings.model_copy(update=update), corpus_engine)
    ) as c:
        yield c


def _ask(client: TestClient, question: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_llm_rewrites_a_follow_up(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text=f"「{REWRITTEN}」")
    fake.requests.clear()
    body = _ask(client, FOLLOW_UP, history=[FIRST])
    assert body["understood_as"] == REWRITTEN
    prompt = fake.requests[0]["messages"]
    assert FIRST in prompt[1]["content"] and FOLLOW_UP in prompt[1]["content"]
    assert body["citations"][0]["doc_id"] == DOC_2007  # type: ignore[index]


def test_a_self_contained_question_never_reaches_the_llm(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text="回答です[1]。")
    fake.requests.clear()
    body = _ask(client, "普天間飛行場の移設先は？", history=[FIRST])
    assert body["understood_as"] is None
    assert len(fake.requests) == 1  # the answer, not a rewrite


@pytest.mark.parametrize("script", [Script(status=500), Script(text="x" * 400)])
def test_a_failed_or_unusable_rewrite_falls_back_to_carried_words(
    client: TestClient, fake: FakeLLM, script: Script
) -> None:
    fake.script = script
    body = _ask(client, FOLLOW_UP, history=[FIRST])
    assert str(body["understood_as"]).startswith(f"{FOLLOW_UP}（2007年")


def test_extractive_mode_does_not_ask_the_llm(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text=REWRITTEN)
    fake.requests.clear()
    body = _ask(client, FOLLOW_UP, history=[FIRST], mode="extractive")
    assert str(body["understood_as"]).startswith(f"{FOLLOW_UP}（2007年")
    assert fake.requests == []


class _Reply:
    """An LLM client that answers every prompt with one fixed text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def complete(self, messages: object) -> str:
        return self.text


def test_the_llm_rewrite_is_searched_as_written_whatever_the_narrowing() -> None:
    from kotae.index.lexical import JapaneseTokenizer
    from kotae.index.search import Filters
    from kotae.service.rewrite import resolve_with_llm

    r = resolve_with_llm(_Reply(REWRITTEN), FOLLOW_UP, [FIRST], JapaneseTokenizer())  # type: ignore[arg-type]
    assert r.understood_as == REWRITTEN and r.carried == ()
    assert r.search_text(Filters(frozenset({DOC_2007})), lambda d: "2007年 会合") == REWRITTEN
