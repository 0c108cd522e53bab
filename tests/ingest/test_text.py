"""The shared text rules: the matching form and script detection."""

from ingest.text import JAPANESE, nfkc


def test_nfkc_folds_full_width_so_both_spellings_match() -> None:
    assert nfkc("２＋２会合") == "2+2会合"
    assert nfkc("ＡＢＣ") == "ABC"


def test_japanese_script_is_kana_or_kanji_not_latin() -> None:
    assert JAPANESE.search("ひらがな")
    assert JAPANESE.search("カタカナ")
    assert JAPANESE.search("漢字")
    assert not JAPANESE.search("Who attended in May 2007?")
    assert not JAPANESE.search(nfkc("２＋２"))
