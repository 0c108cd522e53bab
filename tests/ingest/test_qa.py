"""FAQ question lines: read from line shapes, whatever the site's Q&A markup."""

from __future__ import annotations

import pytest

from kotae.ingest.qa import bare_labels, is_question, question_lines


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # question and answer on one line, the reply label after the question's end
        (
            "Ｑ　聞き取れませんでした。　Ａ　0120-45-8800で聞き直せます。\n"
            "Ｑ　登録は有料ですか。　Ａ　無料です。\n\n担当課　電話0267-45-1105\n",
            [
                ("Ｑ　聞き取れませんでした。", "Ａ　0120-45-8800で聞き直せます。"),
                ("Ｑ　登録は有料ですか。", "Ａ　無料です。"),
            ],
        ),
        # table rows: a question cell and an answer cell; under a 質問｜回答 header the
        # question cell need not end in a question
        (
            "質問｜回答\n料金はいつ請求されますか。｜2か月に1回です。\n"
            "料金が急に高くなりました。｜水漏れの可能性があります。\n",
            [
                ("料金はいつ請求されますか。", "｜2か月に1回です。"),
                ("料金が急に高くなりました。", "｜水漏れの可能性があります。"),
            ],
        ),
        (
            "| 駐車場はありますか？ | 48台分あります。 |\n",
            [("駐車場はありますか？", "| 48台分あります。")],
        ),
        # an unlabelled request to be told, then its answer
        (
            "3．開いている日と時間を教えてください。\n月曜日から土曜日までです。\n",
            [("3．開いている日と時間を教えてください。", "月曜日から土曜日までです。")],
        ),
        # a page that is one question: its title, the page's id and date, then the answer
        (
            "トップ ＞ よくある質問\n通知書はいつ届きますか？\nページID：3021\n"
            "更新日：2024年4月1日\n\n毎年4月下旬にお送りします。\n",
            [("通知書はいつ届きますか？", "毎年4月下旬にお送りします。")],
        ),
        (
            "質問\n穴を見つけました。どこに連絡すればいいですか。\nページ番号：4410\n"
            "更新日：2025年3月3日\n回答\n道路管理係へ連絡してください。\n",
            [("穴を見つけました。どこに連絡すればいいですか。", "道路管理係へ連絡してください。")],
        ),
    ],
)
def test_one_line_pairs_requests_and_titled_questions(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert asked(text) == expected


def test_a_table_header_is_a_label_and_prose_rows_are_no_pairs() -> None:
    text = "質問｜回答\n料金はいつ請求されますか。｜2か月に1回です。\n\n名前｜電話\n税務課｜1130\n"
    assert [text[s:e] for s, e in bare_labels(text)] == ["質問｜回答"]
    assert [q for q, _ in asked(text)] == ["料金はいつ請求されますか。"]


def test_a_statement_under_the_bullet_the_page_questions_share_is_a_question() -> None:
    text = (
        "資源ごみの出し方Ｑ＆Ａ\n\n"
        "■古新聞はどうやって出せばいいですか？\nひもで十字にしばって出してください。\n\n"
        "■資源ごみの収集日がわかりません。\n第1・第3水曜日に収集します。\n\n"
        "■びんの中身が残っているときは？\n中身を使い切ってください。\n\n"
        "■申込について\n窓口で受け付けます。\n"
    )
    assert [q for q, _ in asked(text)] == [
        "■古新聞はどうやって出せばいいですか？",
        "■資源ごみの収集日がわかりません。",
        "■びんの中身が残っているときは？",
        "■申込について",
    ]
    assert asked(text)[1][1] == "第1・第3水曜日に収集します。"


def test_a_bullet_only_one_question_opens_is_no_layout() -> None:
    text = (
        "■古新聞はどうやって出せばいいですか？\nひもで十字にしばって出してください。\n\n"
        "■資源ごみの収集日がわかりません。\n第1・第3水曜日に収集します。\n\n"
        "・本文の箇条書きです。\n・二つ目の項目です。\n"
    )
    assert [q for q, _ in asked(text)] == ["■古新聞はどうやって出せばいいですか？"]


def test_an_answer_ends_at_the_next_question_without_a_blank_line() -> None:
    text = (
        "■古新聞はどうやって出せばいいですか？\nひもで十字にしばって出してください。\n"
        "■収集日がわかりません。\n第1水曜日です。\n"
        "■びんはどうしますか？\n中身を使い切ってください。\n"
    )
    assert asked(text) == [
        ("■古新聞はどうやって出せばいいですか？", "ひもで十字にしばって出してください。"),
        ("■収集日がわかりません。", "第1水曜日です。"),
        ("■びんはどうしますか？", "中身を使い切ってください。"),
    ]
