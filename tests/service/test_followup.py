"""Follow-up resolution with the index's real Sudachi tokenizer, no model and no index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kotae.index.lexical import JapaneseTokenizer
from kotae.index.search import Filters, Hit, Period
from kotae.ingest.records import Chunk
from kotae.service.followup import (
    Resolved,
    Tuning,
    depends_on_context,
    period_of,
    resolve,
    topics,
    unpointed,
)

TOK = JapaneseTokenizer()
FIRST = "2007年の会合では何が合意された？"


def test_a_dependent_question_carries_the_year_and_topic() -> None:
    r = resolve("その時の日本側の出席者は？", [FIRST], TOK)
    assert r.understood_as is not None
    assert r.understood_as.startswith("その時の日本側の出席者は？")
    assert "2007年" in r.carried and "会合" in r.carried
    assert r.question.count("日本側の出席者は？") == Tuning().own_weight
    assert "その時" not in r.question  # resolved: the carried words say what it pointed at
    assert r.context == FIRST


@pytest.mark.parametrize(
    "question",
    [
        "普天間飛行場の移設先は？",
        "2024年7月に東京で行われた2+2の会場はどこでしたか？",
        "What is the treaty that created the alliance?",
        "1925年の大阪の人口は当時世界で何番目？",
    ],
)
def test_a_self_contained_question_is_unchanged(question: str) -> None:
    r = resolve(question, [FIRST], TOK)
    assert r == Resolved(question)


@pytest.mark.parametrize(
    ("question", "dependent"),
    [
        ("Who attended that meeting from Japan?", True),
        ("Where was it held?", True),
        ("And the US side?", True),
        ("同じ年に開かれた会合の場所は？", True),
        ("同社のスローガンは？", True),
        ("アメリカ側は？", True),
        ("何時間？", True),
        ("Who attended the 2007 meeting from Japan?", False),
        ("日米の外相と防衛相は誰でしたか？", False),
        ("それぞれの国の首都はどこ？", False),
    ],
)
def test_what_counts_as_depending_on_the_conversation(question: str, dependent: bool) -> None:
    assert depends_on_context(question, TOK) is dependent


def test_topics_keep_noun_phrases_as_written() -> None:
    assert topics("ジェイ・キャストはどんな会社？", TOK) == ["ジェイ・キャスト"]
    assert "2+2" in topics("2024年7月に東京で開かれた2+2の概要は？", TOK)
    assert topics("What was agreed at the May 2007 meeting?", TOK) == ["May", "2007", "meeting"]


def test_a_chain_of_follow_ups_keeps_the_first_topic() -> None:
    r = resolve("設立は何年？", ["宝島社について教えて", "その前身の会社は？"], TOK)
    assert r.understood_as is not None and "宝島社" in r.understood_as


def test_nothing_to_carry_and_no_history_change_nothing() -> None:
    assert resolve("その時の出席者は？", [], TOK).understood_as is None
    assert resolve("その時の出席者は？", ["   "], TOK).understood_as is None
    assert resolve("それは何？", ["何？"], TOK).understood_as is None


def _hit(doc_id: str) -> Hit:
    return Hit(0, Chunk(doc_id=doc_id, start=0, end=1, text="x", date=None), 1.0, 1.0)


def test_a_follow_up_searches_the_documents_the_earlier_question_found() -> None:
    first = "日米の会合では何が合意された？"  # names no year: narrowed by documents
    r = resolve("その時の出席者は？", [first], TOK)
    assert not r.period
    seen: list[tuple[str, int]] = []

    def search(question: str, k: int, filters: Filters | None) -> list[Hit]:
        seen.append((question, k))
        return [_hit("a"), _hit("b"), _hit("a")]

    assert r.filters(Filters(), search).doc_ids == {"a", "b"}
    assert seen == [(first, Tuning().context_passages)]
    narrowed = r.filters(Filters(frozenset({"b", "c"}), "2007-01-01"), search)
    assert narrowed == Filters(frozenset({"b"}), "2007-01-01")
    assert r.filters(Filters(frozenset({"c"})), search) == Filters(frozenset({"c"}))
    assert Resolved("x").filters(Filters(), search) == Filters()


def test_what_the_first_question_asked_is_not_carried_only_its_topic() -> None:
    # 何が合意された asks about the agreement; その時の出席者 asks about the same meeting.
    assert "合意" in topics(FIRST, TOK)
    assert topics(FIRST, TOK, predicates=False) == ["2007年", "会合"]
    r = resolve("その時の日本側の出席者は？", [FIRST], TOK)
    assert r.carried == ("2007年", "会合")
    assert r.understood_as == "その時の日本側の出席者は？（2007年・会合）"
    asked = "米国は尖閣諸島について何を確認した？"
    assert topics(asked, TOK, predicates=False) == ["米国", "尖閣諸島"]


def test_english_topics_keep_2_plus_2() -> None:
    r = resolve(
        "How many outcome documents were there?", ["What came out of the June 2011 2+2?"], TOK
    )
    assert r.carried == ("June", "2011", "2+2")
    assert r.period == Period("2011", "06")


@pytest.mark.parametrize(
    ("carried", "question", "period"),
    [
        (("2024年7月", "東京", "2+2"), "その会場はどこ？", "2024-07"),
        (("2007年", "会合"), "その時の出席者は？", "2007"),
        (("June", "2011", "2+2"), "Where was it held?", "2011-06"),
        (("1月", "ワシントン"), "その時の出席者は？", "--01"),  # a month of any year
        (("January", "2+2"), "Who attended it?", "--01"),
        (("2007年", "会合"), "2024年の会合はどこ？", ""),  # the question names its own year
        (("May", "June", "2011"), "Where was it held?", "2011"),  # two months: the year only
        (("2011年", "2+2"), "6月の会合では何が決まった？", "2011-06"),  # its month, year carried
        (("2011", "2+2"), "What was agreed there in June?", "2011-06"),
        (("2011", "2+2"), "May I ask who attended it?", "2011"),  # "May" opening a question
        (("june", "2011"), "Where was it held?", "2011-06"),  # typed in lower case
        (("may", "2011"), "Where was it held?", "2011"),  # "may" in lower case is the verb
        (("2011年6月", "2+2"), "その年の9月には？", "2011-09"),  # the question's month wins
    ],
)
def test_the_carried_period(carried: tuple[str, ...], question: str, period: str) -> None:
    assert str(period_of(carried, question)) == period


@pytest.mark.parametrize(
    ("period", "date", "holds"),
    [
        (Period("2007"), "2007-05-01", True),
        (Period("2007"), "2008-05-01", False),
        (Period("2011", "06"), "2011-06", True),
        (Period("2011", "06"), "2011-09-13", False),
        (Period("", "01"), "2024-01-12", True),
        (Period("", "01"), "2024-11-01", False),
        (Period("2007"), None, False),
        (Period(), "2007-05-01", False),
    ],
)
def test_a_period_holds_the_dates_in_it(period: Period, date: str | None, holds: bool) -> None:
    assert period.holds(date) is holds


def _dated(doc_id: str, date: str | None) -> Hit:
    return Hit(0, Chunk(doc_id=doc_id, start=0, end=1, text="x", date=date), 1.0, 1.0)


def test_a_carried_period_is_preferred_when_passages_are_dated_in_it() -> None:
    r = resolve("その時の出席者は？", [FIRST], TOK)
    assert r.period == Period("2007")
    first_date = "2007-05-01"

    def search(question: str, k: int, filters: Filters | None) -> list[Hit]:
        hits = [_dated("a", first_date), _dated("b", "2011-06")][:k]
        period = filters.prefer if filters else None
        return [replace(h, preferred=bool(period and period.holds(h.chunk.date))) for h in hits]

    # Preferred, not filtered: the user's own filter stays as it was, nothing is excluded.
    assert r.filters(Filters(), search) == Filters(prefer=Period("2007"))
    mine = Filters(frozenset({"a", "b"}), "2007-03-01")
    assert r.filters(mine, search) == replace(mine, prefer=Period("2007"))
    first_date = "2010-01-01"  # nothing ranks first dated in 2007: the documents, as before
    assert r.filters(Filters(), search) == Filters(frozenset({"a", "b"}))


def test_carried_words_naming_every_document_searched_are_left_out_of_the_search() -> None:
    r = resolve("その市が合併したのは何年？", ["下関市はどんな都市？"], TOK)
    assert r.carried == ("下関市",)
    assert r.understood_as == "その市が合併したのは何年？（下関市）"  # still shown
    titles = {"a": "下関市", "b": "北九州市", "c": "下関市の歴史"}.get
    own = " ".join(["市が合併したのは何年？"] * Tuning().own_weight)
    assert r.search_text(Filters(frozenset({"a"})), titles) == own
    assert r.search_text(Filters(frozenset({"a", "c"})), titles) == own
    assert r.search_text(Filters(frozenset({"a", "b"})), titles) == r.question  # b lacks it
    assert r.search_text(Filters(), titles) == r.question  # not narrowed to documents
    assert r.search_text(Filters(frozenset({"x"})), lambda d: None) == r.question
    kept = resolve(
        "その市が合併したのは何年？", ["下関市はどんな都市？"], TOK, Tuning(drop_titles=False)
    )
    assert kept.search_text(Filters(frozenset({"a"})), titles) == kept.question


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("その時の日本側の出席者は？", "日本側の出席者は？"),
        ("その時、米国は尖閣諸島について何を確認した？", "米国は尖閣諸島について何を確認した？"),
        ("その新しい司令部は誰の指揮下に置かれる？", "新しい司令部は誰の指揮下に置かれる？"),
        ("同じ年に開かれた会合の場所は？", "開かれた会合の場所は？"),
        ("その会場は？", "会場は？"),
        ("それは？", "それは？"),  # nothing of its own left: searched as asked
        ("Who attended that meeting?", "Who attended that meeting?"),
    ],
)
def test_pointing_words_are_not_searched(question: str, searched: str) -> None:
    assert unpointed(question, TOK) == searched


def test_a_follow_up_searches_its_own_words_without_the_pointing_ones() -> None:
    r = resolve("その時の日本側の出席者は？", [FIRST], TOK)
    assert r.understood_as == "その時の日本側の出席者は？（2007年・会合）"  # shown as asked
    assert r.question.startswith("日本側の出席者は？")
    kept = resolve("その時の日本側の出席者は？", [FIRST], TOK, Tuning(drop_pointers=False))
    assert kept.question.startswith("その時の日本側の出席者は？")


def test_an_english_follow_up_repeats_its_own_words_english_own_weight_times() -> None:
    asked = "Who attended that meeting?"
    history = ["What was agreed at the 2007 meeting?"]
    r = resolve(asked, history, TOK, Tuning(own_weight=2, english_own_weight=3))
    assert r.understood_as is not None and r.question.count(asked) == 3
    ja = resolve("その時の出席者は？", [FIRST], TOK, Tuning(own_weight=2, english_own_weight=3))
    assert ja.question.count("出席者は？") == 2
