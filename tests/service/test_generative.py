"""Generative answers against a real OpenAI-compatible server on 127.0.0.1 that misbehaves on cue.

Every case asserts what the user receives: the LLM's answer with checked citations, or the
extractive answer with a warning saying why, or (generative asked for explicitly) a 502.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_llm import MODEL, FakeLLM, Script, free_port, serve
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kotae.cli import ask_cmd
from kotae.cli.main import app as cli
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.service.generate import NOT_ASKED
from kotae.settings import Settings

QUESTION = "普天間飛行場の移設先は？"
TIMEOUT = 1.0
FALLBACK = "the extractive answer is shown instead"


@pytest.fixture(autouse=True)
def _fresh_script(request: pytest.FixtureRequest) -> None:
    if "fake" in request.fixturenames:
        llm: FakeLLM = request.getfixturevalue("fake")
        llm.script = Script()
        llm.requests.clear()


def llm_settings(engine: Engine, base_url: str, **extra: Any) -> Settings:
    """The engine's settings plus an LLM: the generative layer gets its own settings object."""
    update = {"llm_base_url": base_url, "llm_model": MODEL, "llm_timeout": TIMEOUT, **extra}
    return engine.settings.model_copy(update=update)


@pytest.fixture(scope="module")
def client(corpus_engine: Engine, fake: FakeLLM) -> Iterator[TestClient]:
    settings = llm_settings(corpus_engine, fake.url, llm_max_tokens=300)
    with TestClient(create_app(settings, corpus_engine)) as c:
        yield c


@pytest.fixture(scope="module")
def plain_client(corpus_engine: Engine) -> Iterator[TestClient]:
    """No LLM configured: the service as it was."""
    with TestClient(create_app(corpus_engine.settings, corpus_engine)) as c:
        yield c


@pytest.fixture(scope="module")
def extractive(corpus_engine: Engine) -> dict[str, Any]:
    answer = corpus_engine.ask(QUESTION)
    assert answer.found
    passages = [c.hit.chunk.text for c in answer.citations]
    return {"text": answer.text, "passages": passages}


def phrase(passage: str) -> str:
    """A run of Japanese text from the passage, to quote it faithfully."""
    match = re.search(r"[一-龥ぁ-んァ-ヶー]{6,}", passage)
    assert match
    return match[0][:12]


def post(client: TestClient, **payload: Any) -> dict[str, Any]:
    r = client.post("/api/ask", json={"question": QUESTION, **payload})
    assert r.status_code == 200, r.text
    return dict(r.json())


def events(client: TestClient, **payload: Any) -> list[tuple[str, dict[str, Any]]]:
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION, **payload}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        return parse_sse("".join(r.iter_text()))


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((fields["event"], json.loads(fields["data"])))
    return out


def assert_extractive_fallback(body: dict[str, Any], extractive: dict[str, Any], why: str) -> None:
    assert body["mode"] == "extractive"
    assert body["answer"] == extractive["text"]
    assert body["quotes"] and body["found"] is True
    assert any(why in w and FALLBACK in w for w in body["warnings"]), body["warnings"]


# ---------- the happy path ----------


def test_generated_answer_is_the_default_and_cites_real_passages(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any]
) -> None:
    text = f"移設先については「{phrase(extractive['passages'][0])}」と書かれています[1]。"
    fake.script = Script(text=text)
    body = post(client)
    assert body["mode"] == "generative" and body["warnings"] == []
    assert body["answer"] == text and body["found"] is True and body["quotes"] == []
    assert [c["text"] for c in body["citations"]] == extractive["passages"]
    # What the LLM was given: the passages numbered [1]..[k], the rules, the question.
    (request,) = fake.requests
    assert request["model"] == MODEL and request["max_tokens"] == 300 and not request.get("stream")
    system, user = request["messages"]
    assert "only what the passages say" in system["content"] and "Japanese" in system["content"]
    assert "do not contain the answer" in system["content"]
    for n, passage in enumerate(extractive["passages"], 1):
        assert f"[{n}] (" in user["content"] and passage.strip() in user["content"]
    assert user["content"].endswith(f"Question: {QUESTION}")


