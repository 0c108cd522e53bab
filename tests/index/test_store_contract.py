"""The ``VectorStore`` contract, the same test for every registered backend (FAISS and
Milvus through milvus-lite): build, upsert, search, filtered search, save, load, verify,
publish, identity. A new backend added to ``index.stores.STORES`` is tested here too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kotae.errors import IndexMismatchError
from kotae.index.search import Filters
from kotae.index.stores import STORES, make_store, open_store, store_class, store_identity
from kotae.ingest.records import Chunk
from kotae.settings import Settings

DIM = 8


def _table(n: int, seed: int = 0) -> tuple[list[Chunk], np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [
        Chunk(f"doc{i % 3}.txt", 10 * i, 10 * i + 5, f"passage {i}", f"200{i % 10}-01-01")
        for i in range(n)
    ]
    return chunks, vectors


def _settings(kind: str, root: Path) -> Settings:
    return Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        vector_store=kind,  # type: ignore[arg-type]
        milvus_uri=str(root / "milvus.db"),
        milvus_collection="contract",
    )


@pytest.fixture(params=sorted(STORES))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_registry_names_each_backend_by_its_kind() -> None:
    assert set(STORES) == {"faiss", "milvus"}
    assert all(cls.kind == key for key, cls in STORES.items())
    with pytest.raises(IndexMismatchError, match="faiss, milvus"):
        store_class("nope")


def test_the_vector_store_lifecycle(kind: str, tmp_path: Path) -> None:
    settings = _settings(kind, tmp_path)
    chunks, vectors = _table(12)
    store = make_store(settings, chunks, vectors)
    assert type(store) is STORES[kind] and store.size == 12 and store.index_kind == "flat"
    identity = store_identity(settings)
    assert identity["kind"] == kind and "token" not in identity

    # upsert before publishing; a second upsert has nothing left to write
    written = store.upsert(chunks, vectors)
    assert written == (12 if kind == "milvus" else 0)  # FAISS holds nothing outside memory
    assert store.upsert(chunks, vectors) == 0
    store.verify()

    # search: positions of the passage table, best first, scored by cosine
    query = vectors[5]
    ids, scores = store.search(query, 4)
    exact = vectors @ query
    assert ids[0] == 5 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(ids) == list(np.argsort(-exact, kind="stable")[:4])
    assert np.allclose(scores, exact[ids], atol=1e-5)
    assert list(scores) == sorted(scores, reverse=True)

    # filtered search stays inside the filter
    filters = Filters(doc_ids=frozenset({"doc1.txt"}))
    allowed = np.array([i for i, c in enumerate(chunks) if filters.allows(c)], dtype=np.int64)
    ids, _ = store.search(query, 3, allowed, filters)
    assert len(ids) == 3 and set(ids.tolist()) <= set(allowed.tolist())

    # save into a version folder, publish it, load back from the manifest's record
    folder = tmp_path / "version"
    folder.mkdir()
    store.save(folder)
    assert store.publish() == 0
    manifest = {"vector_store": identity}
    loaded = open_store(manifest, folder, chunks, vectors, settings)
    loaded.verify()
    assert type(loaded) is type(store) and loaded.size == 12
    assert loaded.search(query, 4)[0].tolist() == store.search(query, 4)[0].tolist()

    # the next version drops two passages; the one it replaces still answers after it is
    # published (a service reloads a moment later), the one before that is dropped
    kept = [i for i in range(12) if i not in (3, 7)]
    next_store = make_store(settings, [chunks[i] for i in kept], vectors[kept])
    assert next_store.upsert([chunks[i] for i in kept], vectors[kept]) == (10 if written else 0)
    assert next_store.publish() == 0
    ids, _ = next_store.search(vectors[3], 10)
    assert len(ids) == 10 and ids.max() < 10  # positions in the new table
    assert loaded.search(query, 4)[0].tolist() == list(np.argsort(-exact, kind="stable")[:4])
    last = make_store(settings, chunks[:5], vectors[:5])
    assert last.upsert(chunks[:5], vectors[:5]) == (5 if written else 0)
    assert last.publish() == (12 if written else 0)  # the first version's rows
    assert last.publish() == 0
    assert last.search(query, 10)[0].tolist() == list(np.argsort(-exact[:5], kind="stable"))


def test_an_index_without_a_recorded_store_is_faiss(tmp_path: Path) -> None:
    settings = _settings("faiss", tmp_path)
    chunks, vectors = _table(4)
    make_store(settings, chunks, vectors).save(tmp_path)
    assert open_store({}, tmp_path, chunks, vectors, settings).kind == "faiss"
