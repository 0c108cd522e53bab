"""The second-stage reranker's arithmetic on small synthetic data, no model: term share,
proximity, the feature table, the rescoring, and the retriever's hook for a second stage.

Expected values are worked out by hand from the docstrings of ``service.rerank``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from kotae.index.search import Hit, Ranking, Retriever
from kotae.index.stores.faiss import FaissStore
from kotae.ingest.records import Chunk, Document
from kotae.service import rerank
from kotae.service.rerank import (
    FEATURES,
    Query,
    Rerank,
    features,
    proximity,
    rescore,
    section_years,
    term_share,
    written_years,
)

TERMS = {"普天間": 2.0, "移設": 1.0}


def _unit(*rows: list[float]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


# ---------- term share and proximity ----------


def test_term_share_is_idf_weighted() -> None:
    assert term_share("普天間飛行場", TERMS) == pytest.approx(2 / 3)
    assert term_share("普天間飛行場の移設", TERMS) == pytest.approx(1.0)
    assert term_share("嘉手納", TERMS) == 0.0
    assert term_share("anything", {}) == 0.0


def test_proximity_counts_terms_only_within_the_window() -> None:
    near = "普天間飛行場の移設"
    far = "普天間" + "あ" * 200 + "移設"
    assert proximity(near, TERMS) == pytest.approx(1.0)
    assert proximity(far, TERMS) == pytest.approx(2 / 3)  # the heavier term alone
    assert proximity(far, TERMS, window=300) == pytest.approx(1.0)
    assert proximity("嘉手納", TERMS) == 0.0


def test_proximity_window_edge_is_inclusive_of_the_last_term() -> None:
    text = "普天間" + "あ" * 5 + "移設"  # 移設 ends at character 10
    assert proximity(text, TERMS, window=10) == pytest.approx(1.0)
    assert proximity(text, TERMS, window=9) == pytest.approx(2 / 3)


# ---------- the feature table ----------

DOCS = {
    "a": "普天間飛行場を移設する。2006年に合意した。",
    "b": "嘉手納より南の施設。" + "い" * 40,
}
# Passage 0: all of a (two sentences); passage 1: all of b (one sentence, a furniture line).
CHUNKS = [
    Chunk("a", 0, len(DOCS["a"]), DOCS["a"], "2006-05-01"),
    Chunk("b", 0, len(DOCS["b"]), DOCS["b"], "2011-06-21"),
]
SPLIT = DOCS["a"].index("2006")
SENTENCES = np.array([[0, SPLIT], [SPLIT, len(DOCS["a"])], [0, len(DOCS["b"])]])
QV = _unit([1.0, 0.0])[0]


def _snapshot() -> Any:
    return SimpleNamespace(
        documents={
            d: Document(d, t, date=c.date) for (d, t), c in zip(DOCS.items(), CHUNKS, strict=True)
        },
        chunks=CHUNKS,
        vectors=_unit([0.6, 0.8], [0.8, 0.6]),
        sentences=SENTENCES,
        sentence_vectors=_unit([0.0, 1.0], [1.0, 0.0], [0.8, 0.6]),
        sentence_ranges=np.array([[0, 2], [2, 3]]),
        sentence_furniture=np.array([False, False, True]),
        chunk_years=np.array([2006, 2011], dtype=np.int32),
        chunk_furniture=np.array([0.0, 0.25]),
    )


def _hits() -> list[Hit]:
    return [Hit(1, CHUNKS[1], 0.9, 0.7, 0.0), Hit(0, CHUNKS[0], 0.6, 0.8, 0.5)]


def _column(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, FEATURES.index(name)]


def test_features_in_first_stage_order() -> None:
    query = Query(TERMS, "when", frozenset({2006}))
    x = features(query, QV, _hits(), _snapshot())
    assert x.shape == (2, len(FEATURES))
    assert np.allclose(_column(x, "score_rel"), [0.0, -0.3])
    assert np.allclose(_column(x, "inv_rank"), [1.0, 0.5])
    assert np.allclose(_column(x, "dense_rel"), [-0.1, 0.0])
    assert np.allclose(_column(x, "own_rel"), [0.0, -0.2], atol=1e-6)
    # Best sentence cosine: b's only sentence 0.8 (furniture, but all it has); a's second 1.0.
    assert np.allclose(_column(x, "sentence_rel"), [-0.2, 0.0], atol=1e-6)
    assert np.allclose(_column(x, "coverage"), [0.0, 0.5])
    assert np.allclose(_column(x, "overlap"), [0.0, 1.0])
    assert np.allclose(_column(x, "overlap_rel"), [-1.0, 0.0])
    # a: both terms in its first sentence; its most similar sentence (the second) has none.
    assert np.allclose(_column(x, "sentence_overlap"), [0.0, 1.0])
    assert np.allclose(_column(x, "aligned"), [0.0, 0.0])
    assert np.allclose(_column(x, "proximity"), [0.0, 1.0])
    assert np.allclose(_column(x, "type_match"), [0.0, 1.0])  # a's best sentence has 2006年
    assert np.allclose(_column(x, "type_miss"), [1.0, 0.0])
    assert np.allclose(_column(x, "year_match"), [0.0, 1.0])
    assert np.allclose(_column(x, "year_conflict"), [1.0, 0.0])  # b is dated 2011
    assert np.allclose(_column(x, "furniture"), [0.25, 0.0])
    assert np.allclose(_column(x, "log_chars"), np.log([len(DOCS["b"]), len(DOCS["a"])]))


def test_a_question_without_type_or_year_gives_no_match_and_no_miss() -> None:
    x = features(Query(TERMS, "", frozenset()), QV, _hits(), _snapshot())
    for name in ("type_match", "type_miss", "year_match", "year_conflict"):
        assert not _column(x, name).any()


def test_a_question_without_content_words_scores_no_overlap() -> None:
    """Off-topic input such as 「？？？」 has no terms: nothing to share, no division by zero."""
    x = features(Query({}, "", frozenset({2006})), QV, _hits(), _snapshot())
    for name in ("overlap", "sentence_overlap", "aligned", "proximity"):
        assert not _column(x, name).any()


# ---------- years: dated sections and 和暦 ----------

TWO_MEETINGS = "2007年5月1日\n第一の会合。出席者は甲。\n2011年6月21日\n第二の会合。出席者は乙。"


def test_section_years_cover_every_section_a_passage_overlaps() -> None:
    doc = Document("m", TWO_MEETINGS, date="2007-05-01")
    second = TWO_MEETINGS.index("2011")
    assert section_years(doc, 0, 10) == {2007}
    assert section_years(doc, second + 3, len(TWO_MEETINGS)) == {2011}
    # starts in the 2007 section, ends in the 2011 one: about both, not only where it starts
    assert section_years(doc, 5, second + 5) == {2007, 2011}


def test_written_years_read_wareki_and_western_years() -> None:
    assert written_years("平成19年5月1日、会合を開いた。") == {2007}
    assert written_years("2011年と令和6年") == {2011, 2024}
    assert written_years("12345件") == frozenset()


def test_a_question_year_is_held_by_a_passage_dated_or_written_in_wareki() -> None:
    """「2007年の会合」: the 平成19年 passage holds "2007" though it never writes the digits,
    so its overlap and proximity are full, as for a passage that writes 2007."""
    text = "平成19年5月1日\n会合を開いた。"
    doc = Document("w", text, date="2007-05-01")
    chunk = Chunk("w", 0, len(text), text, "2007-05-01")
    snap = SimpleNamespace(
        documents={"w": doc},
        vectors=_unit([1.0, 0.0]),
        sentences=np.array([[0, len(text)]]),
        sentence_vectors=_unit([1.0, 0.0]),
        sentence_ranges=np.array([[0, 1]]),
        sentence_furniture=np.array([False]),
        chunk_furniture=np.array([0.0]),
    )
    query = Query({"2007": 3.0, "会合": 1.0}, "", frozenset({2007}))
    assert query.year_terms == {"2007"}
    x = features(query, QV, [Hit(0, chunk, 1.0, 1.0, 0.5)], snap)  # type: ignore[arg-type]
    assert _column(x, "overlap") == pytest.approx([1.0])
    assert _column(x, "proximity") == pytest.approx([1.0])
    assert _column(x, "year_match") == pytest.approx([1.0])
    other = Query({"2011": 3.0, "会合": 1.0}, "", frozenset({2011}))
    y = features(other, QV, [Hit(0, chunk, 1.0, 1.0, 0.5)], snap)  # type: ignore[arg-type]
    assert _column(y, "overlap") == pytest.approx([0.25])
    assert _column(y, "year_conflict") == pytest.approx([1.0])


# ---------- rescoring ----------


def test_rescore_orders_by_the_new_score_and_keeps_the_first_stage_values() -> None:
    hits = _hits() + [Hit(0, CHUNKS[0], 0.5, 0.6, 0.0)]
    out = rescore(hits, np.array([1.0, 3.0, 2.0]))
    assert [h.chunk_id for h in out] == [0, 0, 1]
    assert [h.dense for h in out] == [0.8, 0.6, 0.7]  # everything but the score is kept
    assert [h.score for h in out] == [0.9, 0.6, 0.5]  # the values the first stage gave


def test_rerank_follows_its_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rerank, "read_query", lambda q, s: Query(TERMS, "", frozenset()))
    only = np.zeros(len(FEATURES))
    only[FEATURES.index("score_rel")] = 1.0
    assert [h.chunk_id for h in Rerank(_snapshot(), only)("q", QV, _hits())] == [1, 0]
    only[FEATURES.index("overlap")] = 1.0  # passage 0's full overlap outweighs its 0.3 gap
    out = Rerank(_snapshot(), only)("q", QV, _hits())
    assert [h.chunk_id for h in out] == [0, 1]
    assert [h.score for h in out] == [0.9, 0.6]


def test_the_fitted_weights_name_every_feature() -> None:
    w = rerank.fitted_weights()
    assert w.shape == (len(FEATURES),)
    assert w[FEATURES.index("inv_rank")] > 0  # the first stage order still counts
    assert set(rerank._fitted()["features"]) == set(FEATURES)  # type: ignore[arg-type]


# ---------- the retriever's hook ----------


class Reverse:
    """A second stage that reverses what it is given, recording how many it saw."""

    depth = 3

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, question: str, qv: np.ndarray, hits: list[Hit]) -> list[Hit]:
        self.seen = len(hits)
        return hits[::-1]


def test_the_retriever_hands_depth_hits_to_the_second_stage_and_keeps_k() -> None:
    vectors = _unit([1.0, 0.0], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3])
    chunks = [Chunk(f"d{i}", 0, 1, "x", None) for i in range(4)]
    snap = SimpleNamespace(
        chunks=chunks,
        vectors=vectors,
        sentences=np.zeros((0, 2), dtype=np.int64),
        sentence_vectors=np.zeros((0, 2), dtype=np.float32),
        sentence_ranges=np.zeros((4, 2), dtype=np.int64),
        sentence_furniture=np.zeros(0, dtype=bool),
        chunk_years=np.zeros(4, dtype=np.int32),
        store=FaissStore.from_vectors(vectors),
    )
    second = Reverse()
    r = Retriever(snap, lambda q: QV, Ranking(kind="dense"), second)  # type: ignore[arg-type]
    assert [h.chunk_id for h in r.search("q", 2)] == [2, 1]  # top 3 reversed, then cut to 2
    assert second.seen == 3
    assert [h.chunk_id for h in r.search("q", 4)] == [3, 2, 1, 0]
    assert second.seen == 4
    r.reranker = None
    assert [h.chunk_id for h in r.search("q", 2)] == [0, 1]
