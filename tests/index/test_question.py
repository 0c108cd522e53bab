"""The question is read once (issue 26): one record, each reading its stage's own rule."""

from __future__ import annotations

import pytest

from kotae.index import question as question_module
from kotae.index.question import as_question, read_question
from kotae.index.question_type import answer_type, question_type
from kotae.ingest.dates import western_years, years_in_question
from kotae.ingest.text import nfkc
from kotae.service.engine import Engine
from kotae.service.short_answer import ShortAnswerFinder, short_answer_of


@pytest.mark.parametrize(
    "text",
    [
        "平成19年の2+2に出席したのは誰？",
        "２０２４年の会合はどこで開かれた？",
        "Who attended the 2007 meeting?",
        "1850年と2011年の違いは？",
        "本部はどこ？",
    ],
)
def test_each_reading_is_the_rule_its_stage_applied(text: str) -> None:
    q = read_question(text)
    assert q.text == text and q.normalized == nfkc(text)
    assert q.language == ("en" if text.startswith("Who") else "ja")
    assert q.kind == question_type(text)
    assert q.answer_kind is answer_type(text)
    assert q.years == years_in_question(text)  # 西暦 1900–2100 and 和暦
    assert q.written_years == set(western_years(nfkc(text), 1000, 2099))  # the scorer's
    assert q.terms is None and q.units is None  # no index, no weighed words
    assert as_question(q) is q


def test_an_answer_reads_its_question_once(
    corpus_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the extractive answer to its short answer, the question's kind is read once."""
    text = "2007年の2+2に米国から出席したのは誰？"
    hits = corpus_engine.search(text)  # given a string, retrieval reads it itself
    reads: list[str] = []

    def counted(question: str) -> str:
        reads.append(question)
        return question_type(question)

    monkeypatch.setattr(question_module, "question_type", counted)
    answer = corpus_engine.compose(text, hits)
    lexical = corpus_engine.loaded.snapshot.lexical
    short_answer_of(answer, ShortAnswerFinder(lexical), corpus_engine.loaded.snapshot.documents)
    assert answer.found and reads == [text]
    assert answer.read is not None and answer.read.terms is not None
    assert answer.read.years == {2007}


def test_a_whole_ask_reads_its_question_once(
    corpus_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrieval (its reranker too), the answer and its short answer take one reading: the
    record ``Engine.ask`` makes, not a string each reads again."""
    text = "2011年の2+2はどこで開かれた？"
    assert corpus_engine.settings.rerank  # the reranker reads the question's kind and years
    reads: list[str] = []

    def counted(question: str) -> str:
        reads.append(question)
        return question_type(question)

    monkeypatch.setattr(question_module, "question_type", counted)
    answer = corpus_engine.ask(text)
    assert answer.found and reads == [text]
    assert answer.read is not None and answer.read.years == {2011}
