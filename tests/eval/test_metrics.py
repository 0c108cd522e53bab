import math

import pytest

from eval.metrics import mrr_at, ndcg_at, recall_at


def test_recall_is_a_hit_rate() -> None:
    ranks = [False, False, True, False]
    assert recall_at(ranks, 1) == 0.0
    assert recall_at(ranks, 2) == 0.0
    assert recall_at(ranks, 3) == 1.0
    assert recall_at([False] * 10, 10) == 0.0


def test_mrr_uses_the_first_relevant_rank() -> None:
    assert mrr_at([True, True], 10) == 1.0
    assert mrr_at([False, False, True, True], 10) == pytest.approx(1 / 3)
    assert mrr_at([False] * 10 + [True], 10) == 0.0


def test_ndcg_by_hand() -> None:
    assert ndcg_at([True, False, False], 10) == 1.0
    # one relevant at rank 2: (1/log2(3)) / (1/log2(2))
    assert ndcg_at([False, True, False], 10) == pytest.approx(1 / math.log2(3))
    # relevant at ranks 1 and 3; ideal has them at 1 and 2
    dcg = 1 + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at([True, False, True], 10) == pytest.approx(dcg / ideal)
    assert ndcg_at([False, False], 10) == 0.0
