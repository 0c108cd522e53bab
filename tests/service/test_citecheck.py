"""The citation check on hand-made answers: what is removed, what is flagged, what passes."""

from __future__ import annotations

from kotae.service.citecheck import check_citations, split_sentences

PASSAGES = [
    "普天間飛行場の代替施設は、キャンプ・シュワブ辺野古崎地区に建設される。",
    "２＋２（日米安全保障協議委員会）は、2024年7月28日に東京で開かれた。",
    "The United States will relocate about 9,000 Marines from Okinawa.",
]


def test_a_faithful_answer_passes_unchanged() -> None:
    answer = "代替施設は辺野古崎地区に建設されます[1]。２＋２は2024年7月28日に開かれました[2]。"
    checked = check_citations(answer, PASSAGES)
    assert checked.ok and checked.text == answer
    assert checked.cited == (1, 2) and checked.warnings == []


def test_markers_to_missing_passages_are_removed_and_reported() -> None:
    checked = check_citations("代替施設は辺野古崎地区です [1][7]。会合は東京でした[9]。", PASSAGES)
    assert checked.text == "代替施設は辺野古崎地区です [1]。会合は東京でした。"
    assert checked.invalid_markers == (7, 9)
    assert any("[7]" in w for w in checked.warnings) and any("[9]" in w for w in checked.warnings)
    assert checked.uncited_sentences == ("会合は東京でした。",)
    assert checked.ok


def test_only_invented_markers_means_no_valid_citation() -> None:
    checked = check_citations("辺野古です[4]。", PASSAGES)
    assert not checked.ok and checked.text == "辺野古です。"
    assert checked.cited == () and checked.invalid_markers == (4,)


def test_marker_variants_are_normalised() -> None:
    checked = check_citations("辺野古です［１］。東京でした[1, 2]。9,000人[3、8]。", PASSAGES)
    assert checked.text == "辺野古です[1]。東京でした[1][2]。9,000人[3]。"
    assert checked.cited == (1, 2, 3) and checked.invalid_markers == (8,)


def test_sentences_without_a_marker_are_flagged() -> None:
    checked = check_citations(
        "About 9,000 Marines will move [3]. They will go to Guam. 辺野古です。[1]", PASSAGES
    )
    assert checked.uncited_sentences == ("They will go to Guam.",)
    assert "sentence without a citation: «They will go to Guam.»" in checked.warnings


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    assert split_sentences("辺野古です。[1] 東京です。[2][3]\n- 一覧 [1]\n- 項目") == [
        "辺野古です。[1]",
        "東京です。[2][3]",
        "- 一覧 [1]",
        "- 項目",
    ]


def test_quotes_must_be_in_the_cited_passage_after_nfkc() -> None:
    good = "「2+2(日米安全保障協議委員会)」が開かれた[2]。"  # NFKC of ２＋２（…）
    assert check_citations(good, PASSAGES).warnings == []
    wrong_passage = "「キャンプ・シュワブ辺野古崎地区」と書かれている[2]。"
    checked = check_citations(wrong_passage, PASSAGES)
    (warning,) = checked.unsupported_quotes
    assert warning == "quotation not found in [2]: «キャンプ・シュワブ辺野古崎地区»"
    invented = 'The text says "all Marines will leave" [3].'
    assert check_citations(invented, PASSAGES).unsupported_quotes
    assert not check_citations('It says "relocate about 9,000 Marines" [3].', PASSAGES).warnings


def test_quotes_in_uncited_sentences_are_checked_against_every_passage() -> None:
    checked = check_citations("「辺野古崎地区」です。「嘘の引用」です。根拠[1]。", PASSAGES)
    assert checked.unsupported_quotes == ("quotation not found in any passage: «嘘の引用»",)
    assert len(checked.uncited_sentences) == 2


def test_an_answer_that_says_it_cannot_answer_has_no_citation() -> None:
    checked = check_citations("資料には答えが見つかりませんでした。", PASSAGES)
    assert not checked.ok and checked.invalid_markers == ()
