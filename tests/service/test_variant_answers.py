"""The documents' wording answers a question in the resident's: 外相 is the page's 外務大臣, on
the real corpus index with the real embedder, and a date filter is no reason to refuse."""

from __future__ import annotations

from kotae.index.search import Filters
from kotae.service.engine import Engine

YEAR_2007 = Filters(date_from="2007-01-01", date_to="2007-12-31")


def test_a_date_filter_does_not_refuse_what_naming_the_year_answers(corpus_engine: Engine) -> None:
    named = corpus_engine.ask("2007年の日米の外相と防衛相は誰でしたか？")
    assert named.found
    filtered = corpus_engine.ask("日米の外相と防衛相は誰でしたか？", 5, YEAR_2007)
    assert filtered.found, filtered.confidence
    assert any("麻生外務大臣" in q.text for q in filtered.quotes)  # 日米: either side's line first
    both = corpus_engine.ask("2007年の日米の外相と防衛相は誰でしたか？", 5, YEAR_2007)
    assert both.found, both.confidence


def test_an_abbreviated_title_finds_the_full_one(corpus_engine: Engine) -> None:
    short = corpus_engine.ask("2007年の日米の外相と防衛相は誰でしたか？")
    full = corpus_engine.ask("2007年の日米の外務大臣と防衛大臣は誰でしたか？")
    assert short.found and full.found
    assert any("麻生外務大臣" in q.text for q in short.quotes)
    assert any("麻生外務大臣" in q.text for q in full.quotes)
