"""Ranking metrics over binary relevance; pure functions of a ranked list of booleans.

Standard definitions, as trec_eval computes them (checked against ``ir-measures`` in
tests/eval/test_metrics.py): ``recall_at`` is trec_eval's ``success@k``, ``mrr_at`` is
``RR@k``, ``ndcg_at`` is ``ndcg_cut_k``. The library itself is not a product dependency: it
brings scipy, which the default install does without (issue 25).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def recall_at(relevant: Sequence[bool], k: int) -> float:
    """Hit rate: 1 when at least one relevant passage is in the top ``k``."""
    return 1.0 if any(relevant[:k]) else 0.0


def mrr_at(relevant: Sequence[bool], k: int = 10) -> float:
    """Reciprocal rank of the first relevant passage within the top ``k``, else 0."""
    for rank, rel in enumerate(relevant[:k], start=1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_at(relevant: Sequence[bool], judged: int, k: int = 10) -> float:
    """Binary nDCG@k: the ranking's DCG over that of the ideal ranking, which puts all
    ``judged`` relevant passages of the question first, retrieved or not.

    ``judged`` is how many passages of the index hold one of the question's answers in one of
    its documents (:meth:`eval.questions.Question.judged`): a ranking that finds one of three
    answering passages scores below one that finds all three.
    """
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(relevant[:k]) if rel)
    n_ideal = min(max(judged, sum(relevant)), k)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(n_ideal))
    return dcg / ideal if ideal else 0.0
