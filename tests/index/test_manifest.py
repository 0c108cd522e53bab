"""The build identity a manifest records, and the three comparisons made with it."""

from pathlib import Path

import numpy as np

from kotae.index.embedders.base import Embedder
from kotae.index.manifest import (
    build_identity,
    build_manifest,
    built_as,
    same_content,
    same_vectors,
)
from kotae.ingest.records import Document
from kotae.settings import Settings


class _Fixed(Embedder):
    name, model, dim = "fixed", "none", 4

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return np.ones((len(texts), self.dim), dtype=np.float32)


def _settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", **changes)


def _manifest(settings: Settings) -> dict[str, object]:
    doc = Document("a.txt", "本文。", "A")
    return build_manifest(settings, _Fixed(), [doc], "flat")


def test_a_manifest_records_its_build_identity(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    manifest = _manifest(settings)
    identity = build_identity(settings, _Fixed())
    assert built_as(manifest, identity)
    assert {k: manifest[k] for k in identity} == identity
    assert not built_as(manifest, build_identity(_settings(tmp_path, chunk_size=300), _Fixed()))


def test_an_index_from_before_stores_counts_as_faiss(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    old = {k: v for k, v in _manifest(settings).items() if k != "vector_store"}
    assert built_as(old, build_identity(settings, _Fixed()))


def test_vectors_are_reused_across_tokenizer_changes_but_not_chunking_changes(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    manifest = {**_manifest(settings), "lexical": {"tokenizer": "older"}, "ingest": 1}
    assert same_vectors(manifest, build_identity(settings, _Fixed()))
    rechunked = build_identity(_settings(tmp_path, chunk_overlap=40), _Fixed())
    assert not same_vectors(manifest, rechunked)


def test_same_content_ignores_who_built_it_and_when(tmp_path: Path) -> None:
    old = _manifest(_settings(tmp_path))
    new = {**old, "built_at": "later", "kotae": "9.9"}
    assert same_content(old, new)
    assert not same_content(old, {**new, "documents": {}})
    assert not same_content(old, {**new, "vector_index": "ivf"})
