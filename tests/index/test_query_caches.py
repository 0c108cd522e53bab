"""The query path reads a question once per stage; the caches that make that cheap give what
an uncached read gives, and no caller can change what the next one reads."""

from __future__ import annotations

import pytest

from kotae.index.glossary import english_words, stem
from kotae.index.lexical import JapaneseTokenizer
from kotae.service.abstain import Calibration

QUESTION = "2007年の2+2会合に出席した日本側の閣僚は？"


def test_a_cached_question_reads_as_an_uncached_one_and_cannot_be_changed() -> None:
    tokenizer = JapaneseTokenizer()
    fresh = [(form, pos) for form, pos, _ in tokenizer._analyse(QUESTION)]
    first = tokenizer.content_words(QUESTION)
    assert first == fresh
    first.append(("改変", ("名詞",)))  # a caller's edit stays its own
    assert tokenizer.content_words(QUESTION) == fresh
    assert tokenizer.tokens(QUESTION) == [f for f, _ in fresh]
    tokenizer.clear_cache()
    assert tokenizer._words.cache_info().currsize == 0


def test_stems_are_cached_and_the_same() -> None:
    stem.cache_clear()
    words = english_words("Who attended the meetings?")
    assert words == ["attend", "meet"]
    assert stem.cache_info().misses == 2
    assert english_words("Who attended the meetings?") == words
    assert stem.cache_info().hits == 2


def test_calibration_stats_are_computed_once_and_as_before() -> None:
    calibration = Calibration({"ja": (0.80, 0.82, 0.84, 0.90), "en": (0.7,)})
    mean, std, high = calibration.stats("ja")
    assert mean == pytest.approx(0.84)
    assert std == pytest.approx(0.0374165738677)
    assert high == pytest.approx(0.882)
    assert calibration.stats("en")[1] == 0.005  # one probe: the floor spread
    assert calibration.stats("fr") == (0.8, 0.02, 0.83)  # never calibrated
    assert calibration.stats("ja") is calibration.stats("ja")
