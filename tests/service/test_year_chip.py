"""No 答え chip for a year the cited passages never hold (service/engine.py, ``Engine.ask``)."""

from __future__ import annotations

from kotae.service.abstain import years_missing
from kotae.service.engine import Engine
from kotae.service.short_answer import ShortAnswerFinder, short_answer_of

# The bundled pages report the 2007, 2011, 2023 (dated 令和6年 by its page) and 2024 meetings.
ABSENT_YEAR = ["2019年の日米2+2はどこで開かれた？", "2023年の2+2はどこで開かれた？"]


def test_a_year_no_cited_passage_holds_gets_no_chip(corpus_engine: Engine) -> None:
    loaded = corpus_engine.loaded
    finder = ShortAnswerFinder(loaded.snapshot.lexical)
    would_chip = 0
    for question in ABSENT_YEAR:
        answer = corpus_engine.ask(question)
        hits = [c.hit for c in answer.citations]
        assert years_missing(question, hits) == 1.0
        assert answer.short is None
        would_chip += short_answer_of(answer, finder, loaded.snapshot.documents) is not None
    assert would_chip  # the finder alone would have shown a chip: the rule is what removed it


def test_a_year_the_passages_hold_keeps_its_chip(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("2007年の会合に出席したアメリカの閣僚は誰ですか？")
    assert years_missing(answer.question, [c.hit for c in answer.citations]) == 0.0
    assert answer.found and answer.short is not None
