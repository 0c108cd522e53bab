"""The municipal FAQ dev set (eval/dev-sets/faq) loads cleanly against its own corpus.

Cheap (no model, no index): it guards the files others measure on against a bad edit.
"""

from collections import Counter

import pytest

from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import Question, load_questions
from kotae.ingest import read_corpus
from kotae.ingest.text import nfkc
from tests.conftest import ROOT

FAQ = ROOT / "eval" / "dev-sets" / "faq"


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    docs, skipped = read_corpus(FAQ / "corpus")
    assert not skipped
    return {d.doc_id: d.text for d in docs}


@pytest.fixture(scope="module")
def questions(documents: dict[str, str]) -> list[Question]:
    return load_questions(FAQ / "questions.jsonl", documents)


def test_corpus_is_many_short_faq_pages(documents: dict[str, str]) -> None:
    assert 25 <= len(documents) <= 45
    assert all(doc_id.endswith(".txt") for doc_id in documents)
    assert all(500 <= len(text) <= 3000 for text in documents.values())


def test_questions_cover_the_corpus_in_both_languages(
    questions: list[Question], documents: dict[str, str]
) -> None:
    langs = Counter(q.lang for q in questions)
    assert len(questions) >= 60
    assert set(langs) == {"ja", "en"} and langs["en"] >= 12
    assert {d for q in questions for d in q.relevant} == set(documents)
    assert sum(len(q.relevant) > 1 for q in questions) >= 3  # answers spread over two pages


def test_every_answer_string_is_specific_to_one_place(
    questions: list[Question], documents: dict[str, str]
) -> None:
    """An answer string found more than once in its page would make any passage of it count."""
    normalised = {d: nfkc(t) for d, t in documents.items()}
    repeated = [
        (q.id, doc, a)
        for q in questions
        for doc, answers in q.relevant.items()
        for a in answers
        if normalised[doc].count(a) != 1
    ]
    assert repeated == []


def test_offtopic_file_loads_and_asks_nothing_the_set_asks(questions: list[Question]) -> None:
    offtopic = load_offtopic(FAQ / "offtopic.jsonl")
    assert len(offtopic) >= 20  # one question moves the rate by at most 0.05
    assert {o.lang for o in offtopic} == {"ja", "en"}
    assert not {o.question for o in offtopic} & {q.question for q in questions}