def test_english_question_asks_for_an_english_answer(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text="Kamikawa and Kihara attended [1].")
    r = client.post("/api/ask", json={"question": "Who attended the 2024 meeting from Japan?"})
    assert r.json()["mode"] == "generative"
    assert "English" in fake.requests[0]["messages"][0]["content"]


def test_extractive_mode_does_not_call_the_llm(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any]
) -> None:
    body = post(client, mode="extractive")
    assert body["mode"] == "extractive" and body["answer"] == extractive["text"]
    assert body["warnings"] == [] and fake.requests == []


def test_nothing_relevant_found_does_not_call_the_llm(client: TestClient, fake: FakeLLM) -> None:
    r = client.post("/api/ask", json={"question": "What is the capital of France?"})
    body = r.json()
    assert body["found"] is False and body["mode"] == "extractive"
    assert body["warnings"] == [NOT_ASKED] and fake.requests == []


# ---------- the citation check ----------


def test_invented_marker_is_removed_and_reported(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text="移設先は辺野古です[1][7]。")
    body = post(client)
    assert body["mode"] == "generative" and body["answer"] == "移設先は辺野古です[1]。"
    assert body["warnings"] == ["removed citation [7]: no passage [7] was given (there are 5)"]


def test_answer_citing_nothing_real_is_replaced_by_the_extractive_one(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any]
) -> None:
    fake.script = Script(text="移設先は辺野古です[7]。")
    body = post(client, mode="generative")  # not an LLM failure: no 502
    assert_extractive_fallback(body, extractive, "cites no passage that was given to it")
    assert "removed citation [7]" in body["warnings"][0]


def test_llm_saying_it_cannot_answer_gets_the_extractive_answer(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any]
) -> None:
    fake.script = Script(text="資料には答えがありません。")
    body = post(client)
    assert_extractive_fallback(body, extractive, "cites no passage")


def test_quote_not_in_the_source_is_flagged(client: TestClient, fake: FakeLLM) -> None:
    text = "文書には「普天間飛行場は永久に閉鎖されない」とあります[1]。"
    fake.script = Script(text=text)
    body = post(client)
    assert body["mode"] == "generative" and body["answer"] == text
    assert body["warnings"] == ["quotation not found in [1]: «普天間飛行場は永久に閉鎖されない»"]


def test_uncited_sentence_is_flagged(client: TestClient, fake: FakeLLM) -> None:
    fake.script = Script(text="移設先は辺野古です[1]。ほかの候補地はありません。")
    body = post(client)
    assert body["mode"] == "generative"
    assert body["warnings"] == ["sentence without a citation: «ほかの候補地はありません。»"]


# ---------- faults ----------

