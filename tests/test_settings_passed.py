"""One settings object, passed down: nothing below the edges looks the settings up again.

Every global route is closed for the duration of each test: ``get_settings`` raises wherever
it was imported, and the environment holds values a fresh ``Settings()`` refuses. Building,
loading, checking, searching and answering must still work, each against its own settings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import kotae.settings
from kotae.index.builder import IndexBuilder, is_current
from kotae.index.embedders import Embedder
from kotae.index.snapshot import Snapshot
from kotae.index.stores.milvus import MilvusStore
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import milvus_settings_for


def _no_lookup() -> Settings:
    raise AssertionError("a global settings lookup: pass the Settings down instead")


@pytest.fixture
def no_global_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in list(sys.modules.values()):
        if getattr(module, "get_settings", None) is kotae.settings.get_settings:
            monkeypatch.setattr(module, "get_settings", _no_lookup)
    monkeypatch.setenv("KOTAE_VECTOR_STORE", "not-a-store")  # Settings() now raises
    monkeypatch.setenv("KOTAE_MILVUS_URI", "not-a-uri")


def test_the_trap_springs(no_global_settings: None) -> None:
    with pytest.raises(AssertionError, match="global settings lookup"):
        kotae.settings.get_settings()
    with pytest.raises(ValueError):
        Settings()


@pytest.mark.parametrize("store", ["faiss", "milvus"])
def test_build_load_search_ask_use_only_the_settings_given(
    store: str,
    tmp_path: Path,
    small_corpus: Path,
    embedder: Embedder,
    no_global_settings: None,
) -> None:
    milvus = milvus_settings_for(tmp_path, small_corpus)
    settings = Settings(**{**milvus.model_dump(), "vector_store": store})
    engine = Engine(settings, embedder)
    assert engine.ensure_index()  # built, checked against these settings
    assert is_current(settings, embedder)
    assert not engine.ensure_index()
    snapshot = engine.load()
    assert snapshot.manifest["vector_store"]["kind"] == store
    assert isinstance(snapshot.store, MilvusStore) == (store == "milvus")
    assert Snapshot.load(settings.index_dir, settings).chunks == snapshot.chunks
    hits = engine.search("2+2はいつ開かれた？", 3)
    assert hits and all(h.chunk.doc_id in snapshot.documents for h in hits)
    answer = engine.ask("2+2はいつ開かれた？", 3)
    assert answer.question == "2+2はいつ開かれた？"
    assert IndexBuilder(settings, embedder).build().changed is False
