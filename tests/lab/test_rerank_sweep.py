"""The candidate reranker features of lab/rerank_sweep.py on hand-made passages."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from kotae.index.search import Hit
from kotae.ingest.records import Chunk
from lab.rerank_sweep import Case, lead_other, rank_one_hot, year_density


def _case(chunks: list[Chunk], scores: list[float]) -> tuple[Case, Any]:
    hits = [Hit(i, c, s, 0.0) for i, (c, s) in enumerate(zip(chunks, scores, strict=True))]
    snap = SimpleNamespace(chunks=chunks)
    y = np.zeros(len(hits), dtype=bool)
    return Case("s", "c", "ja", "質問", hits, np.zeros((len(hits), 1)), y), snap


def test_year_density_counts_distinct_years_per_hundred_characters() -> None:
    survey = "1960年、1990年、2007年、2011年、2024年に開催。" + "あ" * 70
    fact = "2007年5月1日に国務省で開催された。" + "あ" * 80
    case, snap = _case([Chunk("a", 0, 100, survey[:100]), Chunk("b", 0, 100, fact[:100])], [1, 1])
    assert np.allclose(year_density(case, snap)[:, 0], [5.0, 1.0])


def test_lead_other_marks_only_a_first_passage_outside_the_heaviest_document() -> None:
    chunks = [
        Chunk("a", 0, 10, "a0"),  # lead of a: the heaviest document
        Chunk("a", 10, 20, "a1"),
        Chunk("b", 0, 10, "b0"),  # lead of b
        Chunk("b", 10, 20, "b1"),
    ]
    case, snap = _case(chunks, [0.9, 0.8, 0.7, 0.1])
    assert lead_other(case, snap)[:, 0].tolist() == [0.0, 0.0, 1.0, 0.0]


def test_rank_one_hot_marks_the_first_two() -> None:
    case, snap = _case([Chunk("a", i, i + 1, "x") for i in range(3)], [3, 2, 1])
    assert rank_one_hot(case, snap).tolist() == [[1, 0], [0, 1], [0, 0]]
