"""Pseudo-relevance feedback on synthetic data: which terms are read back, with what weight,
and how they move the hybrid score (index/feedback.py, Retriever._feedback)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from kotae.index.feedback import feedback_terms
from kotae.index.lexical import LexicalIndex
from kotae.index.search import Ranking, Retriever, _minmax
from kotae.index.stores.faiss import FaissStore
from kotae.ingest.records import Chunk


def test_feedback_keeps_the_strongest_new_terms_scaled_by_the_first() -> None:
    terms = [("普天間", 4.0), ("辺野古", 2.0), ("移設", 1.0), ("工事", 0.5)]
    assert feedback_terms(terms, {"普天間"}, 2) == [("辺野古", 1.0), ("移設", 0.5)]


def test_feedback_skips_empty_and_zero_terms_and_may_return_nothing() -> None:
    assert feedback_terms([("", 3.0), ("a", 0.0), ("b", 1.0)], set(), 5) == [("b", 1.0)]
    assert feedback_terms([("a", 1.0)], {"a"}, 5) == []
    assert feedback_terms([("a", 1.0)], set(), 0) == []


def test_passage_terms_sum_bm25_weights_over_the_passages_strongest_first() -> None:
    index = LexicalIndex.build(["普天間 辺野古 辺野古", "辺野古 工事", "演習 日程"])
    one = dict(index.passage_terms(np.array([0])))
    assert set(one) == {"普天間", "辺野古"}
    both = index.passage_terms(np.array([0, 1]))
    weights = dict(both)
    assert set(weights) == {"普天間", "辺野古", "工事"}
    assert [w for _, w in both] == sorted(weights.values(), reverse=True)
    per_term = {t: float(index.score_terms([(t, 1.0)])[0][[0, 1]].sum()) for t in weights}
    assert weights == pytest.approx(per_term)


def _snapshot(texts: list[str], vectors: np.ndarray) -> Any:
    n = len(texts)
    return SimpleNamespace(
        chunks=[Chunk(f"d{i}", 0, 1, t, None) for i, t in enumerate(texts)],
        vectors=vectors,
        sentences=np.zeros((0, 2), dtype=np.int64),
        sentence_vectors=np.zeros((0, vectors.shape[1]), dtype=np.float32),
        sentence_ranges=np.zeros((n, 2), dtype=np.int64),
        sentence_furniture=np.zeros(0, dtype=bool),
        chunk_years=np.zeros(n, dtype=np.int32),
        store=FaissStore.from_vectors(vectors),
        lexical=LexicalIndex.build(texts),
    )


TEXTS = ["普天間 移設 辺野古", "辺野古 埋め立て", "演習 日程"]
# Passages 1 and 2 are equally close to the question; only the feedback can tell them apart.
VECTORS = np.array([[1.0, 0.0], [0.6, 0.8], [0.6, 0.8]], dtype=np.float32)
QV = np.array([1.0, 0.0], dtype=np.float32)


def _search(weight: float) -> list[Any]:
    ranking = Ranking(sentence_weight=0.0, year_boost=0.0, feedback_weight=weight)
    retriever = Retriever(_snapshot(TEXTS, VECTORS), lambda q: QV, ranking)  # type: ignore[arg-type]
    return retriever.search("普天間の移設", k=3)


def test_feedback_lifts_the_passage_sharing_the_top_passages_terms() -> None:
    without, with_feedback = _search(0.0), _search(0.1)
    assert [h.chunk_id for h in with_feedback][:2] == [0, 1]
    gap = {h.chunk_id: h.score for h in with_feedback}
    base = {h.chunk_id: h.score for h in without}
    assert base[1] == pytest.approx(base[2])  # a tie without feedback
    assert gap[1] > gap[2] == pytest.approx(base[2])  # 演習/日程 are not fed back


def test_feedback_adds_weight_times_coverage_of_the_fed_back_terms() -> None:
    snap = _snapshot(TEXTS, VECTORS)
    lex = snap.lexical
    extra, ideal = lex.score_terms(
        feedback_terms(lex.passage_terms(np.array([0])), {"普天間", "移設"}, 8)
    )
    dense = VECTORS @ QV
    own, own_ideal = lex.scores("普天間の移設")
    fused = 0.7 * _minmax(dense) + 0.3 * own / own_ideal
    hits = {h.chunk_id: h for h in _search(0.1)}
    for i in range(3):
        assert hits[i].score == pytest.approx(fused[i] + 0.1 * extra[i] / ideal, abs=1e-6)
        assert hits[i].coverage == pytest.approx(own[i] / own_ideal, abs=1e-6)  # unchanged


PROBE = """
import json, numpy as np
from kotae.index.lexical import LexicalIndex
texts = [f"会合{i} 合意 普天間 辺野古 演習 日程 協議 返還 移設 訓練 基地 沖縄" for i in range(40)]
texts += ["嘉手納 以南 土地 返還 普天間 代替施設 工事 計画"]
index = LexicalIndex.build(texts)
print(json.dumps([index.passage_terms(np.array([i])) for i in (0, 7, 40)], ensure_ascii=False))
"""


def test_feedback_terms_are_the_same_in_every_process() -> None:
    """Tied terms are ordered by the term, not by bm25s's hash-ordered term numbers: two builds
    of the same corpus read back the same feedback terms (they once ranked 2 of 500 JSQuAD
    questions differently from one process to the next)."""
    import os
    import subprocess
    import sys

    runs = {
        subprocess.run(
            [sys.executable, "-c", PROBE],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(runs) == 1, runs
