"""The ranking arithmetic on small synthetic data, no model: fusion (min-max, coverage),
dense + sentence mixing, the year boost, the glossary's expansion weights and the lexical
coverage they are scaled by.

Expected values are worked out by hand from the formulas in ``index.search``'s docstrings,
so a changed formula fails here before it shows up as a moved eval metric.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from kotae.index.glossary import english_words, expand
from kotae.index.lexical import LexicalIndex
from kotae.index.search import Filters, Hit, Period, Ranking, Retriever, RetrieverName, _minmax
from kotae.index.stores.faiss import FaissStore
from kotae.ingest.records import Chunk, Document
from kotae.settings import Settings


def _unit(*rows: list[float]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


class FakeLexical:
    """Fixed BM25 scores and ideal, whatever the query."""

    def __init__(self, scores: list[float], ideal: float) -> None:
        self._scores, self._ideal = np.array(scores, dtype=np.float32), ideal

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        return self._scores.copy(), self._ideal


def _snapshot(
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    ranges: list[tuple[int, int]],
    years: list[int],
    lexical: FakeLexical | None = None,
    furniture: list[bool] | None = None,
) -> Any:
    """The parts of a ``Snapshot`` retrieval reads, with one chunk per vector."""
    chunks = [Chunk(f"d{i}", 0, 1, "x", f"{y}-01-01" if y else None) for i, y in enumerate(years)]
    n_sent = len(sentence_vectors)
    return SimpleNamespace(
        chunks=chunks,
        documents={c.doc_id: Document(c.doc_id, c.text, date=c.date) for c in chunks},
        vectors=vectors,
        sentences=np.zeros((n_sent, 2), dtype=np.int64),
        sentence_vectors=sentence_vectors,
        sentence_ranges=np.array(ranges, dtype=np.int64).reshape(-1, 2),
        sentence_furniture=np.array(furniture or [False] * n_sent, dtype=bool),
        chunk_years=np.array(years, dtype=np.int32),
        store=FaissStore.from_vectors(vectors),
        lexical=lexical or FakeLexical([0.0] * len(chunks), 0.0),
    )


def _retriever(snapshot: Any, qv: np.ndarray, **ranking: Any) -> Retriever:
    return Retriever(snapshot, lambda question: qv, Ranking(**ranking))  # type: ignore[arg-type]


QV = _unit([1.0, 0.0])[0]
# Three passages; passage 0 has two sentences, passage 1 one, passage 2 none.
VECTORS = _unit([0.6, 0.8], [0.8, 0.6], [1.0, 0.0])
SENTENCES = _unit([0.0, 1.0], [1.0, 0.0], [0.6, 0.8])
RANGES = [(0, 2), (2, 3), (3, 3)]


# ---------- min-max and fusion ----------


def test_minmax_spans_zero_to_one_and_flat_input_gives_zeros() -> None:
    assert np.allclose(_minmax(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])
    assert np.allclose(_minmax(np.array([0.7, 0.7])), [0.0, 0.0])


def _fuse(
    kind: RetrieverName, lexical: np.ndarray | None, ideal: float, japanese: bool, **ranking: Any
) -> np.ndarray:
    r = _retriever(_snapshot(VECTORS, SENTENCES, RANGES, [0, 0, 0]), QV, kind=kind, **ranking)
    return r._fuse(np.array([0.2, 0.5, 0.8]), lexical, ideal, japanese)


def test_coverage_fusion_keeps_a_weak_lexical_match_weak() -> None:
    fused = _fuse("hybrid", np.array([0.0, 1.0, 2.0]), 4.0, True, lexical_weight=0.3)
    dense = np.array([0.0, 0.5, 1.0])  # min-max of 0.2, 0.5, 0.8
    assert np.allclose(fused, 0.7 * dense + 0.3 * np.array([0.0, 0.25, 0.5]))


def test_minmax_fusion_stretches_the_lexical_side_to_full_weight() -> None:
    fused = _fuse(
        "hybrid", np.array([0.0, 1.0, 2.0]), 4.0, True, lexical_weight=0.3, lexical_norm="minmax"
    )
    assert np.allclose(fused, 0.7 * np.array([0.0, 0.5, 1.0]) + 0.3 * np.array([0.0, 0.5, 1.0]))


def test_questions_without_japanese_use_the_english_weight() -> None:
    fused = _fuse(
        "hybrid",
        np.array([4.0, 0.0, 0.0]),
        4.0,
        False,
        lexical_weight=0.3,
        english_lexical_weight=0.5,
    )
    assert np.allclose(fused, 0.5 * np.array([0.0, 0.5, 1.0]) + 0.5 * np.array([1.0, 0.0, 0.0]))


def test_no_lexical_match_keeps_the_dense_order() -> None:
    fused = _fuse("hybrid", np.zeros(3), 0.0, True, lexical_weight=0.3)
    assert np.allclose(fused, 0.7 * np.array([0.0, 0.5, 1.0]))


def test_single_sided_retrievers_pass_their_scores_through() -> None:
    assert np.allclose(_fuse("dense", np.array([9.0, 0.0, 0.0]), 9.0, True), [0.2, 0.5, 0.8])
    assert np.allclose(_fuse("hybrid", None, 0.0, True), [0.2, 0.5, 0.8])
    assert np.allclose(_fuse("lexical", np.array([3.0, 1.0, 2.0]), 3.0, True), [3.0, 1.0, 2.0])


# ---------- dense + sentence mixing ----------


def test_dense_score_mixes_passage_and_best_sentence() -> None:
    r = _retriever(_snapshot(VECTORS, SENTENCES, RANGES, [0, 0, 0]), QV, sentence_weight=0.5)
    scores = r.dense_scores(QV, np.array([0, 1, 2]))
    own = np.array([0.6, 0.8, 1.0])
    best = np.array([1.0, 0.6, 1.0])  # passage 0's second sentence; 2 has none: its own
    assert np.allclose(scores, 0.5 * own + 0.5 * best, atol=1e-6)


def test_dense_score_of_a_subset_reads_the_right_sentences() -> None:
    r = _retriever(_snapshot(VECTORS, SENTENCES, RANGES, [0, 0, 0]), QV, sentence_weight=0.25)
    scores = r.dense_scores(QV, np.array([1, 2]))
    assert np.allclose(scores, [0.75 * 0.8 + 0.25 * 0.6, 1.0], atol=1e-6)


def test_zero_sentence_weight_is_the_passage_cosine() -> None:
    r = _retriever(_snapshot(VECTORS, SENTENCES, RANGES, [0, 0, 0]), QV, sentence_weight=0.0)
    assert np.allclose(r.dense_scores(QV, np.array([0, 1, 2])), [0.6, 0.8, 1.0], atol=1e-6)


def test_furniture_sentences_can_be_left_out_of_the_best_sentence() -> None:
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [0, 0, 0], furniture=[False, True, True])
    r = _retriever(snap, QV, sentence_weight=0.5, skip_furniture_sentences=True)
    scores = r.dense_scores(QV, np.array([0, 1]))
    # passage 0: its best sentence is furniture, so the other (cosine 0) counts;
    # passage 1: nothing but furniture, so it keeps its own cosine.
    assert np.allclose(scores, [0.5 * 0.6 + 0.5 * 0.0, 0.8], atol=1e-6)


# ---------- year boost ----------


def test_year_boost_lifts_only_passages_of_the_named_year() -> None:
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2010, 0])
    hybrid = _retriever(snap, QV, year_boost=0.2)
    assert np.allclose(hybrid._year_bonus("2010年の会合は？", np.array([0, 1, 2])), [0, 0.2, 0])
    assert np.allclose(hybrid._year_bonus("平成19年の会合は？", np.array([0, 1])), [0.2, 0])
    assert np.allclose(hybrid._year_bonus("会合はいつ？", np.array([0, 1, 2])), [0, 0, 0])
    dense = _retriever(snap, QV, kind="dense", year_boost=0.2)  # raw cosines: a tenth
    assert np.allclose(dense._year_bonus("2010年の会合は？", np.array([1])), [0.02])
    off = _retriever(snap, QV, year_boost=0.0)
    assert np.allclose(off._year_bonus("2010年の会合は？", np.array([1])), [0])


# ---------- the whole search on the synthetic snapshot ----------


def test_search_scores_are_fusion_plus_year_bonus() -> None:
    lexical = FakeLexical([2.0, 0.0, 1.0], 4.0)
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2010, 0], lexical=lexical)
    r = _retriever(
        snap, QV, lexical_weight=0.3, sentence_weight=0.5, year_boost=0.2, feedback_weight=0.0
    )
    hits = r.search("2010年の会合", k=3)
    dense = 0.5 * np.array([0.6, 0.8, 1.0]) + 0.5 * np.array([1.0, 0.6, 1.0])  # 0.8, 0.7, 1.0
    fused = 0.7 * _minmax(dense) + 0.3 * np.array([0.5, 0.0, 0.25]) + np.array([0, 0.2, 0])
    expected = {i: fused[i] for i in range(3)}
    assert [h.chunk_id for h in hits] == sorted(expected, key=lambda i: -expected[i])
    for h in hits:
        assert h.score == pytest.approx(expected[h.chunk_id], abs=1e-6)
        assert h.dense == pytest.approx(dense[h.chunk_id], abs=1e-6)
        assert h.coverage == pytest.approx([0.5, 0.0, 0.25][h.chunk_id])


def test_a_preferred_period_ranks_its_passages_first_and_keeps_the_rest() -> None:
    lexical = FakeLexical([2.0, 0.0, 1.0], 4.0)
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2010, 2007], lexical=lexical)
    r = _retriever(snap, QV, lexical_weight=0.3, feedback_weight=0.0)
    plain = r.search("会合", k=3)
    assert [h.chunk_id for h in plain] == [2, 0, 1]
    preferred = r.search("会合", k=3, filters=Filters(prefer=Period("2010")))
    assert [h.chunk_id for h in preferred] == [1, 2, 0]  # 2010 first, the others in order
    assert {h.chunk_id: h.score for h in preferred} == {h.chunk_id: h.score for h in plain}
    month = r.search("会合", k=3, filters=Filters(prefer=Period("", "01")))  # all in January
    assert [h.chunk_id for h in month] == [2, 0, 1]
    top = r.search("会合", k=1, filters=Filters(prefer=Period("2010")))
    assert [h.chunk_id for h in top] == [1]


def test_a_passage_running_into_a_section_of_the_period_is_preferred() -> None:
    # Passage 1 starts in an article's opening, dated by its publication (2011-09-13), and runs
    # into the section headed with the meeting's month: it is about that meeting too.
    text = "発行 2011年9月13日\n前回以来、約4年ぶりの開催。\n2011年6月、会合開催\n成果。"
    doc = Document("d1", text, date="2011-09-13")
    lexical = FakeLexical([2.0, 0.0, 1.0], 4.0)
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2011, 2007], lexical=lexical)
    snap.chunks[1] = Chunk("d1", 16, text.index("成果"), "x", "2011-09-13")
    snap.documents["d1"] = doc
    r = _retriever(snap, QV, lexical_weight=0.3, feedback_weight=0.0)
    hits = r.search("会合", k=3, filters=Filters(prefer=Period("2011", "06")))
    assert [h.chunk_id for h in hits][0] == 1 and hits[0].preferred
    assert not any(h.preferred for h in hits[1:])
    snap.chunks[1] = Chunk("d1", 16, text.index("2011年6月"), "x", "2011-09-13")  # stops before
    hits = r.search("会合", k=3, filters=Filters(prefer=Period("2011", "06")))
    assert not any(h.preferred for h in hits)


class Reverse:
    """A second stage that reverses what it is given, to mix preferred passages back in."""

    depth = 2

    def __call__(self, question: str, qv: np.ndarray, hits: list[Hit]) -> list[Hit]:
        return hits[::-1]


def test_a_preferred_period_stays_first_after_the_reranker() -> None:
    lexical = FakeLexical([2.0, 0.0, 1.0], 4.0)
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2010, 2007], lexical=lexical)
    r = Retriever(snap, lambda q: QV, Ranking(feedback_weight=0.0), Reverse())  # type: ignore[arg-type]
    hits = r.search("会合", k=2, filters=Filters(prefer=Period("2010")))
    assert [h.chunk_id for h in hits] == [1, 2]  # the depth holds 2010 first, then reversed


# ---------- glossary expansion ----------


def test_each_english_word_is_worth_one_token_split_by_sense_weight() -> None:
    (reloc,) = english_words("relocation")
    (futenma,) = english_words("Futenma")
    glossary = {reloc: {"移設": 1.0, "移転": 0.25}, futenma: {"普天間": 1.0}}
    weights = dict(expand("the relocation of Futenma", glossary))  # "the", "of": stopwords
    assert weights == pytest.approx({"移設": 0.8, "移転": 0.2, "普天間": 1.0})
    assert sum(weights.values()) == pytest.approx(2.0)


def test_a_term_reached_by_two_words_adds_up_and_unknown_words_add_nothing() -> None:
    (move,) = english_words("move")
    (reloc,) = english_words("relocation")
    glossary = {move: {"移転": 1.0}, reloc: {"移設": 1.0, "移転": 1.0}}
    weights = dict(expand("move relocation zebra", glossary))
    assert weights == pytest.approx({"移転": 1.5, "移設": 0.5})


def test_acronyms_are_kept_as_written_and_stopwords_dropped() -> None:
    assert english_words("What did the US say") == ["US", english_words("say")[0]]


def test_lexical_query_terms_add_glossary_weights_to_japanese_tokens() -> None:
    index = LexicalIndex.build(["普天間飛行場の移設", "演習の日程"])
    (reloc,) = english_words("relocation")
    index.glossary = {reloc: {"移設": 1.0, "移転": 1.0}}  # 移転 is not in this corpus
    weights = dict(index.weighted_terms("普天間 relocation"))
    assert weights["普天間"] == pytest.approx(1.0)
    assert weights["移設"] == pytest.approx(0.5)
    assert "移転" not in weights
    scores, ideal = index.scores("relocation")
    assert scores[1] == 0 and 0 < scores[0] <= ideal
    assert scores[0] == pytest.approx(ideal)  # the only passage with 移設: full coverage


# ---------- coverage: what the lexical side is scaled by ----------


def test_lexical_scores_add_up_per_term_and_the_ideal_is_each_terms_best() -> None:
    index = LexicalIndex.build(["普天間飛行場の移設", "普天間の会合", "移設の日程", "演習の日程"])
    both, ideal = index.scores("普天間 移設")
    parts = [index.scores(term) for term in ("普天間", "移設")]
    assert np.allclose(both, parts[0][0] + parts[1][0])
    assert ideal == pytest.approx(float(parts[0][0].max() + parts[1][0].max()))
    coverage = both / ideal
    assert coverage[3] == 0 and all(0 < c <= 1 for c in coverage[:3])
    assert int(np.argmax(coverage)) == 0  # the only passage with both terms


def test_coverage_fusion_with_nothing_reachable_is_the_dense_side_alone() -> None:
    fused = _fuse("hybrid", np.array([1.0, 0.0, 0.0]), 0.0, True, lexical_weight=0.3)
    assert np.allclose(fused, 0.7 * np.array([0.0, 0.5, 1.0]))


def test_every_year_the_question_names_is_boosted_once() -> None:
    snap = _snapshot(VECTORS, SENTENCES, RANGES, [2007, 2010, 2012])
    r = _retriever(snap, QV, year_boost=0.2)
    bonus = r._year_bonus("2007年と2010年の会合は？", np.array([0, 1, 2]))
    assert np.allclose(bonus, [0.2, 0.2, 0])


def test_ranking_reads_every_weight_from_the_settings_and_the_kind_can_be_overridden() -> None:
    settings = Settings(lexical_weight=0.4, english_lexical_weight=0.6, year_boost=0.1)
    ranking = Ranking.from_settings(settings, "dense")
    assert (ranking.kind, ranking.lexical_weight, ranking.english_lexical_weight) == (
        "dense",
        0.4,
        0.6,
    )
    assert ranking.year_boost == 0.1
    assert Ranking.from_settings(settings).kind == settings.retriever
