"""Furniture marks in a real index: persisted, mapped onto sentences and passages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from kotae.errors import IndexMismatchError
from kotae.index.integrity import FILES
from kotae.index.snapshot import DOCUMENTS, MANIFEST, Snapshot
from kotae.ingest import read_corpus
from kotae.service.engine import Engine
from tests.conftest import CORPUS


def test_marks_survive_the_index_round_trip(corpus_engine: Engine) -> None:
    reloaded = Snapshot.load(corpus_engine.settings.index_dir, corpus_engine.settings)
    read = {d.doc_id: d for d in read_corpus(CORPUS)[0]}
    for doc_id, doc in reloaded.documents.items():
        assert doc.furniture == read[doc_id].furniture
        assert doc.title == read[doc_id].title
    assert any(doc.furniture for doc in reloaded.documents.values())


def test_sentences_and_passages_know_their_furniture(corpus_engine: Engine) -> None:
    snap = corpus_engine.loaded.snapshot
    texts = [
        snap.documents[
            snap.chunks[int(np.searchsorted(snap.sentence_ranges[:, 1], r, "right"))].doc_id
        ].text[s:e]
        for r, (s, e) in enumerate(snap.sentences)
    ]
    flagged = {t for t, f in zip(texts, snap.sentence_furniture, strict=True) if f}
    assert "2024年8月9日掲載" in flagged
    assert "— NHKニュース (@nhk_news) July 28, 2024" in flagged
    assert not any("日米安全保障協議委員会(SCC" in t for t in flagged)
    assert snap.sentence_furniture.dtype == bool
    assert len(snap.sentence_furniture) == len(snap.sentences)
    first = next(i for i, c in enumerate(snap.chunks) if c.doc_id.startswith("000_"))
    assert 0 < snap.chunk_furniture[first] < 0.5
    assert snap.chunk_furniture.min() >= 0 and snap.chunk_furniture.max() <= 1


def test_an_index_from_before_furniture_is_refused_with_the_fix(
    corpus_engine: Engine, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(os.path.realpath(corpus_engine.settings.index_dir), old)
    rows = json.loads((old / DOCUMENTS).read_text(encoding="utf-8"))
    for row in rows:
        del row["furniture"]
    (old / DOCUMENTS).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((old / MANIFEST).read_text(encoding="utf-8"))
    del manifest[FILES]  # an index from before furniture is from before checksums, too
    (old / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="kotae index"):
        Snapshot.load(old, corpus_engine.settings)
    # the builder still reads it, to reuse its vectors while rebuilding
    lenient = Snapshot.load(old, corpus_engine.settings, check_store=False)
    assert all(doc.furniture == () for doc in lenient.documents.values())
