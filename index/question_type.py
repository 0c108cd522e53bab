"""What a question asks for, read from its wording alone: the one place kotae's question-word
rules live.

Two readings, fitted separately and so kept apart:

- ``answer_type`` — the kind of short span (:mod:`service.short_answer`). A short answer only
  makes sense for a factoid: a name, a date, a place, a number. Questions asking why or how, or
  for an explanation or a list, get ``NONE`` and no span is extracted. Everything else that still
  has a gap (JSQuAD's many 「…のは？」/「…は何？」) is ``THING``: the span is found by where the
  question's words sit in the sentence rather than by the kind of word.
- ``question_type`` — the kind of fact a quoted sentence or a passage should hold ("who",
  "when", "where", "number", "why" or ""), a feature of the sentence scorer, the reranker and
  the FAQ pair matcher (:mod:`service.sentences`, :mod:`service.rerank`, :mod:`service.faq`).

They share their question words (``WHO_JA`` …) but not every rule: the sentence kinds were
fitted with their own (何年ぶり is a number, not a date; 何県 is not asked of a sentence), and
merging the two tables changes about 4 % of the dev questions' kinds, so it needs a refit of
every model that reads them.
"""

from __future__ import annotations

import re
from enum import StrEnum

from kotae.ingest.text import nfkc

# Question words both readings share.
WHO_JA = (
    r"誰|だれ|どなた|何者|(?:出席|参加|列席|同席)者"
    r"|(?:出席|参加|列席|同席)し(?:た|ている)(?:閣僚|人物|人|メンバー)(?:は|を|が)"
)
WHO_EN = r"\bwho(?:m|se)?\b"
WHY_JA = r"なぜ|何故|どうして|理由"
WHERE_JA = r"どこ|何処"
HOW_MUCH_JA = r"いくら|いくつ"
# The words a Japanese question asks with (何, どこ, 誰 …): the noun next to one is what the
# question is about (``index.question.question_focus``).
WH_WORDS = (
    "何",
    "どこ",
    "誰",
    "だれ",
    "いつ",
    "いくら",
    "いくつ",
    "どの",
    "どう",
    "なぜ",
    "どれ",
    "どちら",
)

QuestionType = str  # "who" | "when" | "where" | "number" | "why" | ""
_QUESTION_TYPES: tuple[tuple[QuestionType, re.Pattern[str]], ...] = (
    ("who", re.compile(rf"{WHO_JA}|{WHO_EN}", re.I)),
    (
        "when",
        re.compile(
            r"いつ|何年(?!間|ぶり)|何月|何日(?!間)|何時(?!間)"
            r"|\bwhen\b|what (?:year|date|day|month)",
            re.I,
        ),
    ),
    (
        "where",
        re.compile(
            rf"{WHERE_JA}|どの(?:国|都市|場所|地域)|\bwhere\b"
            r"|(?:which|what) (?:countr(?:y|ies)|cit(?:y|ies)|places?)",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"何(?:人|回|件|個|本|名|社|台|倍|割|キロ|メートル|%|パーセント|万|億|時間|分|年間|日間|年ぶり)"
            rf"|{HOW_MUCH_JA}"
            r"|どれ(?:くらい|ぐらい|だけ)|どの(?:くらい|ぐらい)|how (?:many|much|long|far|old|big)",
            re.I,
        ),
    ),
    ("why", re.compile(rf"{WHY_JA}|\bwhy\b|for what reason", re.I)),
)


def question_type(question: str) -> QuestionType:
    """The kind of fact an answering sentence holds: a person for 誰/who, a date for いつ/when,
    a place for どこ/where, a number for 何人/how many, a reason for なぜ/why ("" if none)."""
    text = nfkc(question)
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(text):
            return name
    return ""


class AnswerType(StrEnum):
    NONE = "none"
    PERSON = "person"
    DATE = "date"
    PLACE = "place"
    NUMBER = "number"
    NAME = "name"
    THING = "thing"


_NONE_JA = re.compile(
    rf"{WHY_JA}|どのよう|どういう(?:理由|経緯|意味|こと)|経緯|説明して"
    r"|何のため|目的は|背景|列挙|挙げて|違いは|どう(?:違|変わ|なる|な[っりれ])"
)
_NONE_EN = re.compile(
    r"\b(why|explain|describe|list|what (?:are|were) the (?:reasons|differences)|"
    r"how (?:do|does|did|can|could|should|is|are|was|were|has|have|will|would))\b"
)
_RULES_JA: list[tuple[AnswerType, re.Pattern[str]]] = [
    (
        AnswerType.DATE,
        re.compile(r"いつ|何年(?!生)|何月|何日|何時(?!間)|何世紀|年代は|日付|年月日|何曜|時期"),
    ),
    (
        AnswerType.NUMBER,
        re.compile(
            r"何[人名回度個本台件歳勝敗点%％位番号割倍枚冊号隻機社校局話巻部曲基頭匹羽杯円万億]"
            r"|何時間|何分|何秒|何[かヶカケ]月|何週"
            rf"|{HOW_MUCH_JA}|どのくらい|どれくらい|どれほど|どの程度|何メートル|何キロ|何ゲーム|幾"
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(rf"{WHO_JA}|人物は|人物名|人名|氏名|著者|作者"),
    ),
    (AnswerType.PLACE, re.compile(rf"{WHERE_JA}|何県|何市|何国|どの国|場所|所在地|地域は|出身地")),
    (
        AnswerType.NAME,
        re.compile(r"何という|何と(?:いう|呼|言|称)|名前|名称|正式名|略称|呼ばれ|愛称"),
    ),  # noqa: E501
]
_RULES_EN: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich year\b")),
    (AnswerType.NUMBER, re.compile(r"\bhow (?:many|much|long|old|far|large|big)\b")),
    (AnswerType.PERSON, re.compile(WHO_EN)),
    (AnswerType.PLACE, re.compile(r"\bwhere\b|\bwhich (?:city|country|place|prefecture)\b")),
    (AnswerType.NAME, re.compile(r"\bcalled\b|\bname\b|\bstand for\b|\babbreviat")),
]


def answer_type(question: str) -> AnswerType:
    """The kind of span the question asks for; ``NONE`` when it wants sentences, not a span."""
    q = nfkc(question).lower()
    if _NONE_EN.search(q) or _NONE_JA.search(q):
        return AnswerType.NONE
    for kind, pattern in _RULES_EN + _RULES_JA:
        if pattern.search(q):
            return kind
    return AnswerType.THING
