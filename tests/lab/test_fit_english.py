"""The English lab's glossary shares: a word counts when the collection (or the passages) has a
term for it, English written in the text included; katakana for English words never enters."""

from typing import Any

import numpy as np

from kotae.index.search import Hit
from kotae.ingest.records import Chunk
from lab import fit_english
from lab.fit_answers import Asked


class _Lexical:
    glossary = {"futenma": {"普天間": 1.0}, "reloc": {"移設": 1.0}, "meet": {"会合": 0.5}}

    def has_term(self, term: str) -> bool:
        return term in {"debian", "普天間", "移設", "会合"}


def _hit(text: str) -> Hit:
    return Hit(0, Chunk("d", 0, len(text), text), 1.0, 0.8)


LEX: Any = _Lexical()


def test_known_share_reads_english_words_through_the_glossary() -> None:
    words = ["futenma", "reloc", "sushi", "debian"]
    assert fit_english.glossary_known(words, LEX) == 0.75
    assert fit_english.glossary_known([], LEX) == 0.0


def test_passage_share_needs_the_term_in_the_passages_text() -> None:
    words = ["futenma", "reloc", "debian", "sushi"]
    hits = [_hit("普天間飛行場の件。"), _hit("Debian 4.0 が公開された。")]
    assert fit_english.glossary_in(words, LEX, hits) == 0.5
    assert fit_english.glossary_in(words, LEX, hits[:1]) == 0.25
    assert fit_english.glossary_in(words, LEX, []) == 0.0


def _row(collection: str, inside: bool) -> Asked:
    return Asked(collection, "q", "?", inside, [], np.zeros((0, 1)), np.zeros(0, bool), [])


def test_threshold_balances_found_and_abstain_per_set() -> None:
    rows = [_row("a", True)] * 4 + [_row("a", False)] * 4
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.3, 0.4])
    t = fit_english.pick_threshold(rows, p)
    assert 0.4 < t <= 0.6
    assert fit_english.rates(rows, [bool(v >= t) for v in p]) == {"a_found": 1.0, "a_abstain": 1.0}
