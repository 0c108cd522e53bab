"""Code-switched training questions (lab.reader.codeswitch): words put in English come from
JMdict, grammar stays Japanese, the same seed switches the same words, share 0 switches none."""

from __future__ import annotations

import random
from dataclasses import dataclass

from lab.reader.codeswitch import CodeSwitch, switched_questions

QUESTIONS = (
    "手塚治虫の漫画家としてのデビュー作は何？",
    "日本で最初のテレビアニメはいつ放送された？",
)


@dataclass(frozen=True)
class Asked:
    question: str


def test_every_word_in_english_keeps_the_grammar_and_glosses_from_jmdict() -> None:
    switch = CodeSwitch.for_questions(QUESTIONS)
    q = QUESTIONS[0]
    english = switch(q, random.Random(0), words=1.0)
    assert "cartoonist" in english and "debut" in english  # 漫画家, デビュー
    assert "の" in english and "として" in english  # particles are not words to translate
    assert "漫画家" not in english
    assert switch(q, random.Random(0), words=0.0) == q
    assert switch.switchable(q) >= 3


def test_the_share_of_questions_switched_is_seeded() -> None:
    switch = CodeSwitch.for_questions(QUESTIONS)
    asked = [Asked(q) for q in QUESTIONS * 50]
    first = switched_questions(switch, asked, random.Random(7), share=0.3)
    assert first == switched_questions(switch, asked, random.Random(7), share=0.3)
    changed = sum(a.question != q for a, q in zip(asked, first, strict=True))
    assert 10 <= changed <= 50  # about 30 of 100
    assert switched_questions(switch, asked, random.Random(7), share=0.0) == list(QUESTIONS * 50)
