from pathlib import Path

import pytest

from kotae.ingest import Chunker, read_corpus, split_sentences
from kotae.ingest.records import Document
from tests.conftest import CORPUS


def test_every_chunk_of_every_corpus_document_round_trips() -> None:
    documents, skipped = read_corpus(CORPUS)
    assert len(documents) == 5 and not skipped
    chunker = Chunker(400, 80)
    for doc in documents:
        original = (CORPUS / doc.doc_id).read_text(encoding="utf-8")
        assert doc.text == original, "stored text must be the file's text, never normalised"
        chunks = chunker.split(doc)
        assert chunks
        for c in chunks:
            assert original[c.start : c.end] == c.text
            assert len(c.text) <= 400
        # Together the chunks cover every non-space character of the document.
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        missing = [i for i, ch in enumerate(original) if not ch.isspace() and i not in covered]
        assert not missing


def test_chunks_prefer_sentence_ends() -> None:
    text = "。".join(f"これは{i}番目の文です" for i in range(60)) + "。"
    chunks = Chunker(100, 20).split(Document("a.txt", text))
    assert len(chunks) > 3
    assert all(c.text.endswith("。") for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_overlap_repeats_text_between_neighbours() -> None:
    text = "\n".join(f"第{i}段落の内容を説明する文章がここに入ります。" for i in range(40))
    chunks = Chunker(120, 40).split(Document("a.txt", text))
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:], strict=False))


def test_overlap_must_be_below_size() -> None:
    with pytest.raises(ValueError, match="chunk_overlap"):
        Chunker(100, 100)


def test_sentences_keep_their_offsets() -> None:
    text = "  一つ目の文。二つ目！\n三つ目？ 四つ目\n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["一つ目の文。", "二つ目！", "三つ目？", "四つ目"]


def test_windows_line_endings_keep_exact_offsets(tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes("見出し\r\n\r\n本文の一文目。本文の二文目。\r\n".encode())
    docs, _ = read_corpus(tmp_path)
    for c in Chunker(10, 2).split(docs[0]):
        assert docs[0].text[c.start : c.end] == c.text
