"""Calibrated "not found": whether the retrieved passages answer the question at all.

e5 similarities are compressed (unrelated text scores ~0.75-0.83) and where they sit depends
on the collection, so no global threshold generalises. Each index is calibrated when it is
loaded: a fixed set of generic probe questions (``service/data/probes.json``) is run through
its retrieval, and the best dense score of a question is read against the scores those
unrelated probes get on *this* index. With it, the decision weighs how much of the question's
content the collection knows and the best passages cover, and the sentence scorer's
confidence; the weights and the threshold are fitted on in-collection and off-topic questions
of both dev collections by ``eval/fit_answers.py`` (``service/data/abstain.json``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from index.glossary import english_words
from index.lexical import LexicalIndex
from index.search import Hit

DATA = Path(__file__).parent / "data"
PROBES_FILE = DATA / "probes.json"
MODEL_FILE = DATA / "abstain.json"
SIGNALS = (
    "dense_z",
    "dense_over_probes",
    "coverage",
    "known_share",
    "overlap",
    "sentence",
    "english",
)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


class Searcher(Protocol):
    def search(self, question: str, k: int = 5) -> list[Hit]: ...


@dataclass(frozen=True)
class Calibration:
    """What unrelated questions score on one index: the best dense score of each probe."""

    probe_dense: tuple[float, ...]

    @classmethod
    def measure(cls, retriever: Searcher) -> Calibration:
        best = []
        for q in probe_questions():
            hits = retriever.search(q, 5)
            best.append(max((h.dense for h in hits), default=0.0))
        return cls(tuple(best))

    @property
    def mean(self) -> float:
        return float(np.mean(self.probe_dense)) if self.probe_dense else 0.8

    @property
    def std(self) -> float:
        return max(float(np.std(self.probe_dense)), 0.005) if self.probe_dense else 0.02

    @property
    def high(self) -> float:
        """The 90th percentile of the probes: what an unrelated question reaches on a good day."""
        return float(np.quantile(self.probe_dense, 0.9)) if self.probe_dense else 0.83


@dataclass(frozen=True)
class Decision:
    found: bool
    confidence: float  # probability the documents answer the question, per the fitted model


@lru_cache(maxsize=1)
def probe_questions() -> tuple[str, ...]:
    return tuple(json.loads(PROBES_FILE.read_text(encoding="utf-8"))["questions"])


@lru_cache(maxsize=1)
def _model() -> tuple[np.ndarray, float, float]:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    w = dict(zip(data["signals"], data["weights"], strict=True))
    return np.array([w.get(s, 0.0) for s in SIGNALS]), float(data["bias"]), float(data["threshold"])


def signals(
    question: str,
    hits: list[Hit],
    lexical: LexicalIndex,
    calibration: Calibration,
    best_overlap: float,
    best_sentence: float,
) -> np.ndarray:
    """The decision's inputs, in ``SIGNALS`` order."""
    best = max((h.dense for h in hits), default=0.0)
    return np.array(
        [
            (best - calibration.mean) / calibration.std,
            best - calibration.high,
            max((h.coverage for h in hits), default=0.0),
            known_share(question, lexical),
            best_overlap,
            best_sentence,
            0.0 if _JAPANESE.search(question) else 1.0,
        ]
    )


def decide(x: np.ndarray) -> Decision:
    w, bias, threshold = _model()
    p = 1.0 / (1.0 + math.exp(-float(x @ w + bias)))
    return Decision(p >= threshold, p)


def known_share(question: str, lexical: LexicalIndex) -> float:
    """Share of the question's content words the collection uses (English ones through the
    glossary): a question about sushi asked of a defence corpus has words the corpus never
    uses, however close its embedding lands."""
    vocab_has = lexical.has_term
    words = [t for t in lexical.tokenizer.tokens(question) if not t.isascii()]
    english = english_words(question)
    total = len(words) + len(english)
    if not total:
        return 0.0
    known = sum(vocab_has(t) for t in words)
    known += sum(w in lexical.glossary or vocab_has(w.lower()) for w in english)
    return known / total
