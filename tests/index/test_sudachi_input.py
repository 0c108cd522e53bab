"""The one guard between any text and Sudachi: pieces that fit, nothing lost, offsets kept."""

from __future__ import annotations

import pytest

from kotae.index.lexical import JapaneseTokenizer
from kotae.index.sudachi_input import MAX_BYTES, pieces, sudachi_bytes

EXPANDING = {
    "\ufdfa": 33,  # ﷺ: 18 characters under NFKC
    "\u337f": 12,  # ㍿: 株式会社
    "\uff21": 1,  # Ａ: full-width A
    "\u3042": 3,  # あ: as written
}


@pytest.mark.parametrize("char", EXPANDING)
def test_a_character_is_measured_as_sudachi_normalises_it(char: str) -> None:
    assert sudachi_bytes(char) == max(EXPANDING[char], len(char.encode()))


@pytest.mark.parametrize("char", EXPANDING)
def test_long_texts_are_cut_into_pieces_sudachi_accepts_and_nothing_is_lost(char: str) -> None:
    text = "普天間の移設先は？" + char * 70_000
    cut = pieces(text)
    assert len(cut) > 1 and all(sudachi_bytes(p) <= MAX_BYTES for _, p in cut)
    assert "".join(p for _, p in cut) == text
    assert all(text[o : o + len(p)] == p for o, p in cut)
    tokenizer = JapaneseTokenizer()
    for _, piece in cut[:2]:
        tokenizer.morphemes(piece)  # SudachiError if a piece were over its limit


def test_a_normal_text_is_one_piece_and_a_long_one_is_cut_after_a_sentence() -> None:
    assert pieces("普天間飛行場の移設先は？") == [(0, "普天間飛行場の移設先は？")]
    cut = pieces("普天間飛行場。" * 4000)
    assert all(p.endswith("。") for _, p in cut)


def test_lone_surrogates_become_one_character_each() -> None:
    assert pieces("普\ud800天") == [(0, "普?天")]


def test_morpheme_offsets_index_the_whole_text_across_pieces() -> None:
    text = "\ufdfa" * 3000 + "普天間飛行場の移設先は辺野古。"
    morphemes = JapaneseTokenizer().morphemes(text)
    assert "".join(m.surface() for m in morphemes) == text
    assert all(text[m.begin() : m.end()] == m.surface() for m in morphemes)
    assert "辺野古" in [m.surface() for m in morphemes]
