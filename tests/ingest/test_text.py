"""The shared text rules: the matching form, script detection, sentences and stopwords."""

from kotae.ingest.text import ENGLISH_STOPWORDS, JAPANESE, KATAKANA_RUN, nfkc, split_sentences


def test_nfkc_folds_full_width_so_both_spellings_match() -> None:
    assert nfkc("２＋２会合") == "2+2会合"
    assert nfkc("ＡＢＣ") == "ABC"


def test_japanese_script_is_kana_or_kanji_not_latin() -> None:
    assert JAPANESE.search("ひらがな")
    assert JAPANESE.search("カタカナ")
    assert JAPANESE.search("漢字")
    assert not JAPANESE.search("Who attended in May 2007?")
    assert not JAPANESE.search(nfkc("２＋２"))


def test_a_sentence_ends_at_japanese_stops_and_closing_brackets() -> None:
    text = "「会合が開かれた。」次に、声明が出た！\n見出し\n本当か？"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "「会合が開かれた。」",
        "次に、声明が出た！",
        "見出し",
        "本当か？",
    ]


def test_a_period_ends_an_english_sentence_but_not_initials_or_list_numbers() -> None:
    text = "They met in 2010. The U.S. Army came. 1. 冒頭、発言した。上記 3. 〜 6. に陥った。"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "They met in 2010.",
        "The U.S. Army came.",
        "1. 冒頭、発言した。",
        "上記 3. 〜 6. に陥った。",
    ]


def test_spans_stay_inside_the_window_and_short_ones_can_be_kept() -> None:
    text = "前文。本文です。あ。後文。"
    assert split_sentences(text, 3, 11) == [(3, 8), (8, 10)]
    assert split_sentences(text, 3, 11, min_chars=3) == [(3, 8)]


def test_the_english_stopwords_are_function_words_only() -> None:
    assert {"the", "what", "which", "of"} <= ENGLISH_STOPWORDS
    assert not {"marines", "relocation", "us", "guam"} & ENGLISH_STOPWORDS


def test_katakana_runs_include_the_middle_dot_and_the_long_vowel_mark() -> None:
    assert KATAKANA_RUN.fullmatch("キャンプ・シュワブ")
    assert KATAKANA_RUN.fullmatch("ルーム")
    assert not KATAKANA_RUN.fullmatch("普天間")
    assert not KATAKANA_RUN.fullmatch("ひらがな")
