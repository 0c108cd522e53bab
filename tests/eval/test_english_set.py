"""The English-over-JSQuAD dev set (eval/english-jsquad.jsonl) loads against the JSQuAD corpus.

Cheap (no model, no index): it guards the file others measure English questions on.
"""

import json
import re
from pathlib import Path

import pytest

from kotae.eval.questions import Question, load_questions
from kotae.ingest import read_corpus
from kotae.ingest.text import nfkc
from tests.conftest import ROOT

ENGLISH = ROOT / "eval" / "english-jsquad.jsonl"
JSQUAD = Path("/work/shared/dev-sets/jsquad-test")
KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

pytestmark = pytest.mark.skipif(
    not JSQUAD.is_dir(), reason="the JSQuAD dev set is not on this machine"
)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    docs, _ = read_corpus(JSQUAD / "corpus")
    return {d.doc_id: d.text for d in docs}


@pytest.fixture(scope="module")
def questions(documents: dict[str, str]) -> list[Question]:
    return load_questions(ENGLISH, documents)  # raises if an answer is not in its document


def test_the_set_is_english_and_spread_over_the_corpus(questions: list[Question]) -> None:
    assert len(questions) >= 80
    assert all(q.lang == "en" for q in questions)
    assert not [q.id for q in questions if KANA_OR_KANJI.search(q.question)]
    assert len({next(iter(q.relevant)) for q in questions}) >= 40


def test_every_answer_string_occurs_once_in_its_document(
    questions: list[Question], documents: dict[str, str]
) -> None:
    """An answer string found twice would make a passage count that does not answer."""
    normalised = {d: nfkc(t) for d, t in documents.items()}
    repeated = [
        (q.id, a)
        for q in questions
        for doc, answers in q.relevant.items()
        for a in answers
        if normalised[doc].count(a) != 1
    ]
    assert repeated == []


def test_each_question_names_its_japanese_original() -> None:
    """Every line says which JSQuAD question it renders (field ``jsquad``), same document, so
    English and Japanese can be compared question by question."""
    originals = {
        q["id"]: q
        for q in map(json.loads, (JSQUAD / "questions.jsonl").read_text("utf-8").splitlines())
    }
    lines = [json.loads(line) for line in ENGLISH.read_text("utf-8").splitlines() if line]
    assert all(originals[e["jsquad"]]["doc"] == e["doc"] for e in lines)
    assert len({e["jsquad"] for e in lines}) == len(lines)
