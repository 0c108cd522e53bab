"""The Milvus vector store (embedded milvus-lite, the same client API as a server): the same
answers as FAISS, a collection per index version behind an alias, filters as Milvus
expressions. tests/index/test_milvus_server.py runs the same store against a Milvus server."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kotae.errors import IndexMismatchError
from kotae.eval import QUESTIONS_FILE
from kotae.eval.questions import load_questions
from kotae.eval.run import score_questions
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.search import Filters, Ranking, Retriever
from kotae.index.snapshot import Snapshot
from kotae.index.stores.milvus import (
    FILE,
    MilvusStore,
    MilvusTarget,
    VectorIndex,
    VectorStoreError,
    connect,
    filter_expression,
    index_choices,
    version_name,
)
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import milvus_settings_for

CHANGED = "003_398f49884e4d4ebb.txt"


def _rows(store: MilvusStore) -> int:
    result = store.client.query(store.collection, filter="", output_fields=["count(*)"])
    return int(result[0]["count(*)"])


def _store(settings: Settings) -> MilvusStore:
    store = Snapshot.load(settings.index_dir, settings).store
    assert isinstance(store, MilvusStore)
    return store


def _alias(settings: Settings, alias: str) -> str:
    client = connect(MilvusTarget.from_settings(settings))
    return str(client.describe_alias(alias)["collection_name"])


def _hnsw(settings: Settings) -> Settings:
    return Settings(**{**settings.model_dump(), "ann": "hnsw"})


@pytest.mark.parametrize("kind", ["dense", "lexical", "hybrid"])
def test_milvus_ranks_the_dev_set_exactly_as_faiss(
    corpus_engine: Engine, milvus_engine: Engine, kind: str
) -> None:
    faiss_r = corpus_engine.retriever_for(corpus_engine.loaded.snapshot, kind)
    milvus_r = milvus_engine.retriever_for(milvus_engine.loaded.snapshot, kind)
    docs = {d.doc_id: d.text for d in corpus_engine.loaded.snapshot.documents.values()}
    for q in load_questions(QUESTIONS_FILE, docs):
        a, b = faiss_r.search(q.question, 10), milvus_r.search(q.question, 10)
        assert [h.chunk for h in a] == [h.chunk for h in b], q.id
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5), q.id


def test_eval_metrics_are_the_same_on_both_stores(
    corpus_engine: Engine, milvus_engine: Engine
) -> None:
    cutoffs = [1, 3, 5, 10]
    a = score_questions(corpus_engine.loaded.retriever, QUESTIONS_FILE, cutoffs)
    b = score_questions(milvus_engine.loaded.retriever, QUESTIONS_FILE, cutoffs)
    for lang in (None, "ja", "en"):
        ma, mb = a.metrics(lang), b.metrics(lang)
        ma.pop("mean_query_ms"), mb.pop("mean_query_ms")
        assert ma == mb


@pytest.mark.parametrize(
    "filters",
    [
        Filters(doc_ids=frozenset({"002_1b2c3951911e05d3.txt"})),
        Filters(date_from="2024-01-01"),
        Filters(date_to="2011-12-31"),
        Filters(doc_ids=frozenset({"000_3b324addda1fbe26.txt", "001_0e082c2b15b74ab7.txt"})),
    ],
)
@pytest.mark.parametrize("kind", ["dense", "hybrid"])
def test_filters_give_the_same_passages_on_both_stores(
    corpus_engine: Engine, milvus_engine: Engine, filters: Filters, kind: str
) -> None:
    results = []
    for engine in (corpus_engine, milvus_engine):
        hits = engine.retriever_for(engine.loaded.snapshot, kind).search(
            "外務大臣は誰？", 8, filters
        )
        assert hits and all(filters.allows(h.chunk) for h in hits)
        results.append([h.chunk for h in hits])
    assert results[0] == results[1]


def test_milvus_filter_runs_inside_milvus(milvus_engine: Engine) -> None:
    """The store applies the filter itself: a one-document filter returns only that document
    even with a top list far smaller than the collection."""
    snap = milvus_engine.loaded.snapshot
    qv = milvus_engine.encoder("外務大臣は誰？")
    only = Filters(doc_ids=frozenset({"002_1b2c3951911e05d3.txt"}))
    positions, _ = snap.store.search(qv, 3, None, only)
    assert len(positions) == 3
    assert {snap.chunks[p].doc_id for p in positions} == {"002_1b2c3951911e05d3.txt"}


def test_filter_expressions() -> None:
    assert filter_expression(None) == filter_expression(Filters()) == ""
    both = Filters(doc_ids=frozenset({'a"b\\c.txt', "文書.txt"}), date_from="2007-01-01")
    assert filter_expression(both) == (
        'doc_id in ["a\\"b\\\\c.txt", "文書.txt"] and (date != "" and date >= "2007-01-01")'
    )
    assert filter_expression(Filters(date_to="2011")) == '(date != "" and date <= "2011")'


def test_each_version_gets_its_own_collection_behind_the_alias(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = milvus_settings_for(tmp_path, small_corpus)
    alias = settings.milvus_collection
    first = IndexBuilder(settings, embedder).build()
    assert first.store_upserted == first.chunks and first.store_deleted == 0
    v1 = _store(settings)
    assert _rows(v1) == first.chunks and _alias(settings, alias) == v1.collection

    again = IndexBuilder(settings, embedder).build()  # same content: the same collection
    assert (again.store_upserted, again.store_deleted, again.changed) == (0, 0, False)

    doc = small_corpus / CHANGED
    doc.write_text(doc.read_text(encoding="utf-8") + "\n追記された段落です。", "utf-8")
    report = IndexBuilder(settings, embedder).build()
    v2 = _store(settings)
    assert v2.collection != v1.collection
    assert report.store_upserted == report.chunks == _rows(v2) and report.store_deleted == 0
    assert _alias(settings, alias) == v2.collection
    assert _alias(settings, alias + "_previous") == v1.collection
    # the version a service may still be serving keeps answering until it reloads
    row = v1.client.query(v1.collection, filter="id == 0", output_fields=["vector"])[0]
    assert v1.search(np.array(row["vector"]), 1)[0].tolist() == [0]

    doc.unlink()
    removed = IndexBuilder(settings, embedder).build()
    v3 = _store(settings)
    assert removed.store_upserted == removed.chunks == _rows(v3)
    assert removed.store_deleted == first.chunks  # v1 went; v2 is kept as the previous one
    names = MilvusTarget.from_settings(settings).versions(v3.client.list_collections())
    assert sorted(names) == sorted([v2.collection, v3.collection])
    engine = Engine(settings, embedder)
    engine.load()
    assert not any(h.chunk.doc_id == CHANGED for h in engine.search("追記された段落", 10))


def test_version_names_follow_content_and_index_kind(milvus_engine: Engine) -> None:
    snap = milvus_engine.loaded.snapshot
    assert isinstance(snap.store, MilvusStore)
    name = version_name("kotae_chunks", "flat", snap.chunks, snap.vectors)
    assert name == snap.store.collection
    assert name == version_name("kotae_chunks", "flat", list(snap.chunks), snap.vectors.copy())
    assert name != version_name("kotae_chunks", "hnsw", snap.chunks, snap.vectors)
    assert name != version_name("kotae_chunks", "flat", snap.chunks[:-1], snap.vectors[:-1])
    others = [name, "kotae_chunks_previous", "other_" + name[-16:], name + "0"]
    assert MilvusTarget("x", "kotae_chunks").versions(others) == [name]


def test_milvus_json_names_the_collection_and_index(milvus_engine: Engine) -> None:
    snap = milvus_engine.loaded.snapshot
    assert isinstance(snap.store, MilvusStore) and snap.path is not None
    saved = json.loads((snap.path / FILE).read_text(encoding="utf-8"))
    assert saved == {
        "collection": snap.store.collection,
        "kind": "flat",
        "index": {"type": "FLAT", "params": {}, "search": {}},
    }


def test_hnsw_on_milvus_lite_finds_what_exact_search_finds(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = _hnsw(milvus_settings_for(tmp_path, small_corpus))
    IndexBuilder(settings, embedder).build()
    snap = Snapshot.load(settings.index_dir, settings)
    assert isinstance(snap.store, MilvusStore) and snap.store.index.type == "HNSW"
    assert snap.manifest["vector_index"] == "hnsw" == snap.store.index_kind
    for i in range(len(snap.chunks)):
        positions, _ = snap.store.search(snap.vectors[i], 3)
        exact = np.argsort(-(snap.vectors @ snap.vectors[i]), kind="stable")[:3]
        assert positions.tolist() == exact.tolist()


def test_a_refused_index_type_falls_back_to_the_next(
    tmp_path: Path, small_corpus: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Milvus without HNSW (older milvus-lite) gets IVF_FLAT, recorded in milvus.json."""
    settings = _hnsw(milvus_settings_for(tmp_path, small_corpus))
    client = connect(MilvusTarget.from_settings(settings))
    real = type(client).create_index

    def no_hnsw(self: Any, name: str, params: Any, **kw: Any) -> None:
        if any(p.index_type == "HNSW" for p in params):
            raise ValueError("invalid index type: HNSW")
        real(self, name, params, **kw)

    monkeypatch.setattr(type(client), "create_index", no_hnsw)
    IndexBuilder(settings, embedder).build()
    store = _store(settings)
    assert store.index.type == "IVF_FLAT" and store.index_kind == "hnsw"
    saved = json.loads((Path(os.path.realpath(settings.index_dir)) / FILE).read_text())
    assert saved["index"]["type"] == "IVF_FLAT"
    vectors = Snapshot.load(settings.index_dir, settings).vectors
    assert store.search(vectors[1], 1)[0].tolist() == [1]