FAULTS = {
    "http-500": (Script(status=500), "answered HTTP 500: scripted HTTP 500"),
    "http-401": (Script(status=401), "answered HTTP 401"),
    "stall": (Script(stall=TIMEOUT + 2), f"did not answer within {TIMEOUT:g} s"),
    "garbage-json": (Script(garbage=True), "not an OpenAI chat completion"),
    "empty": (Script(text=""), "empty answer"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_gives_the_extractive_answer_with_a_warning(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any], fault: str
) -> None:
    script, why = FAULTS[fault]
    fake.script = script
    started = time.monotonic()
    assert_extractive_fallback(post(client), extractive, why)
    assert time.monotonic() - started < TIMEOUT + 1.5


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_is_a_502_when_generative_was_asked_for(
    client: TestClient, fake: FakeLLM, fault: str
) -> None:
    script, why = FAULTS[fault]
    fake.script = script
    r = client.post("/api/ask", json={"question": QUESTION, "mode": "generative"})
    assert r.status_code == 502 and why in r.json()["detail"]
    assert fake.url in r.json()["detail"]


def test_unreachable_llm(corpus_engine: Engine, extractive: dict[str, Any]) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with TestClient(create_app(llm_settings(corpus_engine, dead), corpus_engine)) as c:
        assert_extractive_fallback(post(c), extractive, f"cannot reach the LLM at {dead}")
        r = c.post("/api/ask", json={"question": QUESTION, "mode": "generative"})
        assert r.status_code == 502 and "Connection refused" in r.json()["detail"]
        r = c.post("/api/ask/stream", json={"question": QUESTION, "mode": "generative"})
        assert r.status_code == 502
        llm = _probed(c)
        assert llm["configured"] is True and llm["reachable"] is False
        assert "cannot reach" in llm["detail"]


# ---------- no LLM configured ----------


def test_without_an_llm_the_service_is_extractive(
    plain_client: TestClient, extractive: dict[str, Any]
) -> None:
    body = post(plain_client)
    assert body["mode"] == "extractive" and body["answer"] == extractive["text"]
    assert body["warnings"] == []
    llm = plain_client.get("/readyz").json()["llm"]
    assert llm == {"configured": False, "reachable": None, "model": None, "detail": None}
    for path in ("/api/ask", "/api/ask/stream"):
        r = plain_client.post(path, json={"question": QUESTION, "mode": "generative"})
        assert r.status_code == 400 and "KOTAE_LLM_BASE_URL" in r.json()["detail"]
    names = [name for name, _ in events(plain_client)]
    assert names == ["citations", "token", "done"]


# ---------- streaming ----------


def test_stream_sends_citations_then_tokens_then_the_checked_answer(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any]
) -> None:
    text = "移設先は辺野古です[1][7]。詳しくは[2]を参照。"
    fake.script = Script(text=text, piece=2)
    got = events(client)
    names = [name for name, _ in got]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"token"} and len(names) > 4
    first, done = got[0][1], got[-1][1]
    assert first["mode"] == "generative"
    assert [c["text"] for c in first["citations"]] == extractive["passages"]
    assert "".join(data["text"] for name, data in got if name == "token") == text
    assert done["answer"] == "移設先は辺野古です[1]。詳しくは[2]を参照。"
    assert done["mode"] == "generative" and done["citations"] == first["citations"]
    assert any("[7]" in w for w in done["warnings"])
    assert fake.requests[0]["stream"] is True


@pytest.mark.parametrize("fault", ["http-500", "stall"])
def test_stream_fault_before_the_first_byte(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any], fault: str
) -> None:
    script, why = FAULTS[fault]
    fake.script = script
    got = events(client)
    assert [name for name, _ in got] == ["citations", "token", "done"]
    assert got[1][1]["text"] == extractive["text"]
    assert_extractive_fallback(got[-1][1], extractive, why)
    r = client.post("/api/ask/stream", json={"question": QUESTION, "mode": "generative"})
    assert r.status_code == 502 and why in r.json()["detail"]


@pytest.mark.parametrize(
    ("script", "why"),
    [
        (Script(text="辺野古です[1]。", stall=TIMEOUT + 2, stall_after=2), "did not answer"),
        (Script(garbage=True), "not an OpenAI chat completion"),
        (Script(text=""), "empty answer"),
    ],
    ids=["stall-mid-stream", "garbage-chunks", "empty"],
)
def test_stream_fault_after_the_first_byte(
    client: TestClient, fake: FakeLLM, extractive: dict[str, Any], script: Script, why: str
) -> None:
    fake.script = script
    got = events(client)
    assert got[0][0] == "citations" and got[-1][0] == "done"
    assert_extractive_fallback(got[-1][1], extractive, why)
    got = events(client, mode="generative")
    assert got[0][0] == "citations" and got[-1][0] == "error"
    assert got[-1][1]["status"] == 502 and why in got[-1][1]["detail"]


