"""The Milvus vector store (embedded milvus-lite, the same client API as a server): the same
answers as FAISS, row-level incremental updates, filters as Milvus expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import QUESTIONS_FILE
from eval.questions import load_questions
from eval.run import score_questions
from index.builder import IndexBuilder
from index.embedders import Embedder
from index.search import Filters, Ranking, Retriever
from index.snapshot import Snapshot
from index.stores.milvus import (
    MilvusStore,
    MilvusTarget,
    VectorStoreError,
    chunk_keys,
    connect,
    filter_expression,
)
from kotae.errors import IndexMismatchError
from kotae.settings import Settings
from service.engine import Engine
from tests.conftest import milvus_settings_for

CHANGED = "003_398f49884e4d4ebb.txt"


def _rows(settings: Settings) -> int:
    target = MilvusTarget.from_settings(settings)
    result = connect(target).query(target.collection, filter="", output_fields=["count(*)"])
    return int(result[0]["count(*)"])


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


def test_changed_document_touches_only_its_rows(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = milvus_settings_for(tmp_path, small_corpus)
    first = IndexBuilder(settings, embedder).build()
    assert first.store_upserted == first.chunks and first.store_deleted == 0
    assert _rows(settings) == first.chunks
    old = Snapshot.load(settings.index_dir, settings)

    again = IndexBuilder(settings, embedder).build()
    assert (again.store_upserted, again.store_deleted, again.changed) == (0, 0, False)

    doc = small_corpus / CHANGED
    doc.write_text(doc.read_text(encoding="utf-8") + "\n追記された段落です。", "utf-8")
    report = IndexBuilder(settings, embedder).build()
    new = Snapshot.load(settings.index_dir, settings)
    old_keys = {int(k) for k in chunk_keys(old.chunks)}
    new_keys = {int(k) for k in chunk_keys(new.chunks)}
    changed_old = {
        int(k)
        for k, c in zip(chunk_keys(old.chunks), old.chunks, strict=True)
        if c.doc_id == CHANGED
    }
    assert report.store_upserted == len(new_keys - old_keys) > 0
    assert report.store_deleted == len(old_keys - new_keys) > 0
    assert old_keys - new_keys <= changed_old  # only the changed document's rows went
    assert _rows(settings) == len(new.chunks)

    doc.unlink()
    removed = IndexBuilder(settings, embedder).build()
    assert removed.store_upserted == 0
    assert removed.store_deleted == sum(c.doc_id == CHANGED for c in new.chunks)
    assert _rows(settings) == removed.chunks


def test_chunk_keys_are_stable_across_builds(milvus_engine: Engine, corpus_engine: Engine) -> None:
    a = chunk_keys(milvus_engine.loaded.snapshot.chunks)
    b = chunk_keys(corpus_engine.loaded.snapshot.chunks)
    assert (a == b).all() and len(set(a.tolist())) == len(a)


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
    gone = MilvusStore(MilvusTarget(target.uri, "never_created"), chunk_keys(snap.chunks), 384)
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
