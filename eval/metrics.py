"""Ranking metrics over binary relevance; pure functions of a ranked list of booleans."""

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


def ndcg_at(relevant: Sequence[bool], k: int = 10) -> float:
    """Binary nDCG: the ideal ranking puts every relevant passage retrieved in the top ``k`` first.

    The ideal is taken over the relevant passages that were retrieved (the number of relevant
    passages in the whole corpus is not known from answer strings alone).
    """
    top = list(relevant[:k])
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(top) if rel)
    n_rel = sum(relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(n_rel, k)))
    return dcg / ideal if ideal else 0.0
