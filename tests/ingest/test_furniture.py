"""Furniture marks: each kind of site chrome is marked, content never, offsets exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from kotae.ingest import read_corpus
from kotae.ingest.furniture import (
    classify,
    covered,
    furniture_spans,
    headline,
    strip_site_name,
    unsearchable,
    without,
)
from tests.conftest import CORPUS

JSQUAD = Path("/work/shared/dev-sets/jsquad-test/corpus")

PROSE = (
    "日米両国の外務・防衛の閣僚協議、いわゆる「2プラス2」が東京で行われました。"
    "自衛隊とアメリカ軍の部隊連携を円滑にするための指揮・統制の向上に向けて協議しました。"
)


def kinds(text: str) -> dict[str, str]:
    return {text[m.start : m.end]: m.kind for m in classify(text)}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("ホーム > くらし > 税金 > 住民税", "breadcrumb"),
        ("ホーム ＞ よくある質問", "breadcrumb"),
        ("現在の位置：トップページ › 子育て・教育", "breadcrumb"),
        ("印刷用", "navigation"),
        ("このページのトップへ戻る", "navigation"),
        ("ページの先頭へ", "navigation"),
        ("▲ページの先頭へ戻る", "navigation"),
        ("本文へスキップ", "navigation"),
        ("ツイート シェア LINEで送る", "share"),
        ("ツイート", "navigation"),
        ("2024年8月9日掲載", "date"),
        ("最終更新日：2024年4月1日", "date"),
        ("更新日：令和6年3月15日（金曜日）", "date"),
        ("Vol.77 2011年9月13日", "date"),
        ("#日米(在日米軍→統合軍司令部)", "hashtag"),
        ("#反中国#対中露戦", "hashtag"),
        ("https://www.mofa.go.jp/mofaj/area/usa/hosho/2plus2.html", "url"),
        ("gt20240809.jpg", "url"),
        ("— NHKニュース (@nhk_news) July 28, 2024", "tweet"),
        ("Copyright © 2024 Example City. All Rights Reserved.", "copyright"),
        ("わかる!国際情勢 トップページへ", "banner"),
        ("ページ番号：1002345", "page id"),
        ("PDFファイルをご覧いただくには、Adobe Acrobat Readerが必要です。", "notice"),
        ("メルマガ登録希望の方はこちらからお申込みください。", "promo"),
        ("文：山田太郎", "byline"),
    ],
)
def test_each_kind_is_marked(line: str, kind: str) -> None:
    text = f"見出しの例\n\n{PROSE}\n\n{line}\n\n{PROSE}\n"
    assert kinds(text).get(line) == kind


def test_tweet_text_above_its_attribution_is_marked() -> None:
    text = (
        "日米「2プラス2」始まる https://t.co/z7QajRTZji #nhk_news\n"
        "— NHKニュース (@nhk_news) July 28, 2024\n" + PROSE
    )
    assert set(kinds(text).values()) == {"tweet"}
    assert headline(text) == "日米「2プラス2」始まる"


def test_a_plain_date_is_furniture_in_the_head_only() -> None:
    head = "概要\n令和6年1月12日\n\n" + PROSE
    assert kinds(head) == {"令和6年1月12日": "date"}
    # below a heading in the body, a date is the content: the deadline a resident asks for
    body = "申請の受付について\n\n" + PROSE + "\n\n申請期限\n令和6年5月31日\n\n" + PROSE
    assert furniture_spans(body) == ()
    period = PROSE + "\n受付期間\n令和6年4月1日～令和6年5月31日\n" + PROSE
    assert furniture_spans(period) == ()


def test_byline_needs_a_date_beside_it() -> None:
    dated = "概要\n令和6年1月12日\n外務省・防衛省\n\n" + PROSE
    assert kinds(dated)["外務省・防衛省"] == "byline"
    # an encyclopedia article titled like an organisation is not a byline
    assert classify("連邦捜査局\n\n" + PROSE) == []


MUNICIPAL = """本文へスキップ
サンプル市
くらし・手続き
子育て・教育
健康・福祉
ホーム > くらし・手続き > 税金 > 住民税はいつ納めればいいですか？
住民税はいつ納めればいいですか？
ページ番号：12345
更新日：2024年4月1日
質問
住民税の納期限を教えてください。
回答
普通徴収の場合、納期は6月、8月、10月、翌年1月の年4回です。口座振替もご利用いただけます。
このページに関するお問い合わせ
税務課 市民税係
〒100-0001 サンプル市中央1-1-1
電話：03-1234-5678
ファクス：03-1234-5679
メールでのお問い合わせはこちら
このページに関するアンケート
このページの情報は役に立ちましたか？
役に立った
どちらともいえない
役に立たなかった
送信
よくある質問メニュー
くらし・手続き
子育て・教育
健康・福祉
Copyright © Sample City. All Rights Reserved.
"""


def test_municipal_faq_page() -> None:
    marks = kinds(MUNICIPAL)
    kept = [
        line
        for line in MUNICIPAL.splitlines()
        if line.strip() and not any(line == m for m in marks)
    ]
    assert kept == [
        "住民税はいつ納めればいいですか？",
        "質問",
        "住民税の納期限を教えてください。",
        "回答",
        "普通徴収の場合、納期は6月、8月、10月、翌年1月の年4回です。口座振替もご利用いただけます。",
    ]
    assert marks["サンプル市"] == "header"
    assert marks["電話：03-1234-5678"] == "contact"
    assert marks["役に立った"] == "survey"
    assert headline(MUNICIPAL) == "住民税はいつ納めればいいですか？"


@pytest.mark.parametrize(
    ("title", "crumb"),
    [
        ("下水道使用料についてのよくある質問", "下水道使用料"),
        ("所得証明書・課税証明書の交付", "税の証明書"),
        ("住民税", "住民税"),
    ],
)
def test_a_title_above_the_breadcrumb_naming_its_last_item_is_not_header(
    title: str, crumb: str
) -> None:
    body = "\n\n本文です。手続きは窓口でできます。\n"
    text = f"サンプル市公式サイト\n{title}\nホーム > くらし > {crumb}{body}"
    marks = kinds(text)
    assert marks["サンプル市公式サイト"] == "header"
    assert title not in marks
    assert headline(text) == title


def test_a_site_name_above_the_breadcrumb_is_still_header() -> None:
    body = "\n\n本文です。手続きは窓口でできます。\n"
    text = "みどり市公式ホームページ\nホーム > くらし > 下水道使用料" + body
    assert kinds(text)["みどり市公式ホームページ"] == "header"


def test_faq_question_after_a_contact_block_is_kept() -> None:
    text = (
        "問い合わせ先\n市民課 電話 03-1234-5678\n\n"
        "住民票の写しはどこで取れますか？\n"
        "市役所の市民課窓口、各支所、コンビニエンスストアで取得できます。\n"
    )
    assert [text[s:e] for s, e in furniture_spans(text)] == [
        "問い合わせ先\n市民課 電話 03-1234-5678"
    ]


def test_navigation_list_stops_at_prose_and_keeps_its_heading() -> None:
    text = (
        "関連記事\n\n記事その一\n\n記事その二\n\nこの記事の見出し\n"
        "ここから本文が始まり、十分に長い説明の文章が続きます。これは内容であって、ナビゲーション"
        "ではありません。\n"
    )
    marks = kinds(text)
    assert set(marks) == {"関連記事", "記事その一", "記事その二"}


@pytest.mark.parametrize(
    "text",
    [
        "Debian\n\nDebianはLinuxディストリビューションのひとつである。\n",
        "（括弧内はポルトガル語による表記。）\n",
        "1 総論\n\n" + PROSE,
        "はい、できます。\n",
        "6月21日（火）午前（日本時間22日未明）\n米国　ワシントン（国務省）\n",
        "申請→審査→交付の順に進みます\n",
        "「2+2」会合の成果①~安全保障分野における日米同盟の深化\n\n" + PROSE,
        "# 見出し\n\n本文です。\n",
        "主な作品\n作品A\n作品B\n作品C\n作品D\n\n" + PROSE,
    ],
)
def test_content_is_not_marked(text: str) -> None:
    assert furniture_spans(text) == ()


def test_spans_are_exact_sorted_whole_lines() -> None:
    text = "わかる!国際情勢 トップページへ\r\n\r\nVol.77 2011年9月13日\r\n見出し\r\n" + PROSE
    spans = furniture_spans(text)
    assert spans == ((0, text.index("\r\n見出し")),)
    assert text[spans[0][0] : spans[0][1]].endswith("2011年9月13日")
    assert covered(spans, 0, len(text), text) < 0.5
    assert "トップページ" not in without(text, spans)
    assert without(text, spans).endswith(PROSE)


def test_bundled_corpus_marks_and_titles() -> None:
    docs = {d.doc_id: d for d in read_corpus(CORPUS)[0]}
    assert {d: doc.title for d, doc in docs.items()} == {
        "000_3b324addda1fbe26.txt": "「2+2」会合~日米同盟の“次の50年”へ",
        "001_0e082c2b15b74ab7.txt": "日米安全保障協議委員会(日米「2+2」)(概要)",
        "002_1b2c3951911e05d3.txt": "日米安全保障協議委員会（「2＋2」）の概要",
        "003_398f49884e4d4ebb.txt": "日米「2プラス2」始まる 米軍に新組織設置など意見交換へ",
        "004_7af21bdf63ee1157.txt": (
            "かつてないほど強固となった「日米2プラス2」進む防衛装備の相互協力"
        ),
    }
    marked = {
        line
        for doc in docs.values()
        for s, e in doc.furniture
        for line in doc.text[s:e].splitlines()
        if line.strip()
    }
    assert {
        "わかる!国際情勢 トップページへ",
        "印刷用",
        "このページのトップへ戻る",
        "— NHKニュース (@nhk_news) July 28, 2024",
        "2024年8月9日掲載",
        "GLOBAL&TREND",
        "一覧に戻る",
    } <= marked
    for doc in docs.values():
        for s, e in doc.furniture:
            assert doc.text[s:e] == doc.text[s:e].strip()
            assert s == 0 or doc.text[s - 1] in "\r\n"
            assert e == len(doc.text) or doc.text[e] in "\r\n"
    # the headlines stay content (003's only headline is the text of its embedded tweet)
    for doc in docs.values():
        if not doc.doc_id.startswith("003_"):
            assert doc.title and not any(doc.title in doc.text[s:e] for s, e in doc.furniture)
        assert covered(doc.furniture, 0, len(doc.text), doc.text) < 0.12


@pytest.mark.skipif(not JSQUAD.is_dir(), reason="the JSQuAD dev set is not on this machine")
def test_encyclopedia_has_no_furniture() -> None:
    docs, _ = read_corpus(JSQUAD)
    assert docs and all(doc.furniture == () for doc in docs)
    assert all(doc.title == Path(doc.doc_id).stem for doc in docs)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("日米安全保障協議委員会 | 外務省", "日米安全保障協議委員会"),
        ("住民税について｜サンプル市ホームページ", "住民税について"),
        ("サンプル市公式ホームページ - ごみの出し方", "ごみの出し方"),
        ("2+2: a history", "2+2: a history"),
        ("日米「2+2」", "日米「2+2」"),
    ],
)
def test_site_names_are_stripped_from_html_titles(title: str, expected: str) -> None:
    assert strip_site_name(title) == expected


PAGE = """<!DOCTYPE html><html><head><title>住民税はいつ納めればいいですか？｜サンプル市</title>
</head><body>
<header><h1><a href="/">サンプル市</a></h1><ul><li>くらし</li><li>子育て</li></ul></header>
<div class="breadcrumb"><a>ホーム</a> &gt; <a>くらし</a> &gt; 住民税</div>
<main><article><header><h1>住民税はいつ納めればいいですか？</h1></header>
<p>普通徴収の場合、納期は6月、8月、10月、翌年1月の<b>年4回</b>です。</p>
<aside><p>固定資産税</p><p>軽自動車税</p></aside>
<p>ご不明な点は税務課へ。</p>
</article></main>
<nav role="navigation"><ul><li>くらしの情報</li><li>観光の情報</li></ul></nav>
<footer><p>サンプル市役所 〒100-0001 中央1-1-1</p></footer>
</body></html>"""


def test_html_markup_chrome_is_marked_and_h1_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "faq.html").write_text(PAGE, encoding="utf-8")
    doc = read_corpus(tmp_path)[0][0]
    assert doc.title == "住民税はいつ納めればいいですか？"
    marked = {line for s, e in doc.furniture for line in doc.text[s:e].splitlines() if line}
    # nav, aside, the site header and footer: by markup, whatever their words
    assert {
        "サンプル市",
        "くらし",
        "固定資産税",
        "観光の情報",
        "サンプル市役所 〒100-0001 中央1-1-1",
    } <= (marked)
    content = [ln for ln in doc.text.splitlines() if ln.strip() and ln not in marked]
    assert content == [
        "住民税はいつ納めればいいですか？",
        "普通徴収の場合、納期は6月、8月、10月、翌年1月の年4回です。",
        "ご不明な点は税務課へ。",
    ]
    assert "\ufdd0" not in doc.text and "\ufdd1" not in doc.text


def test_html_title_without_h1_drops_the_site_name(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        "<title>日米安全保障協議委員会 | 外務省</title><p>本文です。</p>", encoding="utf-8"
    )
    assert read_corpus(tmp_path)[0][0].title == "日米安全保障協議委員会"


def test_a_sites_template_repeated_on_its_pages_is_marked(tmp_path: Path) -> None:
    pages = {
        "gomi.txt": (
            "ごみの出し方を教えてください",
            "燃やすごみは週2回、朝8時30分までに出してください。",
        ),
        "juminhyo.txt": (
            "住民票の写しはどこで取れますか",
            "市民課の窓口または各支所で取得できます。",
        ),
        "hoikuen.txt": ("保育園の申し込み方法は", "入園申込書を子育て支援課へ提出してください。"),
    }
    for name, (question, answer) in pages.items():
        (tmp_path / name).write_text(
            f"サンプル市\n観光・イベント\n{question}\n\n{answer}\n\nサンプル市役所\n",
            encoding="utf-8",
        )
    docs = {d.doc_id: d for d in read_corpus(tmp_path)[0]}
    for name, (question, answer) in pages.items():
        doc = docs[name]
        marked = {ln for s, e in doc.furniture for ln in doc.text[s:e].splitlines() if ln}
        assert marked == {"サンプル市", "観光・イベント", "サンプル市役所"}
        assert doc.title == question and answer in doc.text and answer not in marked
    # two pages are not a template
    (tmp_path / "hoikuen.txt").unlink()
    assert all(d.furniture == () for d in read_corpus(tmp_path)[0])


def test_lexical_search_keeps_the_searchable_marks() -> None:
    text = (
        "わかる!国際情勢 トップページへ\n\n平成19年5月1日\n外務省・防衛省\n\n" + PROSE + "\n印刷用"
    )
    spans = furniture_spans(text)
    left_out = [text[s:e] for s, e in unsearchable(text, spans)]
    assert left_out == ["わかる!国際情勢 トップページへ", "印刷用"]
    searched = without(text, unsearchable(text, spans))
    assert "平成19年5月1日" in searched and "外務省・防衛省" in searched and PROSE in searched


def test_short_content_lines_between_a_date_and_a_contact_block_are_kept() -> None:
    text = (
        "マイナンバーカードの申請\n更新日：2024年4月1日\n必要なもの\n本人確認書類\n通知カード\n"
        "お問い合わせ\n市民課 電話 03-1234-5678\n"
    )
    kept = [ln for ln in text.splitlines() if ln not in kinds(text)]
    assert kept == ["マイナンバーカードの申請", "必要なもの", "本人確認書類", "通知カード"]


def test_a_menu_between_skip_links_and_a_breadcrumb_is_marked() -> None:
    text = (
        "本文へスキップ\n市政情報\n観光\n子育て\n防災\nホーム > 市政情報 > 市長室\n市長室\n\n"
        + PROSE
    )
    assert [ln for ln in text.splitlines() if ln and ln not in kinds(text)] == ["市長室", PROSE]


def test_old_layouts_header_and_footer_divs_are_chrome(tmp_path: Path) -> None:
    (tmp_path / "old.html").write_text(
        '<div id="header">サンプル市役所</div><div id="gnav"><a>くらし</a></div>'
        '<div class="entry-header"><h1>ごみの出し方</h1></div><p>燃やすごみは週2回です。</p>'
        '<div id="footer">所在地 中央1-1-1</div>',
        encoding="utf-8",
    )
    doc = read_corpus(tmp_path)[0][0]
    marked = {ln for s, e in doc.furniture for ln in doc.text[s:e].splitlines() if ln}
    assert marked == {"サンプル市役所", "くらし", "所在地 中央1-1-1"}
    assert doc.title == "ごみの出し方"
