"""Calibrated "not found": whether the retrieved passages answer the question at all.

e5 similarities are compressed (unrelated text scores ~0.75-0.83) and where they sit depends
on the collection, so no global threshold generalises. Each index is calibrated when it is
loaded: a fixed set of generic probe questions (``service/data/probes.json``) is run through
its retrieval, and the best dense score of a question is read against the scores those
unrelated probes get on *this* index. With it, the decision weighs how much of the question's
content the collection knows and the best passages cover, and how much of it one retrieved
sentence expresses; the weights and the threshold are fitted on in-collection and off-topic
questions of both dev collections by ``lab/fit_answers.py`` (``service/data/abstain.json``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from kotae.index.lexical import LexicalIndex
from kotae.index.question import Question, as_question
from kotae.index.question import language as text_language
from kotae.index.search import Hit
from kotae.ingest.text import nfkc
from kotae.service.fitted import fitted, ordered
from kotae.service.rerank import written_years

DATA = Path(__file__).parent / "data"
PROBES_FILE = DATA / "probes.json"
MODEL_FILE = DATA / "abstain.json"
SIGNALS = (
    "dense_z",
    "dense_over_probes",
    "coverage",
    "known_share",
    "english",
    "numbers",
    "cover",
    "years_missing",
)
_NUMBER = re.compile(r"\d{2,}")


class Searcher(Protocol):
    def search(self, question: str, k: int = 5) -> list[Hit]: ...


@dataclass(frozen=True)
class Calibration:
    """What unrelated questions score on one index: the best dense score of each probe, per
    language — an English question over Japanese text scores lower than a Japanese one, on
    topic or not, so each is read against probes in its own language."""

    probe_dense: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @classmethod
    def measure(cls, retriever: Searcher) -> Calibration:
        best: dict[str, list[float]] = {}
        for q in probe_questions():
            hits = retriever.search(q, 5)
            best.setdefault(language(q), []).append(max((h.dense for h in hits), default=0.0))
        return cls({lang: tuple(v) for lang, v in best.items()})

    def stats(self, lang: str) -> tuple[float, float, float]:
        """Mean, spread and 90th percentile of the probes' best scores in ``lang``."""
        # typical e5 values, for an index never calibrated
        return self._stats.get(lang, (0.8, 0.02, 0.83))

    @cached_property
    def _stats(self) -> dict[str, tuple[float, float, float]]:
        """``stats`` of every language, computed once per loaded index, not per request."""
        return {
            lang: (
                float(np.mean(scores)),
                max(float(np.std(scores)), 0.005),
                float(np.quantile(scores, 0.9)),
            )
            for lang, scores in self.probe_dense.items()
            if scores
        }


@dataclass(frozen=True)
class Decision:
    found: bool
    confidence: float  # probability the documents answer the question, per the fitted model


@lru_cache(maxsize=1)
def probe_questions() -> tuple[str, ...]:
    return tuple(json.loads(PROBES_FILE.read_text(encoding="utf-8"))["questions"])


@lru_cache(maxsize=1)
def _model() -> tuple[np.ndarray, float, dict[str, float]]:
    data = fitted(MODEL_FILE)
    thresholds = {lang: float(t) for lang, t in data["threshold"].items()}
    return ordered(data, "signals", SIGNALS), float(data["bias"]), thresholds


def signals(
    question: str | Question,
    hits: list[Hit],
    lexical: LexicalIndex,
    calibration: Calibration,
    best_cover: float,
) -> np.ndarray:
    """The decision's inputs, in ``SIGNALS`` order. ``best_cover`` is the largest share of the
    question's words one candidate sentence expresses (``sentences.word_share``): read from the
    sentences, not from the sentence scorer's output, so refitting that scorer or reranking
    passages does not move this decision's scale. ``question`` as read once by
    ``compose_answer`` (a string is read here)."""
    q = as_question(question)
    best = max((h.dense for h in hits), default=0.0)
    mean, std, high = calibration.stats(q.language)
    return np.array(
        [
            (best - mean) / std,
            best - high,
            max((h.coverage for h in hits), default=0.0),
            known_share(q, lexical),
            float(q.language == "en"),
            numbers_found(q, hits),
            best_cover,
            years_missing(q, hits),
        ]
    )


def numbers_found(question: str | Question, hits: list[Hit]) -> float:
    """Share of the numbers the question names (years, amounts) that the best passages hold; 0
    without any. A question naming 2007 whose passages say 2007 is about them, in any language."""
    numbers = set(_NUMBER.findall(as_question(question).normalized))
    if not numbers:
        return 0.0
    text = nfkc("".join(h.chunk.text for h in hits))
    return sum(n in text for n in numbers) / len(numbers)


def years_missing(question: str | Question, hits: list[Hit]) -> float:
    """Share of the years the question names (西暦 or 和暦) that no retrieved passage holds,
    written in either calendar or dated by the heading above it; 0 without any. Passages
    about 2007's and 2011's meetings do not say where 2019's was, however close the words
    (``numbers`` cannot tell: it is 0 both for a question naming no number and for one whose
    numbers the passages lack, and it reads digits only, not 平成19年)."""
    asked = as_question(question).years
    if not asked:
        return 0.0
    held: set[int] = set()
    for h in hits:
        held |= written_years(h.chunk.text)
        if h.chunk.date:
            held.add(int(h.chunk.date[:4]))
    return len(asked - held) / len(asked)


def language(question: str) -> str:
    """A probe's language (``index.question.language``): probes are read for nothing else."""
    return text_language(question)


def decide(x: np.ndarray) -> Decision:
    """Found when the fitted probability clears its language's threshold (questions in English
    over Japanese text have weaker signals, so their threshold is fitted apart)."""
    w, bias, thresholds = _model()
    p = 1.0 / (1.0 + math.exp(-float(x @ w + bias)))
    lang = "en" if x[SIGNALS.index("english")] else "ja"
    return Decision(p >= thresholds[lang], p)


def known_share(question: str | Question, lexical: LexicalIndex) -> float:
    """Share of the question's content words the collection uses (English ones through the
    glossary): a question about sushi asked of a defence corpus has words the corpus never
    uses, however close its embedding lands."""
    q = as_question(question)
    vocab_has = lexical.has_term
    words = [(t, unit) for t, unit in lexical.spelled_words(q.text) if not t.isascii()]
    english = q.english
    total = len(words) + len(english)
    if not total:
        return 0.0
    known = sum(bool(unit) for _, unit in words)  # ゴミ as ごみ, コンビニ as コンビニエンスストア
    known += sum(w in lexical.glossary or vocab_has(w.lower()) for w in english)
    return known / total
