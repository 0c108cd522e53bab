"""short_answer in /api/ask and in the stream's done event: exact, inside the first quote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kotae.service.api.app import create_app
from kotae.service.engine import Engine

QUESTIONS = [
    "1月にワシントンで開かれた日米2+2は、どのくらいの時間行われましたか？",
    "1月のワシントン会合で、自衛隊施設の整備が進んでいることが歓迎された島はどこ？",
    "事務レベルで続けられてきた日米の拡大抑止協議は、英語の略称で何と呼ばれていますか？",
    "When did the Japanese cabinet adopt the new principles on defense equipment transfer?",
    "2007年の会合に出席したアメリカの閣僚は誰ですか？",
]


@pytest.fixture(scope="module")
def client(corpus_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_engine.settings, corpus_engine)) as c:
        yield c


def check_short(client: TestClient, body: dict[str, Any]) -> None:
    short = body["short_answer"]
    if short is None:
        return
    quote = body["quotes"][0]
    assert short["n"] == quote["n"]
    assert quote["start"] <= short["start"] < short["end"] <= quote["end"]
    text = client.get(f"/api/documents/{short['doc_id']}").json()["text"]
    assert text[short["start"] : short["end"]] == short["text"] != ""


def test_short_answers_are_exact_spans_of_the_first_quote(client: TestClient) -> None:
    shorts = []
    for question in QUESTIONS:
        body = client.post("/api/ask", json={"question": question, "mode": "extractive"}).json()
        check_short(client, body)
        shorts.append(body["short_answer"])
    assert sum(s is not None for s in shorts) >= 3
    assert any(s is not None and "時間" in s["text"] for s in shorts)


def test_why_questions_have_no_short_answer(client: TestClient) -> None:
    body = client.post(
        "/api/ask", json={"question": "在日米軍を統合軍司令部に作り変える必要があるのはなぜ？"}
    ).json()
    assert body["found"] is True and body["short_answer"] is None


def test_the_stream_done_event_carries_it(client: TestClient) -> None:
    question = QUESTIONS[0]
    with client.stream("POST", "/api/ask/stream", json={"question": question}) as response:
        raw = "".join(response.iter_text())
    done = [b for b in raw.split("\n\n") if b.startswith("event: done")]
    assert len(done) == 1
    data = json.loads(done[0].split("data: ", 1)[1])
    assert (
        data["short_answer"]
        == client.post("/api/ask", json={"question": question}).json()["short_answer"]
    )
    check_short(client, data)
