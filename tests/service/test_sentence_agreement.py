"""The index and the citation check cut the same text into the same sentences."""

from pathlib import Path

from kotae.ingest import Chunker, read_corpus
from kotae.ingest.text import split_sentences
from kotae.service.citecheck import split_sentences as answer_sentences

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_index_and_citation_check_agree_on_every_passage_of_the_corpus() -> None:
    documents, _ = read_corpus(CORPUS)
    chunker = Chunker()
    compared = 0
    for doc in documents:
        for chunk in chunker.split(doc):
            indexed = [doc.text[s:e] for s, e in split_sentences(doc.text, chunk.start, chunk.end)]
            checked = [s for s in answer_sentences(chunk.text) if len(s) >= 2]
            assert checked == indexed, f"{doc.doc_id} [{chunk.start}:{chunk.end}]"
            compared += len(indexed)
    assert compared > 200


def test_markers_only_join_the_sentence_before_on_the_same_line() -> None:
    answer = "辺野古です。[1] 東京です。\n[2] 大阪です。"
    assert answer_sentences(answer) == ["辺野古です。[1]", "東京です。", "[2] 大阪です。"]
