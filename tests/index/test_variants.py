"""A resident's spelling finds the page's: ゴミ/ごみ, PC/パソコン, 外相/外務大臣 share a Sudachi
synonym group, リンゴ/りんご the same kana; the tokens and the cited text stay as written."""

from pathlib import Path

import numpy as np

from kotae.index.lexical import LexicalIndex, variant_keys
from kotae.service.abstain import known_share

PAGES = [
    "ごみの収集日は地区ごとに異なります。",
    "パソコンはメーカーが回収します。",
    "日本側参加者：麻生外務大臣　久間防衛大臣",
    "りんごの皮は燃やすごみです。",
    "図書館の開館時間は午前9時からです。",
]


def _index() -> LexicalIndex:
    return LexicalIndex.build(PAGES)


def _best(index: LexicalIndex, question: str) -> tuple[int, float]:
    scores, ideal = index.scores(question)
    return int(np.argmax(scores)), float(scores.max() / ideal) if ideal else 0.0


def test_kana_words_share_a_key_in_either_script() -> None:
    assert "kりんご" in variant_keys("リンゴ", ())
    assert variant_keys("リンゴ", ()) == variant_keys("りんご", ())
    assert variant_keys("外務大臣", (1323,)) == ("g1323",)  # kanji: no kana key


def test_katakana_gomi_finds_the_hiragana_page() -> None:
    index = _index()
    assert not index.has_term("ゴミ")  # the page writes ごみ
    assert _best(index, "ゴミの日は？")[0] == 0
    assert _best(index, "ゴミの日は？")[1] > 0.5


def test_an_abbreviation_finds_the_full_word() -> None:
    index = _index()
    assert _best(index, "PCを捨てたい")[0] == 1
    assert _best(index, "リンゴの皮")[0] == 3
    assert _best(index, "外相と防衛相は誰？")[0] == 2


def test_the_words_own_spelling_still_ranks_above_a_variant() -> None:
    index = LexicalIndex.build(["ゴミの収集日", "ごみの収集日", "図書館の開館時間"])
    scores, _ = index.scores("ゴミ")
    assert scores[0] > scores[1] > 0 and scores[2] == 0


def test_a_word_in_the_other_spelling_is_known_to_the_collection() -> None:
    index = _index()
    assert known_share("ゴミの日は？", index) == 1.0  # ゴミ as ごみ, 日 as 日
    assert known_share("寿司の日は？", index) == 0.5


def test_english_words_keep_the_glossary_alone() -> None:
    index = _index()
    assert index.units("PC") == []  # no Japanese script: no synonym-group spellings


def test_variants_survive_save_and_load(tmp_path: Path) -> None:
    index = _index()
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.variants == index.variants
    assert _best(loaded, "PCを捨てたい")[0] == 1
