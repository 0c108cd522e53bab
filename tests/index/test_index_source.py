"""An index remembers the folder it was built from; no command replaces it from another one
unless told to (issue 25: `kotae index ~/mydocs` then `kotae serve` rebuilt it from corpus/)."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kotae.cli.main import app
from kotae.index.builder import PROBE_TEXTS, BuildCost, IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.snapshot import Snapshot
from kotae.index.source import IndexFromOtherFolderError, recorded_corpus
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import BuiltIndex, point_index, write_small_corpus
from tests.index.test_build import CountingEmbedder

OTHER = "別の文書.txt"


@pytest.fixture
def users_index(tmp_path: Path, small_index: BuiltIndex, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of a user's folder and its index, in a working directory whose corpus/ (the
    default folder) holds other documents; KOTAE_CORPUS_DIR unset, as a user's shell has it."""
    users = Path(shutil.copytree(small_index.corpus, tmp_path / "mydocs"))
    index_dir = tmp_path / "idx" / "index"
    point_index(index_dir, small_index.version)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / OTHER).write_text("既定のフォルダの文書です。", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KOTAE_CORPUS_DIR")
    monkeypatch.setenv("KOTAE_INDEX_DIR", str(index_dir))
    return users


def test_the_manifest_records_the_folder_a_build_read(small_index: BuiltIndex) -> None:
    assert recorded_corpus(small_index.version) == small_index.corpus.resolve()


def test_without_a_folder_the_engine_serves_the_index_it_finds(
    users_index: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    engine = Engine(Settings(), embedder)
    assert engine.source.followed and engine.settings.corpus_dir == small_index.corpus.resolve()
    assert engine.ensure_index() is False  # current: nothing rebuilt from ./corpus
    snapshot = engine.load()
    assert snapshot.path == small_index.version and OTHER not in snapshot.documents
    with TestClient(create_app(engine.settings, engine)) as client:
        assert client.get("/readyz").json()["corpus"] == str(small_index.corpus.resolve())


def test_a_build_from_another_folder_is_refused_then_replaces_when_told(
    users_index: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    index_dir = Settings().index_dir
    with pytest.raises(IndexFromOtherFolderError, match="--replace"):
        IndexBuilder(Settings(corpus_dir=Path("corpus")), embedder).build()
    assert Snapshot.load(index_dir, Settings()).path == small_index.version  # untouched
    report = IndexBuilder(Settings(corpus_dir=Path("corpus"), replace_index=True), embedder).build()
    assert report.changed and recorded_corpus(index_dir) == Path("corpus").resolve()


def test_a_changed_folder_is_rebuilt_from_itself(
    users_index: Path, small_index: BuiltIndex, embedder: Embedder
) -> None:
    """The index follows its own folder: there it is rebuilt when that folder changed."""
    settings = Settings(corpus_dir=users_index, replace_index=True)  # the copy, from now on
    IndexBuilder(settings, embedder).build()
    (users_index / "追加.txt").write_text("嘉手納以南の土地の返還について。", encoding="utf-8")
    engine = Engine(Settings(), embedder)
    assert engine.settings.corpus_dir == users_index.resolve()
    assert engine.ensure_index() is True
    assert "追加.txt" in engine.load().documents and OTHER not in engine.loaded.snapshot.documents


def test_the_cli_follows_the_index_and_refuses_another_folder(
    users_index: Path, small_index: BuiltIndex
) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["index", "corpus"])
    assert refused.exit_code == 1, refused.output
    assert "--replace" in refused.output and str(small_index.corpus.resolve()) in refused.output
    again = runner.invoke(app, ["index"])
    assert again.exit_code == 0, again.output
    assert "the folder this index was built from" in again.output
    assert "already up to date" in again.output


def test_a_large_build_says_its_cost_before_embedding(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kotae.index.builder.LARGE_BUILD", 10)
    counting = CountingEmbedder(embedder)
    said: list[tuple[str, int]] = []  # the message, and the texts embedded when it was said
    corpus = write_small_corpus(tmp_path / "c")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx" / "index")
    report = IndexBuilder(
        settings, counting, notify=lambda m: said.append((m, len(counting.passages)))
    ).build()
    assert len(said) == 1 and re.search(r"^[\d,]+ texts to embed: about \d", said[0][0])
    assert "texts/s" in said[0][0]
    assert said[0][1] <= PROBE_TEXTS < len(counting.passages)  # said before the build embeds
    assert report.embedded_chunks > 0


def test_build_cost_reads_as_minutes_or_hours() -> None:
    assert "about 2 min" in BuildCost(960, 8.0).describe()
    assert "about 2.5 h" in BuildCost(72_000, 8.0).describe()
    assert "KOTAE_MAX_FILE_MB" in BuildCost(72_000, 8.0).describe()


def test_a_followed_folder_that_is_gone_is_served_as_it_is(
    users_index: Path, small_index: BuiltIndex, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(corpus_dir=users_index, replace_index=True)
    IndexBuilder(settings, embedder).build()
    shutil.rmtree(users_index)
    engine = Engine(Settings(), embedder)
    with caplog.at_level(logging.WARNING, logger="kotae"):
        assert engine.ensure_index() is False
    assert "is gone" in caplog.text
    assert engine.load().documents
