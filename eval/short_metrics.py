"""Short-answer scores as JSQuAD's own evaluation computes them for Japanese: characters.

Strings are compared after NFKC with all whitespace removed; F1 is over the multiset of
characters, against the best of the gold strings. A missing short answer scores 0.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kotae.ingest.text import nfkc

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub("", nfkc(text))


def char_f1(predicted: str, gold: str) -> float:
    p, g = Counter(normalise(predicted)), Counter(normalise(gold))
    same = sum((p & g).values())
    if same == 0:
        return 0.0
    precision, recall = same / sum(p.values()), same / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def best_f1(predicted: str | None, golds: Sequence[str]) -> float:
    return max((char_f1(predicted, g) for g in golds), default=0.0) if predicted else 0.0


def exact(predicted: str | None, golds: Sequence[str]) -> float:
    return float(bool(predicted) and any(normalise(predicted or "") == normalise(g) for g in golds))


@dataclass(frozen=True)
class ShortScore:
    """One question's short answer (None when there is none) and its scores."""

    text: str | None
    f1: float
    em: float

    @classmethod
    def of(cls, text: str | None, golds: Sequence[str]) -> ShortScore:
        return cls(text, best_f1(text, golds), exact(text, golds))


def short_metrics(scores: Sequence[ShortScore]) -> dict[str, float]:
    """short_f1, short_em, short_coverage averaged over every question (missing counts 0)."""
    n = max(1, len(scores))
    return {
        "short_f1": sum(s.f1 for s in scores) / n,
        "short_em": sum(s.em for s in scores) / n,
        "short_coverage": sum(s.text is not None for s in scores) / n,
    }