def test_tokens_reach_the_client_as_the_llm_writes_them(
    corpus_engine: Engine, fake: FakeLLM
) -> None:
    """Over real sockets: the first token arrives while the LLM is still pausing."""
    fake.script = Script(text="移設先は辺野古です[1]。", stall=0.6, stall_after=2)
    app = create_app(llm_settings(corpus_engine, fake.url), corpus_engine)
    seen: list[tuple[str, float]] = []
    with (
        serve(app) as url,
        httpx.stream("POST", f"{url}/api/ask/stream", json={"question": QUESTION}, timeout=10) as r,
    ):
        started = time.monotonic()
        for line in r.iter_lines():
            if line.startswith("event: "):
                seen.append((line[7:], time.monotonic() - started))
    names = [name for name, _ in seen]
    assert names[0] == "citations" and names[-1] == "done"
    first_token = next(t for name, t in seen if name == "token")
    assert seen[-1][1] - first_token > 0.4


# ---------- readiness ----------


def _probed(c: TestClient) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        started = time.monotonic()
        r = c.get("/readyz")
        assert r.status_code == 200 and time.monotonic() - started < 0.5  # never waits on the LLM
        llm: dict[str, Any] = r.json()["llm"]
        if llm["reachable"] is not None or time.monotonic() > deadline:
            return llm
        time.sleep(0.05)


def test_readyz_reports_the_probe(client: TestClient, fake: FakeLLM) -> None:
    llm = _probed(client)
    assert llm == {"configured": True, "reachable": True, "model": MODEL, "detail": None}


def test_readyz_does_not_wait_for_a_stalled_llm(corpus_engine: Engine, fake: FakeLLM) -> None:
    fake.script = Script(stall=TIMEOUT + 2)
    with TestClient(create_app(llm_settings(corpus_engine, fake.url), corpus_engine)) as c:
        llm = _probed(c)
    assert llm["reachable"] is False and "did not answer within" in llm["detail"]


# ---------- the terminal ----------


def test_cli_streams_a_generative_answer(
    corpus_engine: Engine, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOTAE_LLM_BASE_URL", fake.url)
    monkeypatch.setenv("KOTAE_LLM_MODEL", MODEL)
    monkeypatch.setenv("KOTAE_LLM_TIMEOUT", str(TIMEOUT))
    monkeypatch.setattr(ask_cmd, "_engine", lambda index_dir: corpus_engine)
    fake.script = Script(text="移設先は辺野古です[1][7]。")
    result = CliRunner().invoke(cli, ["ask", "--mode", "generative", QUESTION])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("移設先は辺野古です[1][7]。")  # as streamed
    assert "── checked answer ──\n移設先は辺野古です[1]。" in result.stdout
    assert "warning: removed citation [7]" in result.stderr
    assert "[1] " in result.stdout and "(generative, " in result.stdout
    fake.script = Script(status=500)
    result = CliRunner().invoke(cli, ["ask", "--mode", "generative", QUESTION])
    assert result.exit_code == 1 and "error: the LLM at" in result.stderr
    assert "HTTP 500" in result.stderr


# ---------- the chat page ----------


@pytest.mark.browser
def test_chat_page_streams_a_generative_answer(corpus_engine: Engine, fake: FakeLLM) -> None:
    from playwright.sync_api import expect, sync_playwright

    text = "移設先は辺野古です[1]。"
    fake.script = Script(text=text, stall=0.3, stall_after=2)
    app = create_app(llm_settings(corpus_engine, fake.url), corpus_engine)
    assert Path("/usr/bin/chromium").exists()
    with serve(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(locale="ja-JP")
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the page's own /readyz call has landed
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        answer = page.locator(".answer").last
        expect(answer.locator(".answer-mode")).to_have_attribute("data-mode", "generative")
        expect(answer.locator(".answer-text")).to_have_text(text, timeout=10_000)
        cite = answer.locator('button.cite[data-n="1"]')
        expect(cite).to_be_visible()
        cite.click()
        expect(answer.locator(".passage")).to_be_visible()
        fake.script = Script(status=500)
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        answer = page.locator(".answer").nth(1)
        expect(answer.locator(".answer-mode")).to_have_attribute("data-mode", "extractive")
        expect(answer.locator(".answer-warnings")).to_contain_text("HTTP 500")
        expect(answer.locator("button.cite").first).to_be_visible()
        browser.close()
