"""Short answers: always an exact, non-empty span inside the sentence; none for why/how."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kotae.index.lexical import LexicalIndex
from kotae.index.question_type import AnswerType, answer_type
from kotae.ingest.text import split_sentences
from kotae.service.short_answer import ShortAnswerFinder, _morphs, about_other_years, side_markers

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module")
def finder(documents: dict[str, str]) -> ShortAnswerFinder:
    return ShortAnswerFinder(LexicalIndex.build(list(documents.values())))


def test_span_is_exact_nonempty_and_inside_its_sentence(
    finder: ShortAnswerFinder, documents: dict[str, str]
) -> None:
    """Every dev question against many sentences of its document (and of another one)."""
    questions = [
        json.loads(line) for line in (ROOT / "eval/questions.jsonl").read_text().splitlines()
    ]
    names = list(documents)
    checked = found = 0
    for i, q in enumerate(questions):
        for doc_id in (q["doc"], names[i % len(names)]):
            text = documents[doc_id]
            for start, end in split_sentences(text)[i % 7 :: 9]:
                short = finder.find(q["question"], 1, doc_id, text, start, end)
                checked += 1
                if short is None:
                    continue
                found += 1
                assert short.text, (q["question"], text[start:end])
                assert short.text.strip() == short.text
                assert start <= short.start < short.end <= end
                assert text[short.start : short.end] == short.text
                assert short.doc_id == doc_id and short.n == 1
    assert checked > 800
    assert found > checked / 3  # most factoid questions do get a span


def test_finds_the_date_the_name_and_the_number(finder: ShortAnswerFinder) -> None:
    sentence = "1960年1月19日、日米安全保障協議委員会（SCC）が設置された。"
    cases = [
        ("SCCが設置されたのはいつ？", "1960年1月19日"),
        ("When was the SCC set up?", "1960年1月19日"),
    ]
    for question, want in cases:
        short = finder.find(question, 2, "d", sentence, 0, len(sentence))
        assert short is not None and short.text == want, (question, short)
    name = finder.find("1960年1月19日に設置されたのは何という委員会？", 1, "d", sentence, 0, 40)
    assert name is not None and "日米安全保障協議委員会" in name.text
    text = "会合には、日本側から外務大臣と防衛大臣の計２人が出席した。"
    short = finder.find("日本側から何人が出席した？", 1, "d", text, 0, len(text))
    assert short is not None and "２人" in short.text


@pytest.mark.parametrize(
    "question",
    [
        "なぜ米国は当初閣僚級を出さなかったのですか？",
        "普天間飛行場の移設が遅れた理由は？",
        "辺野古への移設はどのように決まったのか",
        "Why didn't the United States originally send cabinet-level officials?",
        "How did the 2+2 change after 2005?",
        "Explain the roadmap for realignment.",
    ],
)
def test_no_short_answer_for_why_and_how(finder: ShortAnswerFinder, question: str) -> None:
    assert answer_type(question) is AnswerType.NONE
    text = "1960年1月19日、日米安全保障協議委員会（SCC）が設置された。"
    assert finder.find(question, 1, "d", text, 0, len(text)) is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("融通念仏宗の祖は誰ですか？", AnswerType.PERSON),
        ("Who attended from the US side in May 2007?", AnswerType.PERSON),
        ("聖徳太子が法華義疏を著したのはいつ？", AnswerType.DATE),
        ("What year was the first meeting held?", AnswerType.DATE),
        ("松本人志の所属事務所はどこか。", AnswerType.PLACE),
        ("何人が新戦力として加わったか？", AnswerType.NUMBER),
        ("How many ministers attended?", AnswerType.NUMBER),
        ("２＋２の正式名称は？", AnswerType.NAME),
        ("What is the 2+2 officially called?", AnswerType.NAME),
        ("浄土宗の祖であるのは？", AnswerType.THING),
    ],
)
def test_answer_type(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind


def test_blank_sentence_has_no_short_answer(finder: ShortAnswerFinder) -> None:
    assert finder.find("誰？", 1, "d", "   ", 0, 3) is None


def test_a_sentence_about_another_year_gives_no_short_answer() -> None:
    sentence = "が、2013年10月の「2+2」は東京開催で、ケリー国務長官とヘーゲル国防長官が出席。"
    assert about_other_years("2024年の2+2に日本から出席したのは誰？", sentence)
    assert about_other_years("令和5年の会合の出席者は？", sentence)
    assert about_other_years("Who attended the 2024 meeting from Japan?", sentence)
    assert not about_other_years("2013年の2+2に出席した長官は誰？", sentence)
    assert not about_other_years("東京開催の2+2に出席した長官は誰？", sentence)
    assert not about_other_years("岸田外務大臣及び小野寺防衛大臣が出席したのは？", sentence)


def test_dates_and_numbers_may_come_from_a_sentence_about_other_years() -> None:
    """「2011年の会合で見直された目標は何年に決められた？」 is answered by 「2005年と2007年に…」."""
    sentence = "2005年と2007年に定められた日米同盟の共通の戦略目標の再確認と見直し。"
    assert not about_other_years("2011年の会合で見直された目標は何年に決められた？", sentence)
    assert not about_other_years("2011年の会合の何年前に決められた？", sentence)


def test_who_attended_as_a_minister_is_not_answered_with_a_place(
    finder: ShortAnswerFinder,
) -> None:
    """「出席した閣僚は？」 asks who: read as a 「…は？」 gap it got 「ワシントンD.C」."""
    text = (
        "2011年6月21日,米国国務省(ワシントンD.C.)に日本の外務大臣と防衛大臣,"
        "米国の国務長官と国防長官が集まり,日米の安全保障・防衛協力に関わる幅広いテーマについて"
        "話し合われました。"
    )
    short = finder.find("2011年の会合に米国から出席した閣僚は？", 1, "d", text, 0, len(text))
    assert short is None or "ワシントン" not in short.text, short


BOTH_SIDES = [
    "1月12日4時00分(米国時間:11日14時00分)から、米国ワシントンD.C.において、約2時間30分、"
    "日米安全保障協議委員会(日米「2+2」)が開催され、日本側からは、林芳正外務大臣及び浜田靖一防衛大臣が、"
    "米側からは、アントニー・ブリンケン国務長官及びロイド・オースティン国防長官がそれぞれ出席したところ",
    "日本から上川陽子外務大臣、木原稔防衛大臣が、アメリカはブリンケン国務長官、オースティン国防長官が出席。",
    "参加者：（日本側）北澤防衛大臣，松本外務大臣（米側）ゲイツ国防長官，クリントン国務長官",
]
JAPAN = ("林芳正", "浜田", "上川", "木原", "北澤", "松本")
US = ("ブリンケン", "オースティン", "ゲイツ", "クリントン")


@pytest.mark.parametrize("sentence", BOTH_SIDES)
@pytest.mark.parametrize(
    ("question", "other_side"),
    [
        ("2024年の2+2に日本から出席したのは誰？", US),
        ("2023年の2+2で日本側から出席したのは誰？", US),
        ("Who attended the July 2024 meeting in Tokyo from Japan?", US),
        ("2011年の会合に米国から出席した閣僚は？", JAPAN),
        ("2024年7月の2+2でアメリカ側から出席したのは誰？", JAPAN),
        ("Who attended the 2011 2+2 from the US side?", JAPAN),
    ],
)
def test_a_question_naming_a_side_gets_a_name_from_that_side(
    finder: ShortAnswerFinder, sentence: str, question: str, other_side: tuple[str, ...]
) -> None:
    """「日本側からは A、米側からは B」: both names are next to the question's 出席, but only the
    names after the side the question names answer it (issue 15: 「…日本から出席したのは誰？」 got
    ロイド・オースティン国防長官)."""
    short = finder.find(question, 1, "d", sentence, 0, len(sentence))
    assert short is None or not any(name in short.text for name in other_side), short


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "下関市の気候は日本海側気候と瀬戸内海式気候と何の境界に当たるか",
            "下関市の気候は複雑で、日本海側気候と瀬戸内海式気候と太平洋側気候の境界に当たる。",
        ),
        ("2024年の2+2に日本から出席したのは誰？", "日本から上川陽子外務大臣が出席した。"),
    ],
)
def test_no_sides_in_a_compound_or_with_one_side_only(
    finder: ShortAnswerFinder, question: str, sentence: str
) -> None:
    """「日本海側気候」 is a climate, not a side; one side alone separates nothing."""
    terms = finder._question_terms(question)
    assert side_markers(_morphs(finder.lexical.tokenizer, sentence), terms) is None
