"""Follow-ups over HTTP, the document list, and the reader page: real app, real index."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kotae.service.api.app import create_app
from kotae.service.api.schemas import MAX_QUESTION_CHARS
from kotae.service.engine import Engine
from kotae.service.followup import MAX_HISTORY
from tests.service.test_api import ask

DOC_2007 = "002_1b2c3951911e05d3.txt"


@pytest.fixture(scope="module")
def client(corpus_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_engine.settings, corpus_engine)) as c:
        yield c


def test_a_follow_up_is_resolved_against_the_history(client: TestClient) -> None:
    question = "その時の日本側の出席者は？"
    alone = ask(client, question)
    assert alone["understood_as"] is None
    body = ask(client, question, history=["2007年の会合では何が合意された？"])
    assert body["understood_as"].startswith(question) and "2007年" in body["understood_as"]
    assert {c["doc_id"] for c in body["citations"]} == {DOC_2007}
    # The attendee line is cited; the sentence scorer does not yet quote it (a list line, not a
    # sentence: noted on issue 15), so the check is on what the follow-up retrieved.
    assert any("麻生" in c["text"] for c in body["citations"])
    assert {c["doc_id"] for c in alone["citations"]} != {DOC_2007}


def test_a_standalone_question_ignores_the_history(client: TestClient) -> None:
    plain = ask(client, "普天間飛行場の移設先は？")
    with_history = ask(client, "普天間飛行場の移設先は？", history=["2007年の会合について"])
    assert with_history["understood_as"] is None
    assert with_history["citations"] == plain["citations"]


def test_the_users_document_filter_still_holds_for_a_follow_up(client: TestClient) -> None:
    other = "003_398f49884e4d4ebb.txt"
    body = ask(
        client, "その時の出席者は？", history=["2007年の会合では何が合意された？"], doc_ids=[other]
    )
    assert {c["doc_id"] for c in body["citations"]} == {other}


@pytest.mark.parametrize(
    "history",
    [
        ["質問"] * (MAX_HISTORY + 1),
        ["あ" * (MAX_QUESTION_CHARS + 1)],
        "2007年の会合",
        [1, 2],
    ],
)
def test_history_out_of_bounds_is_a_422_naming_it(client: TestClient, history: object) -> None:
    response = client.post("/api/ask", json={"question": "その時は？", "history": history})
    assert response.status_code == 422
    assert "history" in json.dumps(response.json()["detail"])


def test_the_stream_says_how_the_question_was_understood(client: TestClient) -> None:
    body = {
        "question": "その時の日本側の出席者は？",
        "history": ["2007年の会合では何が合意された？"],
    }
    with client.stream("POST", "/api/ask/stream", json=body) as response:
        text = "".join(response.iter_text())
    events = {}
    for block in text.strip().split("\n\n"):
        name = block.split("\n")[0].removeprefix("event: ")
        events[name] = json.loads(block.split("\n", 1)[1].removeprefix("data: "))
    assert "2007年" in events["citations"]["understood_as"]
    assert events["done"]["understood_as"] == events["citations"]["understood_as"]


def test_the_document_list_pages_through_the_collection(
    client: TestClient, corpus_engine: Engine
) -> None:
    snapshot = corpus_engine.loaded.snapshot
    first = client.get("/api/documents", params={"limit": 2}).json()
    rest = client.get("/api/documents", params={"limit": 50, "offset": 2}).json()
    assert first["total"] == rest["total"] == len(snapshot.documents)
    assert len(first["documents"]) == 2
    listed = first["documents"] + rest["documents"]
    assert [d["doc_id"] for d in listed] == list(snapshot.documents)
    assert sum(d["passages"] for d in listed) == len(snapshot.chunks)
    doc = snapshot.documents[listed[0]["doc_id"]]
    assert listed[0]["title"] == doc.title and listed[0]["date"] == doc.date
    assert listed[0]["chars"] == len(doc.text)
    assert client.get("/api/documents", params={"offset": 99}).json()["documents"] == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}])
def test_bad_paging_is_a_422(client: TestClient, params: dict[str, object]) -> None:
    assert client.get("/api/documents", params=params).status_code == 422


def test_the_reader_page_is_html_and_the_json_stays(client: TestClient) -> None:
    page = client.get(f"/documents/{DOC_2007}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/reader.js" in page.text
    data = client.get(f"/api/documents/{DOC_2007}").json()
    assert data["doc_id"] == DOC_2007 and data["text"]


def test_kotae_ask_interactive_keeps_the_conversation(
    corpus_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from kotae.cli import ask_cmd
    from kotae.cli.main import app as cli

    monkeypatch.setattr(ask_cmd, "_engine", lambda index_dir: corpus_engine)
    typed = "2007年の会合では何が合意された？\nその時の日本側の出席者は？\n"
    result = CliRunner().invoke(cli, ["ask", "--mode", "extractive"], input=typed)
    assert result.exit_code == 0, result.output
    first, second = result.stdout.split("(understood as: ")
    assert second.startswith("その時の日本側の出席者は？（2007年")
    assert "麻生" in second and DOC_2007 in second
    one_shot = CliRunner().invoke(
        cli, ["ask", "--mode", "extractive", "その時の日本側の出席者は？"]
    )
    assert one_shot.exit_code == 0 and "understood as" not in one_shot.stdout
