"""The Milvus store against a real Milvus server process (the standalone server of the `milvus`
package, on a free loopback port), as a deployment past one machine talks to it: the same eval
numbers as FAISS, exact (FLAT) and with HNSW built on the server; a search right after an update
sees it; a server killed mid-request is a 503 with Milvus' reason, and the service answers
again once the server is back. The server starts once for this module and is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from kotae.eval import QUESTIONS_FILE
from kotae.eval.questions import load_questions
from kotae.eval.report import summary
from kotae.eval.run import ask_questions
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.search import CANDIDATE_POOL, Filters
from kotae.index.stores.faiss import FaissStore
from kotae.index.stores.milvus import FILE, MilvusStore, MilvusTarget, connect
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.service.turn import Answering
from kotae.settings import Settings
from tests.conftest import CORPUS, rebuilt_from, write_small_corpus
from tests.milvus_server import MilvusProcess

CUTOFFS = [1, 3, 5, 10]
RECOVERY_S = 300  # the longest the server may take to come back and reload its collections


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusProcess]:
    try:
        server = MilvusProcess(tmp_path_factory.mktemp("milvus-server"))
    except ImportError as e:
        pytest.fail(f"the Milvus server tests need `pip install 'kotae[milvus]'` ({e})")
    server.start()
    yield server
    pid = server.pid
    server.stop()
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


def _settings(root: Path, uri: str, collection: str, **more: Any) -> Settings:
    return Settings(
        corpus_dir=more.pop("corpus_dir", CORPUS),
        index_dir=root / "index",
        vector_store="milvus",
        milvus_uri=uri,
        milvus_collection=collection,
        **more,
    )


@pytest.fixture(scope="module")
def server_engine(
    tmp_path_factory: pytest.TempPathFactory,
    milvus_server: MilvusProcess,
    corpus_engine: Engine,
    embedder: Embedder,
) -> Engine:
    """The bundled corpus in the server, exact (FLAT, the size kotae picks for 333 passages)."""
    root = tmp_path_factory.mktemp("server-flat")
    return rebuilt_from(corpus_engine, _settings(root, milvus_server.uri, "kotae_flat"), embedder)


@pytest.fixture(scope="module")
def hnsw_engine(
    tmp_path_factory: pytest.TempPathFactory,
    milvus_server: MilvusProcess,
    corpus_engine: Engine,
    embedder: Embedder,
) -> Engine:
    """The bundled corpus in the server with an HNSW index (KOTAE_ANN=hnsw)."""
    root = tmp_path_factory.mktemp("server-hnsw")
    settings = _settings(root, milvus_server.uri, "kotae_hnsw", ann="hnsw")
    return rebuilt_from(corpus_engine, settings, embedder)


def eval_numbers(engine: Engine) -> dict[str, Any]:
    """What `kotae eval --json` reports on the 2+2 dev set (retrieval, answers, short
    answers), each question asked of this engine as one turn; query timings left out."""
    result = ask_questions(Answering(engine), QUESTIONS_FILE, CUTOFFS)
    numbers = summary(result)
    for row in [numbers, *numbers["by_lang"].values()]:  # type: ignore[attr-defined]
        row.pop("mean_query_ms")
    return numbers


@pytest.fixture(scope="module")
def faiss_numbers(corpus_engine: Engine) -> dict[str, Any]:
    return eval_numbers(corpus_engine)


def test_the_server_holds_the_version_in_its_own_collection_behind_the_alias(
    server_engine: Engine,
) -> None:
    snap = server_engine.loaded.snapshot
    store = snap.store
    assert isinstance(store, MilvusStore) and store.target.uri.startswith("http://127.0.0.1:")
    assert snap.manifest["vector_index"] == "flat" and store.index.type == "FLAT"
    client = store.client
    assert client.describe_alias("kotae_flat")["collection_name"] == store.collection
    rows = client.query(store.collection, filter="", output_fields=["count(*)"])
    assert rows[0]["count(*)"] == len(snap.chunks)
    assert client.describe_collection(store.collection)["consistency_level_name"] == "Strong"


def test_kotae_eval_on_the_server_equals_faiss(
    corpus_engine: Engine, server_engine: Engine, faiss_numbers: dict[str, Any]
) -> None:
    """FLAT on the server is exact: the same rankings, scores and eval numbers as FAISS."""
    docs = {d.doc_id: d.text for d in corpus_engine.loaded.snapshot.documents.values()}
    for kind in ("dense", "hybrid"):
        a = corpus_engine.retriever_for(corpus_engine.loaded.snapshot, kind)
        b = server_engine.retriever_for(server_engine.loaded.snapshot, kind)
        for q in load_questions(QUESTIONS_FILE, docs):
            hits_a, hits_b = a.search(q.question, 10), b.search(q.question, 10)
            assert [h.chunk for h in hits_a] == [h.chunk for h in hits_b], (kind, q.id)
            assert [h.score for h in hits_a] == pytest.approx([h.score for h in hits_b], abs=1e-5)
    assert eval_numbers(server_engine) == faiss_numbers
    assert faiss_numbers["recall@5"] > 0.9  # a real result, not two empty ones


def test_hnsw_on_the_server_is_within_its_measured_recall(
    hnsw_engine: Engine, faiss_numbers: dict[str, Any]
) -> None:
    """An HNSW index built by the server; its recall against exact search is measured on the
    dev questions at the depth retrieval asks the store for (the candidate pool), and every
    eval number stays within what that recall can move."""
    snap = hnsw_engine.loaded.snapshot
    assert isinstance(snap.store, MilvusStore) and snap.store.index.type == "HNSW"
    assert snap.manifest["vector_index"] == "hnsw"
    saved = json.loads((Path(str(snap.path)) / FILE).read_text(encoding="utf-8"))
    assert saved["index"]["params"] == {"M": 32, "efConstruction": 400}
    exact = FaissStore.from_vectors(snap.vectors, "flat")
    docs = {d.doc_id: d.text for d in snap.documents.values()}
    found = []
    for q in load_questions(QUESTIONS_FILE, docs):
        qv = hnsw_engine.encoder(q.question)
        ann = snap.store.search(qv, CANDIDATE_POOL)[0]
        truth = exact.search(qv, CANDIDATE_POOL)[0]
        found.append(len(set(ann.tolist()) & set(truth.tolist())) / len(truth))
    recall = float(np.mean(found))
    slack = 1.0 - recall + 1e-9
    server = eval_numbers(hnsw_engine)
    for key, value in faiss_numbers.items():
        if isinstance(value, float):
            assert abs(server[key] - value) <= slack, (key, recall)
    if recall == 1.0:
        assert server == faiss_numbers


def test_a_search_right_after_an_update_sees_it(
    tmp_path: Path, milvus_server: MilvusProcess, embedder: Embedder
) -> None:
    """Rows written, flushed, indexed and loaded before the version is published: the first
    search of the new version finds the new passage, and a deleted one is gone."""
    corpus = write_small_corpus(tmp_path / "corpus")
    settings = _settings(tmp_path, milvus_server.uri, "kotae_updates", corpus_dir=corpus)
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    first = engine.loaded.snapshot.store
    assert isinstance(first, MilvusStore)
    question = "カピバラ温泉協定はいつ結ばれましたか？"
    new = corpus / "zz_capybara.txt"
    new.write_text("カピバラ温泉協定\n\nカピバラ温泉協定は二〇二五年に結ばれた。", "utf-8")

    report = IndexBuilder(settings, embedder).build()
    assert engine.reload_if_changed()
    added = [c for c in engine.loaded.snapshot.chunks if c.doc_id == new.name]
    assert report.embedded_chunks == len(added) > 0  # only the new document was embedded
    hits = engine.search(question, 3)
    assert hits[0].chunk.doc_id == new.name
    only = Filters(doc_ids=frozenset({new.name}))
    assert [h.chunk.doc_id for h in engine.search("外務大臣", 3, only)] == [new.name]
    second = engine.loaded.snapshot.store
    assert isinstance(second, MilvusStore) and second.collection != first.collection
    # the replaced version still answers, for a service that has not reloaded yet
    assert first.search(engine.loaded.snapshot.vectors[0], 1)[0].tolist() == [0]

    new.unlink()
    report = IndexBuilder(settings, embedder).build()
    assert report.embedded_chunks == 0 and report.store_deleted == 0
    assert engine.reload_if_changed()
    assert all(h.chunk.doc_id != new.name for h in engine.search(question, 10))
    # back to the first content: its collection is reused; the one before it is dropped
    assert report.store_upserted == 0
    assert engine.loaded.snapshot.store.collection == first.collection  # type: ignore[attr-defined]
    client = connect(MilvusTarget.from_settings(settings))
    names = MilvusTarget.from_settings(settings).versions(client.list_collections())
    assert sorted(names) == sorted([first.collection, second.collection])


def test_a_killed_server_is_a_503_with_its_reason_and_the_service_recovers(
    milvus_server: MilvusProcess, server_engine: Engine
) -> None:
    """Last in this module: it kills the shared server (and brings it back)."""
    app = create_app(engine=server_engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        params = {"q": "普天間飛行場の移設先は？", "k": 5}
        before = client.get("/api/search", params=params)
        assert before.status_code == 200

        milvus_server.signal(signal.SIGSTOP)  # frozen: the next search waits inside Milvus
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(client.get, "/api/search", params={"q": "嘉手納以南", "k": 5})
            time.sleep(1)  # time to reach the frozen server: it is still waiting on it
            assert not pending.done()
            milvus_server.kill()
            during = pending.result()
        assert during.status_code == 503
        detail = during.json()["detail"]
        assert detail.startswith(f"vector store unavailable: Milvus at {milvus_server.uri}")
        assert "did not answer a search" in detail and len(detail.split(": ", 2)[-1]) > 10
        assert during.headers["retry-after"] == "5"

        down = client.post("/api/ask", json={"question": "２＋２の正式名称は？"})
        assert down.status_code == 503 and "vector store unavailable" in down.json()["detail"]

        milvus_server.start()
        statuses = []
        deadline = time.monotonic() + RECOVERY_S
        while time.monotonic() < deadline:
            after = client.get("/api/search", params=params)
            statuses.append(after.status_code)
            if after.status_code == 200:
                break
            time.sleep(1)
        assert statuses[-1] == 200, statuses
        assert set(statuses) <= {200, 503}  # never a 500 while it comes back
        assert after.json()["citations"] == before.json()["citations"]
        assert client.post("/api/ask", json={"question": "２＋２の正式名称は？"}).status_code == 200
