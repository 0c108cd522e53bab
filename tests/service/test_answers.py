"""What a person reads: the answering sentence first, never chrome, and "not found" when the
documents do not answer — on the real corpus index with the real embedder."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kotae.eval.answers import first_line, holds_answer
from kotae.service.answer import NOTHING_FOUND
from kotae.service.engine import Engine
from kotae.service.sentences import content_free, looks_like_furniture, question_type, word_share

OFF_TOPIC = [
    "明日の東京の天気は？",
    "寿司の握り方のコツは？",
    "How many calories are in an apple?",
    "What is the capital of France?",
    "チョコレートケーキの作り方を教えて",
]
CONTENT_FREE = ["？！。、…", "あああああ", "1234567890", "\u200b\u200b\u200b", "水", "ーーー", "!?"]


def _quoted_exactly(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    docs = engine.loaded.snapshot.documents
    for q in answer.quotes:
        hit = answer.citations[q.n - 1].hit
        assert docs[hit.chunk.doc_id].text[q.start : q.end] == q.text
        assert hit.chunk.start <= q.start < q.end <= hit.chunk.end


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_says_not_found_and_keeps_the_closest_passages(
    corpus_engine: Engine, question: str
) -> None:
    answer = corpus_engine.ask(question)
    assert not answer.found, (question, answer.confidence, answer.text)
    assert answer.text in NOTHING_FOUND.values() and answer.quotes == []
    assert answer.citations, "the closest passages are still listed"
    assert 0.0 <= answer.confidence < 0.5


@pytest.mark.parametrize("question", CONTENT_FREE)
def test_content_free_questions_are_not_found(corpus_engine: Engine, question: str) -> None:
    assert content_free(question)
    answer = corpus_engine.ask(question)
    assert not answer.found and answer.confidence == 0.0


@pytest.mark.parametrize("question", ["2+2の正式名称は？", "水道料金はいくら？", "Who is Rice?"])
def test_questions_with_content_are_not_content_free(question: str) -> None:
    assert not content_free(question)


def test_not_found_speaks_the_questions_language(corpus_engine: Engine) -> None:
    assert corpus_engine.ask("寿司の握り方のコツは？").text == NOTHING_FOUND["ja"]
    assert corpus_engine.ask("How do I bake bread?").text == NOTHING_FOUND["en"]


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("2+2の正式名称は？", ("日米安全保障協議委員会",)),
        # the site, by either name: キャンプ・シュワブ辺野古崎地区 (the reader puts 2007's
        # 「キャンプ・シュワブ沖の現況調査を開始」 first; the hand scorer put 2023's 馬毛島 line)
        ("普天間飛行場の移設先は？", ("辺野古", "キャンプ・シュワブ")),
    ],
)
def test_the_first_line_holds_the_answer(
    corpus_engine: Engine, question: str, needle: tuple[str, ...]
) -> None:
    answer = corpus_engine.ask(question)
    assert answer.found and answer.confidence >= 0.5
    assert holds_answer(first_line(answer.text), needle), answer.text
    _quoted_exactly(corpus_engine, question)


def test_quotes_are_best_first_one_a_line(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("日米の2+2はいつ作ることが決まったのですか？")
    scores = [q.score for q in answer.quotes]
    assert scores == sorted(scores, reverse=True)
    lines = answer.text.splitlines()
    assert lines == [f"{q.text} [{q.n}]" for q in answer.quotes]


def test_bylines_and_handles_are_not_quoted(corpus_engine: Engine) -> None:
    answer = corpus_engine.ask("Who attended the 2024 meeting from Japan?")
    assert answer.found and holds_answer(answer.text, ["上川"]), answer.text
    for q in answer.quotes:
        assert "掲載" not in q.text and "@nhk_news" not in q.text, answer.text


def test_a_chrome_line_is_never_quoted(corpus_engine: Engine) -> None:
    """Mark the sentence that would be quoted first as chrome: it must disappear."""
    question = "2+2の正式名称は？"
    loaded = corpus_engine.loaded
    before = corpus_engine.ask(question)
    first = before.quotes[0]
    sentences = loaded.snapshot.sentences
    rows = np.flatnonzero((sentences[:, 0] == first.start) & (sentences[:, 1] == first.end))
    marks = np.zeros(len(sentences), dtype=bool)
    marks[rows] = True
    snapshot = dataclasses.replace(loaded.snapshot)
    snapshot.sentence_furniture = marks  # type: ignore[attr-defined]
    pinned = dataclasses.replace(loaded, snapshot=snapshot)
    hits = loaded.retriever.search(question, 5)
    after = corpus_engine.compose(question, hits, pinned)
    assert rows.size and all((q.start, q.end) != (first.start, first.end) for q in after.quotes), (
        after.text
    )


@pytest.mark.parametrize(
    "line",
    [
        "2024年8月9日掲載",
        "— NHKニュース (@nhk_news) July 28, 2024",
        "わかる!国際情勢 トップページへ",
        "印刷用",
        "#日米2プラス2",
        "https://www.mofa.go.jp/",
    ],
)
def test_the_fallback_recognises_chrome(line: str) -> None:
    assert looks_like_furniture(line)


@pytest.mark.parametrize(
    "line", ["日米安全保障協議委員会は1960年に設置された。", "辺野古への移設を確認した。"]
)
def test_the_fallback_keeps_sentences(line: str) -> None:
    assert not looks_like_furniture(line)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("言い出したのは誰ですか？", "who"),
        ("Who attended?", "who"),
        ("最初の会合はいつ？", "when"),
        ("本部はどこ？", "where"),
        ("何人が参加した？", "number"),
        ("How many ministers attended?", "number"),
        ("東京での2+2は何時間ぐらい行われたの？", "number"),
        ("何年ぶりの開催ですか？", "number"),
        ("何年に始まった？", "when"),
        ("正式名称は？", ""),
    ],
)
def test_question_type(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_an_english_word_is_covered_by_any_of_its_terms_not_diluted_by_rare_ones() -> None:
    """The word "side" maps to many terms (側, 米側, 技術面 …): a sentence holding a common one
    covers it fully, a rare sense does not raise the bar, a sentence holding none covers none."""
    units = [{"ライス": 3.0}, {"側": 1.0, "米側": 2.0, "技術面": 3.0}]
    assert word_share(units, {"ライス", "米側"}) == pytest.approx(1.0)
    assert word_share(units, {"ライス", "技術面"}) == pytest.approx(1.0)
    assert word_share(units, {"ライス", "側"}) == pytest.approx(4.0 / 5.0)
    assert word_share(units, {"米側"}) == pytest.approx(2.0 / 5.0)
    assert word_share(units, {"会合"}) == 0.0
    assert word_share([], {"側"}) == 0.0


@pytest.mark.parametrize(
    "question",
    ["2007年の会合に出席したアメリカの閣僚は誰ですか？", "2007年の2+2に米側から出席したのは誰？"],
)
def test_a_list_line_of_names_answers_who_attended(corpus_engine: Engine, question: str) -> None:
    """「米側参加者：ライス国務長官　ゲイツ国防長官　他」 is no sentence, but it answers."""
    answer = corpus_engine.ask(question)
    assert answer.found, (answer.confidence, answer.text)
    assert holds_answer(first_line(answer.text), ["ライス国務長官"]), answer.text
    _quoted_exactly(corpus_engine, question)


@pytest.mark.parametrize("question", ["２＋２とは？", "2+2とは?", "What is the 2+2?"])
def test_a_question_is_never_quoted_as_an_answer(corpus_engine: Engine, question: str) -> None:
    """The heading 「「2+2(ツー・プラス・ツー)」会合とは?」 restates the question: no answer."""
    answer = corpus_engine.ask(question)
    assert answer.found, answer.text
    for quote in answer.quotes:
        assert not quote.text.rstrip().rstrip("」』)）").endswith(("?", "？")), answer.text


def test_not_questions_keeps_something_to_quote() -> None:
    from kotae.service.sentences import not_questions

    class C:
        def __init__(self, text: str) -> None:
            self.text = text

    texts = ["会合とは?", "正式名称は日米安全保障協議委員会です。", "「何か？」"]
    kept = not_questions([C(t) for t in texts], np.array([True, True, True]))  # type: ignore[misc]
    assert kept.tolist() == [False, True, False]
    only = not_questions([C("会合とは?")], np.array([True]))  # type: ignore[list-item]
    assert only.tolist() == [True]


@pytest.mark.parametrize("question", ["２＋２とは？", "2+2とは?"])
def test_a_heading_or_caption_is_not_quoted_when_a_sentence_is_there(
    corpus_engine: Engine, question: str
) -> None:
    """「日米防衛協力のメカニズムにおける「2+2」会合」 (a heading) and 「「2+2」会合風景」 (a
    photo caption) name the topic and answer nothing: the lines are sentences."""
    answer = corpus_engine.ask(question)
    assert answer.found, answer.text
    assert len(answer.quotes) >= 2, answer.text
    for quote in answer.quotes:
        assert quote.text.strip() not in (
            "日米防衛協力のメカニズムにおける「2+2」会合",
            "「2+2」会合風景",
        ), answer.text
        assert quote.text.rstrip().endswith(("。", ".", "!", "！")), answer.text
    _quoted_exactly(corpus_engine, question)


def test_headings_are_short_lines_of_their_own_without_a_sentence_end() -> None:
    from types import SimpleNamespace

    from kotae.service.sentences import Candidate, headings, not_headings

    text = (
        "「2+2」会合風景\n本文の一文です。次の文もある\n"
        "米側参加者：ライス国務長官　ゲイツ国防長官　他\n" + "長い行" * 20 + "\n"
    )
    spans = [(0, 9), (10, 18), (18, 24), (25, 48), (49, 109)]
    cands = [Candidate(1, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
    hit = SimpleNamespace(chunk=SimpleNamespace(doc_id="d"))
    snapshot = SimpleNamespace(documents={"d": SimpleNamespace(text=text)})
    # caption | a sentence | the end of a line but not a line of its own | a list line | prose
    assert headings([hit], cands, snapshot).tolist() == [True, False, False, False, False]  # type: ignore[arg-type, list-item]
    assert not_headings(np.array([True, False]), np.array([True, True])).tolist() == [False, True]
    assert not_headings(np.array([True]), np.array([True])).tolist() == [True]


@pytest.mark.parametrize(
    "question", ["2023年の2+2で日本側から出席したのは誰？", "2024年の2+2に日本から出席したのは誰？"]
)
def test_a_who_question_does_not_lead_with_another_years_attendees(
    corpus_engine: Engine, question: str
) -> None:
    """「が、2013年10月の「2+2」は…ケリー国務長官とヘーゲル国防長官が出席。」 names who came in
    2013: asked about 2023 or 2024 it may still be quoted, never first — and it gives no short
    answer (ヘーゲル国防長官 was no attendee of those years)."""
    answer = corpus_engine.ask(question)
    assert answer.found, answer.text
    assert "2013年" not in first_line(answer.text), answer.text
    assert answer.short is None or "ヘーゲル" not in answer.short.text, answer.short
    _quoted_exactly(corpus_engine, question)


@pytest.mark.parametrize(
    ("question", "other_side"),
    [
        ("2024年の2+2に日本から出席したのは誰？", ("オースティン", "ブリンケン")),
        ("2023年の2+2で日本側から出席したのは誰？", ("オースティン", "ブリンケン")),
    ],
)
def test_a_question_naming_a_side_gets_no_name_of_the_other_side(
    corpus_engine: Engine, question: str, other_side: tuple[str, ...]
) -> None:
    """Issue 15: 「2024年の2+2に日本から出席したのは誰？」 had the short answer
    「ロイド・オースティン国防長官」, the US secretary named after 「米側からは」."""
    answer = corpus_engine.ask(question)
    assert answer.short is None or not any(n in answer.short.text for n in other_side), answer.short


def test_sentences_about_other_years_quote_after_the_others() -> None:
    """The fitted order stands among each group; nothing is dropped."""
    from kotae.service.answer import Citation, _best_quotes
    from kotae.service.sentences import Candidate, Scored

    texts = ["2013年の会合にはケリー国務長官が出席。", "林外務大臣が出席した。"]
    cands = [Candidate(1, i, 10 * i, 10 * i + len(t), t) for i, t in enumerate(texts)]
    scored = Scored(cands, np.zeros((2, 1)), np.array([1.0, 0.95]))
    hit = type("H", (), {"chunk": None})()
    citations = [Citation(1, hit)]  # type: ignore[arg-type]
    plain = [q.text for q in _best_quotes(scored, citations)]
    later = [q.text for q in _best_quotes(scored, citations, np.array([True, False]))]
    assert plain == texts
    assert later == texts[::-1]
