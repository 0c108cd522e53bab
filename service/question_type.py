"""What kind of short fact a question asks for, read from its wording alone.

A short answer only makes sense for a factoid: a name, a date, a place, a number. Questions
asking why or how, or for an explanation or a list, are answered by whole sentences, so they get
``NONE`` and no span is extracted. Everything else that still has a gap (JSQuAD's many
「…のは？」/「…は何？」) is ``THING``: the span is found by where the question's words sit in
the sentence rather than by the kind of word.
"""

from __future__ import annotations

import re
from enum import StrEnum

from ingest.text import nfkc


class AnswerType(StrEnum):
    NONE = "none"
    PERSON = "person"
    DATE = "date"
    PLACE = "place"
    NUMBER = "number"
    NAME = "name"
    THING = "thing"


_NONE_JA = re.compile(
    r"なぜ|何故|どうして|どのよう|どういう(?:理由|経緯|意味|こと)|理由|経緯|説明して"
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
            r"|何時間|何分|何秒|何[かヶカケ]月|何週|いくら|いくつ|どのくらい|どれくらい|どれほど|どの程度|何メートル|何キロ|何ゲーム|幾"
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(r"誰|だれ|どなた|何者|人物は|人物名|人名|氏名|著者|作者|(?:出席|参加|列席|同席)者"),
    ),
    (AnswerType.PLACE, re.compile(r"どこ|何処|何県|何市|何国|どの国|場所|所在地|地域は|出身地")),
    (
        AnswerType.NAME,
        re.compile(r"何という|何と(?:いう|呼|言|称)|名前|名称|正式名|略称|呼ばれ|愛称"),
    ),  # noqa: E501
]
_RULES_EN: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich year\b")),
    (AnswerType.NUMBER, re.compile(r"\bhow (?:many|much|long|old|far|large|big)\b")),
    (AnswerType.PERSON, re.compile(r"\bwho(?:m|se)?\b")),
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
