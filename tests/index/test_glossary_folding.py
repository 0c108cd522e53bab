"""English written without diacritics or long vowels meets JMdict/JMnedict's romanisations."""

import pytest

from kotae.index.glossary import build_glossary, dictionary_path, english_words, expand


def test_diacritics_are_dropped_on_both_sides() -> None:
    assert english_words("Shōwa era") == english_words("Showa era")
    assert english_words("Heijō Palace") == english_words("Heijo Palace")
    assert english_words("ＵＳ") == ["US"]  # full-width acronym still an acronym


@pytest.mark.skipif(dictionary_path() is None, reason="jamdict-data is not installed")
def test_glossary_reads_macron_and_long_vowel_romanisations() -> None:
    glossary = build_glossary(["昭和", "大洋", "下関"])
    assert "昭和" in dict(expand("When did Emperor Showa die?", glossary))  # JMdict: Shōwa
    assert "大洋" in dict(expand("Who came over from Taiyo?", glossary))  # JMnedict: Taiyou
    assert "下関" in dict(expand("Shimonoseki", glossary))  # written alike: as before
