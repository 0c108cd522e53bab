"""The passages /api/ask shows (top 5) are the first of what `kotae eval` ranks (top 10) and of
any deeper list: the candidate pool does not change with k."""

from __future__ import annotations

import pytest

from kotae.eval import QUESTIONS_FILE
from kotae.eval.questions import load_questions
from kotae.service.engine import Engine

# Differed before the pool was fixed: its 2011 参加者 line was 5th of 20 and missing from the 5.
ASKED = [
    "2011年の2+2の日本側出席者は？",
    "2+2の正式名称は？",
    "Who attended the 2024 meeting from Japan?",
]


@pytest.fixture(scope="module")
def questions(corpus_engine: Engine) -> list[str]:
    documents = {d: doc.text for d, doc in corpus_engine.loaded.snapshot.documents.items()}
    dev = load_questions(QUESTIONS_FILE, documents)
    return ASKED + [q.question for q in dev[::4]]


def test_the_top_five_are_the_first_five_of_every_deeper_search(
    corpus_engine: Engine, questions: list[str]
) -> None:
    retriever = corpus_engine.loaded.retriever
    for question in questions:
        five = [h.chunk_id for h in retriever.search(question, 5)]
        for k in (10, 20):
            deeper = [h.chunk_id for h in retriever.search(question, k)]
            assert deeper[:5] == five, (question, k)