def test_index_choices() -> None:
    assert [c.type for c in index_choices("flat", 10)] == ["FLAT", "AUTOINDEX"]
    hnsw, ivf, auto = index_choices("hnsw", 1_000_000)
    assert (hnsw.type, ivf.type, auto.type) == ("HNSW", "IVF_FLAT", "AUTOINDEX")
    assert hnsw.params == {"M": 32, "efConstruction": 400}
    assert hnsw.search_params(10)["params"] == {"ef": 512}
    assert hnsw.search_params(2_000)["params"] == {"ef": 2_000}  # ef ≥ k
    assert ivf.params == {"nlist": 4_000} and ivf.search == {"nprobe": 508}


def test_an_old_single_collection_is_named_with_the_fix(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = milvus_settings_for(tmp_path, small_corpus)
    client = connect(MilvusTarget.from_settings(settings))
    client.create_collection(settings.milvus_collection, dimension=4)
    with pytest.raises(VectorStoreError, match="drop it, or set KOTAE_MILVUS_COLLECTION"):
        IndexBuilder(settings, embedder).build()


def test_an_index_from_before_version_collections_asks_for_a_rebuild(
    milvus_engine: Engine, tmp_path: Path
) -> None:
    version = Path(os.path.realpath(milvus_engine.settings.index_dir))
    copy = tmp_path / version.name
    shutil.copytree(version, copy)
    (copy / FILE).unlink()
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].pop(FILE)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="kotae index"):
        Snapshot.load(copy, milvus_engine.settings)
    # what `kotae index` reads to reuse its vectors still loads
    assert len(Snapshot.load(copy, milvus_engine.settings, check_store=False).chunks)


