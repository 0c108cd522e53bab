"""A vector store that does not answer (a Milvus server down or restarting) is a 503 with its
reason on every route that searches, never a 500; the next request tries again. The real
server is killed in tests/index/test_milvus_server.py; this pins the mapping on any store."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kotae.errors import StoreUnavailableError
from kotae.service.api.app import create_app
from kotae.service.engine import Engine

REASON = "Milvus at http://milvus:19530 did not answer a search of collection 'c': refused"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/api/search?q=嘉手納以南", None),
        ("POST", "/api/ask", {"question": "普天間飛行場の移設先は？"}),
        ("POST", "/api/ask/stream", {"question": "普天間飛行場の移設先は？"}),
    ],
)
def test_an_unanswered_search_is_a_503_with_the_reason(
    corpus_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    store = corpus_engine.loaded.snapshot.store
    healthy = store.search

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailableError(REASON)

    with TestClient(create_app(engine=corpus_engine), raise_server_exceptions=False) as client:
        monkeypatch.setattr(store, "search", down)
        response = client.request(method, path, json=body)
        assert response.status_code == 503
        assert response.json() == {"detail": f"vector store unavailable: {REASON}"}
        assert response.headers["retry-after"] == "5"

        monkeypatch.setattr(store, "search", healthy)  # the store is back
        assert client.request(method, path, json=body).status_code == 200
