"""FAQ question lines: read from line shapes, whatever the site's Q&A markup."""

from __future__ import annotations

import pytest

from ingest.qa import bare_labels, is_question, question_lines


def asked(text: str) -> list[tuple[str, str]]:
    """Each question line with its answer paragraph, as the text's own slices."""
    return [(text[a.start : a.end], text[a.answer : a.answer_end]) for a in question_lines(text)]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Q．収集日の当日はどうすればいいですか。", "A．朝8時30分までに出してください。"),
        ("Q1 転出証明書をなくしてしまいました。", "前の住所地の市区町村に連絡してください。"),
        ("問：婚姻届はいつでも出せますか。", "答：24時間受け付けています。"),
        ("問　いくらもらえますか。", "答　月額1万円です。"),
        ("質問：学生なので保険料を払えません。", "回答：学生納付特例を申請できます。"),
        ("【質問】暗証番号を忘れてしまいました。", "【回答】窓口で再設定できます。"),
        ("Question: Where do I pay?", "Answer: At the city office."),
    ],
)
def test_labelled_questions_and_their_answers(question: str, answer: str) -> None:
    text = f"ページの題名\nホーム > くらし\n\n{question}\n{answer}\n\nお問い合わせ\n"
    assert asked(text) == [(question, answer)]


def test_bare_label_lines_and_an_unlabelled_question() -> None:
    text = (
        "質問\n印鑑登録をしたいのですが、どうすればいいですか。\n回答\n"
        "印鑑と本人確認書類を持って来てください。\nその場で登録できます。\n\n"
        "見学はできますか。\n申込の前に電話で申し込んでください。\n"
    )
    assert asked(text) == [
        (
            "印鑑登録をしたいのですが、どうすればいいですか。",
            "印鑑と本人確認書類を持って来てください。\nその場で登録できます。",
        ),
        ("見学はできますか。", "申込の前に電話で申し込んでください。"),
    ]
    assert [text[s:e] for s, e in bare_labels(text)] == ["質問", "回答"]


def test_offsets_are_exact_with_crlf_and_full_width_text() -> None:
    text = "序文です。\r\n\r\nＱ．手数料はいくらですか？\r\nＡ．１通３００円です。\r\n"
    ((question, answer),) = asked(text)
    assert (question, answer) == ("Ｑ．手数料はいくらですか？", "Ａ．１通３００円です。")


@pytest.mark.parametrize(
    "text",
    [
        # a list of questions (a table of contents) answers nothing
        "Q1 住民票はどこで取れますか。\nQ2 手数料はいくらですか。\nQ3 代理人でも取れますか。\n",
        # an unlabelled question heading over another heading is a heading, not a Q&A
        "「2+2」会合とは?\n日米防衛協力のメカニズムにおける「2+2」会合\n\n本文です。\n",
        # a question at the end of a paragraph, words that only begin with a label
        "会合は何回開かれたのか。その答えは資料にある。\n次の段落です。\n",
        "問題の解き方を説明します。\n答えは3です。\n",
        "質問があれば窓口へどうぞ。\n受付は平日です。\n",
        # a question with nothing after it
        "本文です。\n\nQ．最後の質問ですか。\n",
    ],
)
def test_not_a_question_and_its_answer(text: str) -> None:
    assert question_lines(text) == ()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("見学はできますか。", True),
        ("年度の途中に入所したいときは?", True),
        ("where do i pick it up?", True),
        ("手続きが必要です。どこで申し込めますか。", False),
        ("見学を受け付けています。", False),
    ],
)
def test_is_question(line: str, expected: bool) -> None:
    assert is_question(line) is expected
