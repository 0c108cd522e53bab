"""English stemming from many request threads at once gives what one thread gives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kotae.index.glossary import english_words, stem

TEXT = (
    "The ministers reaffirmed their commitments regarding the relocation of facilities "
    "and cooperation on deterrence capabilities "
) * 20


def test_concurrent_stemming_matches_one_thread() -> None:
    expected = english_words(TEXT)

    def stem_repeatedly(_: int) -> list[list[str]]:
        out = []
        for _ in range(30):
            stem.cache_clear()  # every thread stems again, side by side, not from the cache
            out.append(english_words(TEXT))
        return out

    with ThreadPoolExecutor(8) as pool:  # one shared stemmer failed here: IndexError, garbage
        results = [words for batch in pool.map(stem_repeatedly, range(8)) for words in batch]
    assert all(words == expected for words in results)
