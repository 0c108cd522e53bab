"""Awkward corpus files: each is indexed or reported by name, and never spoils the build."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kotae.cli.main import app as cli
from kotae.errors import EmptyCorpusError
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.snapshot import Snapshot
from kotae.ingest import Chunker, read_corpus, reader, split_sentences
from kotae.ingest.reader import decode, read_document
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.settings import Settings
from tests.conftest import CORPUS

SJIS_TEXT = "在日米軍の再編について。普天間飛行場の移設先はキャンプ・シュワブとされた。"
CRLF_TEXT = "日米共同訓練の概要\r\n\r\n北海道の演習場で実施された。\r\n参加人数は約千人。\r\n"
SPACED_NAME = "会議 メモ 2024.md"
NESTED = "年次/2024/七月/議事録.txt"


def _five_mb_text() -> str:
    """Real Japanese prose (the corpus, repeated) just over 5 MB in UTF-8."""
    corpus = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    return corpus * (5 * 2**20 // len(corpus.encode("utf-8")) + 1)


def _edge_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "whitespace.txt").write_text(" \n\t\u3000\r\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    noise = random.Random(7).randbytes(4096).replace(b"\x00", b"\x01")
    (folder / "noise.md").write_bytes(noise)
    (folder / "latin1.txt").write_bytes("Résumé du café: élan, déjà vu.".encode("latin-1"))
    (folder / "sjis.txt").write_bytes(SJIS_TEXT.encode("shift_jis"))
    (folder / "utf16.txt").write_bytes("日米同盟の抑止力。".encode("utf-16"))
    (folder / "big.txt").write_text(_five_mb_text(), encoding="utf-8")
    (folder / "crlf.txt").write_bytes(CRLF_TEXT.encode("utf-8"))
    (folder / SPACED_NAME).write_text("# 会議メモ\n嘉手納以南の土地返還を確認した。", "utf-8")
    nested = folder / NESTED
    nested.parent.mkdir(parents=True)
    nested.write_text("拡大抑止に関する閣僚会合を開催した。", encoding="utf-8")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def test_edge_case_corpus_builds_and_reports_each_bad_file(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = _edge_corpus(tmp_path / "edge")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx" / "index", max_file_mb=1)
    report = IndexBuilder(settings, embedder).build()

    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {
        "empty.txt",
        "whitespace.txt",
        "binary.txt",
        "noise.md",
        "latin1.txt",
        "big.txt",
        "slides.pdf",
    }
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["whitespace.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "iconv" in reasons["noise.md"] and "iconv" in reasons["latin1.txt"]
    assert "5.0 MB" in reasons["big.txt"] and "KOTAE_MAX_FILE_MB" in reasons["big.txt"]
    assert "unsupported type" in reasons["slides.pdf"]

    snap = Snapshot.load(settings.index_dir, settings)
    assert set(snap.documents) == {"sjis.txt", "utf16.txt", "crlf.txt", SPACED_NAME, NESTED}
    assert snap.documents["sjis.txt"].text == SJIS_TEXT
    assert snap.documents["crlf.txt"].text == CRLF_TEXT  # line endings kept, never normalised
    for c in snap.chunks:
        assert snap.documents[c.doc_id].text[c.start : c.end] == c.text
    engine = Engine(settings, embedder)
    engine.load()
    assert engine.search("普天間飛行場の移設先", 1)[0].chunk.doc_id == "sjis.txt"
    assert engine.search("北海道の演習場", 1)[0].chunk.doc_id == "crlf.txt"
    with TestClient(create_app(settings, engine)) as c:
        for doc_id in (SPACED_NAME, NESTED):
            r = c.get(f"/api/documents/{quote(doc_id)}")
            assert r.status_code == 200 and r.json()["doc_id"] == doc_id

    # The command line reports every skipped file by name, and re-embeds nothing.
    result = CliRunner().invoke(
        cli,
        ["index", str(corpus), "--index-dir", str(settings.index_dir)],
        env={"KOTAE_MAX_FILE_MB": "1"},
    )
    assert result.exit_code == 0, result.output
    for path, reason in reasons.items():
        assert f"skipped {path}: {reason}" in result.stderr
    assert "already up to date" in result.stdout


def test_a_corpus_of_only_bad_files_names_each_one(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\x00\x00")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx" / "index")
    with pytest.raises(EmptyCorpusError, match="no readable document") as error:
        IndexBuilder(settings, embedder).build()
    assert "skipped empty.txt: empty" in str(error.value)
    assert "skipped binary.txt: binary" in str(error.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("普天間飛行場の移設。".encode("shift_jis"), "普天間飛行場の移設。"),
        ("ﾃｽﾄのﾒﾓです".encode("cp932"), "ﾃｽﾄのﾒﾓです"),  # half-width katakana
        ("日米同盟".encode("utf-16"), "日米同盟"),
        ("\ufeff日米同盟".encode(), "日米同盟"),  # UTF-8 with BOM
        (b"plain ascii\r\n", "plain ascii\r\n"),
    ],
)
def test_text_encodings_are_decoded(raw: bytes, expected: str) -> None:
    assert decode(raw) == expected


def test_euc_jp_is_recognised_by_the_detector() -> None:
    text = "普天間飛行場の移設について日米両政府は合意した。"
    assert decode(text.encode("euc_jp")) == text


def test_short_shift_jis_the_detector_misreads_is_kept_by_the_cp932_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """charset-normalizer ranks short Shift_JIS as Korean (cp949), or may offer no Japanese
    encoding at all: the explicit CP932 rule still reads it."""
    raw = "普天間飛行場の移設。".encode("shift_jis")
    monkeypatch.setattr(reader.charset_normalizer, "from_bytes", lambda raw: [])
    assert decode(raw) == "普天間飛行場の移設。"
    with pytest.raises(ValueError, match="iconv"):
        decode("Schöne Grüße aus Köln".encode("latin-1"))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("naïve “quotes” résumé".encode("cp1252"), "iconv"),  # Latin text, not mojibake kanji
        ("Schöne Grüße aus Köln".encode("latin-1"), "iconv"),
        (random.Random(1).randbytes(2000).replace(b"\x00", b"\x01"), "iconv"),
        (("日本語の文章です。" * 20).encode() + b"\xff" + "続き。".encode(), "byte 540"),
        (b"GIF89a\x01\x00\x01\x00\x00\xff", "binary"),
    ],
    ids=["cp1252", "latin1", "random-bytes", "damaged-utf8", "nul-bytes"],
)
def test_undecodable_bytes_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode(raw)


def test_five_megabytes_are_read_and_chunked_quickly_with_exact_offsets(tmp_path: Path) -> None:
    text = _five_mb_text()
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    assert os.path.getsize(path) > 5 * 2**20
    started = time.perf_counter()
    doc = read_document(path, "big.txt")
    chunks = Chunker(400, 80).split(doc)
    sentences = [s for c in chunks for s in split_sentences(doc.text, c.start, c.end)]
    seconds = time.perf_counter() - started
    assert doc.text == text
    assert all(text[c.start : c.end] == c.text and len(c.text) <= 400 for c in chunks)
    assert chunks[-1].end >= len(text.rstrip())
    assert len(chunks) > 5000 and len(sentences) > len(chunks)
    assert seconds < 60, f"5 MB took {seconds:.1f} s to read and chunk"


def test_the_size_limit_is_a_setting(tmp_path: Path) -> None:
    (tmp_path / "two_mb.txt").write_text("あ。" * (2**20 // 3), encoding="utf-8")
    assert read_corpus(tmp_path)[0]
    docs, skipped = read_corpus(tmp_path, max_bytes=2**20)
    assert not docs and "KOTAE_MAX_FILE_MB" in skipped[0].reason