def test_manifest_records_the_store_and_a_mismatch_is_refused(milvus_engine: Engine) -> None:
    settings = milvus_engine.settings
    recorded = milvus_engine.loaded.snapshot.manifest["vector_store"]
    assert recorded == MilvusTarget.from_settings(settings).identity()
    assert recorded["kind"] == "milvus" and recorded["collection"] == "kotae_chunks"
    for other in (
        Settings(**{**settings.model_dump(), "vector_store": "faiss"}),
        Settings(**{**settings.model_dump(), "milvus_collection": "elsewhere"}),
    ):
        with pytest.raises(IndexMismatchError, match="kotae index"):
            Snapshot.load(settings.index_dir, other)


def test_faiss_index_is_refused_when_milvus_is_configured(corpus_engine: Engine) -> None:
    milvus = Settings(**{**corpus_engine.settings.model_dump(), "vector_store": "milvus"})
    with pytest.raises(IndexMismatchError, match="KOTAE_VECTOR_STORE"):
        Snapshot.load(corpus_engine.settings.index_dir, milvus)


def test_missing_collection_says_how_to_rebuild(milvus_engine: Engine) -> None:
    snap = milvus_engine.loaded.snapshot
    target = MilvusTarget.from_settings(milvus_engine.settings)
    flat = [VectorIndex("FLAT")]
    gone = MilvusStore(target, "never_created", "flat", flat, len(snap.chunks), 384)
    with pytest.raises(VectorStoreError, match="kotae index"):
        gone.verify()


def test_engine_loads_milvus_index_from_the_environment(
    milvus_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `kotae serve` does: settings read from KOTAE_* once, at the edge, then passed."""
    s = milvus_engine.settings
    monkeypatch.setenv("KOTAE_INDEX_DIR", str(s.index_dir))
    monkeypatch.setenv("KOTAE_CORPUS_DIR", str(s.corpus_dir))
    monkeypatch.setenv("KOTAE_VECTOR_STORE", s.vector_store)
    monkeypatch.setenv("KOTAE_MILVUS_URI", s.milvus_uri)
    monkeypatch.setenv("KOTAE_MILVUS_COLLECTION", s.milvus_collection)
    engine = Engine(Settings(), milvus_engine.embedder)
    engine.load()
    hits = engine.search("普天間飛行場の移設先は？", 3)
    assert any("辺野古" in h.chunk.text for h in hits)
    assert isinstance(engine.loaded.snapshot.store, MilvusStore)


def test_credentials_never_reach_the_manifest() -> None:
    target = MilvusTarget("https://user:secret@milvus.example:19530", "c", "root:Milvus")
    assert target.identity() == {
        "kind": "milvus",
        "uri": "https://milvus.example:19530",
        "collection": "c",
    }


def test_bad_milvus_uri_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="KOTAE_MILVUS_URI"):
        Settings(milvus_uri="localhost:19530")


def test_dense_retriever_uses_the_store(milvus_engine: Engine) -> None:
    r = Retriever(milvus_engine.loaded.snapshot, milvus_engine.encoder, Ranking("dense"))
    assert r.search("嘉手納以南", 5)
