"""The two readings of a question's kind (index/question_type.py) agree on shared words."""

from __future__ import annotations

import pytest

from kotae.index import question
from kotae.index.question_type import AnswerType, answer_type, question_type
from kotae.service import rerank, sentences


@pytest.mark.parametrize(
    ("question", "kind", "span"),
    [
        ("日本側の出席者は？", "who", AnswerType.PERSON),
        ("会合に参加者として来たのはどなた？", "who", AnswerType.PERSON),
        ("Whom did the minister meet?", "who", AnswerType.PERSON),
        ("2011年の会合に米国から出席した閣僚は？", "who", AnswerType.PERSON),
        ("式典に参加した人は？", "who", AnswerType.PERSON),
        ("本部はどこにある？", "where", AnswerType.PLACE),
        ("入場料はいくら？", "number", AnswerType.NUMBER),
        ("なぜ延期された？", "why", AnswerType.NONE),
        ("延期の理由は？", "why", AnswerType.NONE),
        ("正式名称は？", "", AnswerType.NAME),
    ],
)
def test_shared_question_words_read_the_same_kind(
    question: str, kind: str, span: AnswerType
) -> None:
    assert question_type(question) == kind
    assert answer_type(question) is span


def test_the_sentence_scorer_and_the_reranker_read_one_rule_set() -> None:
    """Both take the question as ``index.question`` reads it, by ``question_type``; the
    sentence scorer reads the FAQ's question lines by it too."""
    assert question.question_type is question_type
    assert sentences.as_question is rerank.as_question is question.as_question
    assert sentences.question_type is question_type
