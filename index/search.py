"""Retrieval over a loaded index: dense, lexical, or both fused.

Dense scores mix a passage's own cosine with its best sentence's cosine, so a passage that
holds one sentence squarely answering the question is not diluted by its neighbours.
Hybrid fusion min-max normalises each side over the candidate set and adds them with a
fixed lexical weight: a question with no lexical match adds zeros and falls back to the dense
order, which is why English questions on a Japanese corpus cannot lose to dense alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Literal

import numpy as np

from index.embedders.base import Embedder
from index.snapshot import Snapshot
from ingest.dates import years_in_question
from ingest.records import Chunk

RetrieverName = Literal["dense", "lexical", "hybrid"]
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
RETRIEVERS: tuple[RetrieverName, ...] = ("dense", "lexical", "hybrid")


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its scores (``dense`` is the raw cosine, for thresholds)."""

    chunk_id: int
    chunk: Chunk
    score: float
    dense: float


@dataclass(frozen=True)
class Filters:
    doc_ids: frozenset[str] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def allows(self, chunk: Chunk) -> bool:
        if self.doc_ids is not None and chunk.doc_id not in self.doc_ids:
            return False
        if self.date_from and (not chunk.date or chunk.date < self.date_from):
            return False
        return not (self.date_to and (not chunk.date or chunk.date > self.date_to))

    @property
    def active(self) -> bool:
        return bool(self.doc_ids is not None or self.date_from or self.date_to)


class QueryEncoder:
    """Query embeddings with a small LRU cache: repeated questions skip the model."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def __call__(self, question: str) -> np.ndarray:
        key = normalise_query(question)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        vector = self.embedder.embed_queries([key])[0]
        with self._lock:
            self._cache[key] = vector
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector


def normalise_query(question: str) -> str:
    """NFKC and collapsed spaces: ２＋２ and 2+2 become the same query."""
    return " ".join(unicodedata.normalize("NFKC", question).split())


class Retriever:
    def __init__(
        self,
        snapshot: Snapshot,
        encoder: QueryEncoder,
        kind: RetrieverName = "hybrid",
        lexical_weight: float = 0.3,
        sentence_weight: float = 0.5,
        year_boost: float = 0.1,
    ) -> None:
        self.snapshot = snapshot
        self.encode = encoder
        self.kind = kind
        self.lexical_weight = lexical_weight
        self.sentence_weight = sentence_weight
        self.year_boost = year_boost

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        filters = filters or Filters()
        query = normalise_query(question)
        qv = self.encode(query)
        n = len(self.snapshot.chunks)
        pool = min(n, max(50, 10 * k) * (4 if filters.active else 1))
        candidates, lexical = self._candidates(query, qv, pool)
        if filters.active:
            candidates = np.array(
                [c for c in candidates if filters.allows(self.snapshot.chunks[c])], dtype=np.int64
            )
        if not len(candidates):
            return []
        dense = self.dense_scores(qv, candidates)
        japanese = bool(_JAPANESE.search(query))
        score = self._fuse(dense, lexical[candidates] if lexical is not None else None, japanese)
        score = score + self._year_bonus(query, candidates)
        order = np.argsort(-score, kind="stable")[:k]
        return [
            Hit(
                int(candidates[i]),
                self.snapshot.chunks[candidates[i]],
                float(score[i]),
                float(dense[i]),
            )
            for i in order
        ]

    def _candidates(
        self, query: str, qv: np.ndarray, pool: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        ids: list[np.ndarray] = []
        lexical = None
        if self.kind in ("dense", "hybrid"):
            ids.append(self.snapshot.store.search(qv, pool)[0])
        if self.kind in ("lexical", "hybrid"):
            lexical = self.snapshot.lexical.scores(query)
            top = np.argsort(-lexical, kind="stable")[:pool]
            ids.append(top[lexical[top] > 0] if self.kind == "hybrid" else top)
        return np.unique(np.concatenate(ids)).astype(np.int64), lexical

    def dense_scores(self, qv: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Per candidate: (1 - w) * passage cosine + w * best sentence cosine."""
        snap = self.snapshot
        own = np.asarray(snap.vectors[candidates]) @ qv
        if not self.sentence_weight or not len(snap.sentences):
            return own
        ranges = snap.sentence_ranges[candidates]
        rows = np.concatenate([np.arange(lo, hi) for lo, hi in ranges])
        sims = np.asarray(snap.sentence_vectors[rows]) @ qv if len(rows) else np.zeros(0)
        best = own.copy()
        pos = 0
        for i, (lo, hi) in enumerate(ranges):
            if hi > lo:
                best[i] = sims[pos : pos + hi - lo].max()
                pos += hi - lo
        return (1 - self.sentence_weight) * own + self.sentence_weight * best

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray | None, japanese: bool) -> np.ndarray:
        """Weighted sum of min-max normalised scores.

        A question without Japanese script (English on a Japanese corpus) matches only
        loan-word noise lexically, so it keeps the dense order.
        """
        if self.kind == "dense" or lexical is None:
            return dense
        if self.kind == "lexical":
            return lexical
        w = self.lexical_weight if japanese else 0.0
        return (1 - w) * _minmax(dense) + w * _minmax(lexical)

    def _year_bonus(self, query: str, candidates: np.ndarray) -> np.ndarray:
        years = years_in_question(query)
        if not years or not self.year_boost:
            return np.zeros(len(candidates))
        scale = 1.0 if self.kind == "hybrid" else 0.1  # raw cosines span ~0.1, not 1
        match = np.isin(self.snapshot.chunk_years[candidates], list(years))
        return match * self.year_boost * scale


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x, dtype=np.float64)
