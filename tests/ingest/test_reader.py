from pathlib import Path

import pytest

from kotae.ingest import read_corpus
from kotae.ingest.dates import publication_date, years_in_question
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("概要\n平成19年5月1日\n外務省", "2007-05-01"),
        ("概要\n令和6年1月12日\n", "2024-01-12"),
        ("Vol.77 2011年9月13日\n", "2011-09-13"),
        ("2024年8月9日掲載\n", "2024-08-09"),
        ("— NHK (@nhk_news) July 28, 2024\n", "2024-07-28"),
        ("令和元年５月１日", "2019-05-01"),
        ("日付のない文書", None),
        # no date in the opening lines: a line labelled as the page's date, wherever it stands
        ("質問\n回答\n" + "本文。" * 200 + "\n更新日：2023年11月15日\n", "2023-11-15"),
        ("本文\n\n【最終更新日】令和5年4月1日", "2023-04-01"),
        ("Body text.\nLast updated: Apr 3, 2024", "2024-04-03"),
        # past the opening lines, a label in running text or without its date dates nothing
        ("本文。" * 200 + "\n今日の更新日は2023年1月1日です", None),
        ("本文。" * 200 + "\n更新日：未定\n2024年1月1日の予定", None),
    ],
)
def test_publication_dates(text: str, iso: str | None) -> None:
    assert publication_date(text) == iso


def test_corpus_titles_and_dates() -> None:
    docs = {d.doc_id: d for d in read_corpus(CORPUS)[0]}
    assert docs["002_1b2c3951911e05d3.txt"].date == "2007-05-01"
    assert docs["001_0e082c2b15b74ab7.txt"].date == "2024-01-12"
    assert docs["000_3b324addda1fbe26.txt"].date == "2011-09-13"
    assert docs["004_7af21bdf63ee1157.txt"].date == "2024-08-09"
    assert docs["002_1b2c3951911e05d3.txt"].title == "日米安全保障協議委員会（「2＋2」）の概要"


def test_years_named_in_questions() -> None:
    assert years_in_question("平成19年の会合") == {2007}
    assert years_in_question("２０２４年の2+2") == {2024}
    assert years_in_question("Who attended in May 2007?") == {2007}


def test_bad_files_are_reported_by_name_and_the_rest_indexed(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("日米同盟について。", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.md").write_text(" \n\u3000\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes(b"\xff\xfe\xfa caf\xe9 \x81")
    (tmp_path / "sjis.txt").write_bytes("普天間飛行場の移設。".encode("shift_jis"))
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    nested = tmp_path / "年 報" / "sub"
    nested.mkdir(parents=True)
    (nested / "日本語 の 名前.md").write_text("# 見出し\n本文。", encoding="utf-8")
    docs, skipped = read_corpus(tmp_path)
    ids = {d.doc_id for d in docs}
    assert ids == {"good.txt", "sjis.txt", "年 報/sub/日本語 の 名前.md"}
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == {"empty.txt", "blank.md", "binary.txt", "latin1.txt", "image.png"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    sjis = next(d for d in docs if d.doc_id == "sjis.txt")
    assert sjis.text == "普天間飛行場の移設。"


def test_html_is_reduced_to_text(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><head><title>会合の概要</title><style>p{}</style></head><body>"
        "<h1>見出し</h1><p>本文です。&amp;記号</p><script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    doc = read_corpus(tmp_path)[0][0]
    assert doc.title == "会合の概要"
    assert "本文です。&記号" in doc.text and "alert" not in doc.text and "<" not in doc.text


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        read_corpus(tmp_path / "nope")
