"""Retrieval over a loaded index: dense, lexical, or both fused.

Dense scores mix a passage's own cosine with its best sentence's cosine, so a passage that
holds one sentence squarely answering the question is not diluted by its neighbours.
Hybrid fusion adds dense scores (min-max over the candidates) to lexical scores expressed
as query coverage (BM25 over the best any passage could score), with a fixed weight: a
question with no lexical match adds zeros and keeps the dense order, and a weak match stays
weak instead of being stretched to full weight as min-max would. Hybrid search then adds a
light pseudo-relevance feedback (index/feedback.py): the top passage's strongest terms the
question lacks, scored as a second lexical query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from kotae.index.feedback import feedback_terms
from kotae.index.query_encoder import QueryEncoder, normalise_query
from kotae.index.question import Question, as_question
from kotae.index.snapshot import Snapshot
from kotae.ingest.chunker import spanned_dates
from kotae.ingest.dates import years_in_question
from kotae.ingest.records import Chunk
from kotae.ingest.text import JAPANESE
from kotae.settings import Settings

# Passages each side (dense, lexical) offers the fusion, whatever k is asked for: the min-max
# fusion and the feedback read the pool, so a pool that grew with k would rank the top 5 that
# /api/ask shows differently from the top 10 that `kotae eval` measures.
CANDIDATE_POOL = 100

RetrieverName = Literal["dense", "lexical", "hybrid"]
RETRIEVERS: tuple[RetrieverName, ...] = ("dense", "lexical", "hybrid")


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its scores.

    ``dense`` is the raw similarity and ``coverage`` the share of the question's terms the
    passage matches lexically (BM25 over the best possible): absolute scales, for thresholds.
    ``preferred``: the passage is dated in the search's ``Filters.prefer`` period.
    """

    chunk_id: int
    chunk: Chunk
    score: float
    dense: float
    coverage: float = 0.0
    preferred: bool = False  # dated in the search's ``Filters.prefer`` period


@dataclass(frozen=True)
class Period:
    """A year, a month of a year, or a month of any year (``year`` or ``month`` empty).

    「1月にワシントンで開かれた会合」 names a month and no year: still a period a passage's
    date can be in.
    """

    year: str = ""  # "2011"
    month: str = ""  # "06"

    def spans(self, dates: list[str | None]) -> bool:
        """Whether any of a passage's section dates (``ingest.chunker.spanned_dates``) is in it."""
        return any(self.holds(d) for d in dates)

    def holds(self, date: str | None) -> bool:
        if not date or not (self.year or self.month):
            return False
        return (not self.year or date[:4] == self.year) and (
            not self.month or date[5:7] == self.month
        )

    def __str__(self) -> str:
        return f"{self.year or '-'}-{self.month}" if self.month else self.year

    def __bool__(self) -> bool:
        return bool(self.year or self.month)


@dataclass(frozen=True)
class Filters:
    """What a search may return; ``prefer`` only reorders: passages dated in it rank first,
    the rest after them (a follow-up's carried period, see service/followup.py)."""

    doc_ids: frozenset[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    prefer: Period | None = None

    def allows(self, chunk: Chunk) -> bool:
        if self.doc_ids is not None and chunk.doc_id not in self.doc_ids:
            return False
        if self.date_from and (not chunk.date or chunk.date < self.date_from):
            return False
        return not (self.date_to and (not chunk.date or chunk.date > self.date_to))

    @property
    def active(self) -> bool:
        return bool(self.doc_ids is not None or self.date_from or self.date_to)


def _default(name: str) -> Any:
    """The default of setting ``name``, as kotae/settings.py declares it."""
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class Ranking:
    """How candidates are scored; every field is a setting, tuned on the dev set."""

    # The defaults are the settings' own (one place to change them: kotae/settings.py).
    kind: RetrieverName = _default("retriever")
    lexical_weight: float = _default("lexical_weight")
    english_lexical_weight: float = _default("english_lexical_weight")
    sentence_weight: float = _default("sentence_weight")
    year_boost: float = _default("year_boost")
    lexical_norm: Literal["minmax", "coverage"] = _default("lexical_norm")
    # Off: measured on both dev sets, it did not help (lab/furniture_ablation.py).
    skip_furniture_sentences: bool = False
    feedback_weight: float = _default("feedback_weight")
    feedback_terms: int = _default("feedback_terms")
    feedback_passages: int = _default("feedback_passages")

    @classmethod
    def from_settings(cls, settings: Settings, kind: RetrieverName | None = None) -> Ranking:
        return cls(
            kind or settings.retriever,
            settings.lexical_weight,
            settings.english_lexical_weight,
            settings.sentence_weight,
            settings.year_boost,
            settings.lexical_norm,
            feedback_weight=settings.feedback_weight,
            feedback_terms=settings.feedback_terms,
            feedback_passages=settings.feedback_passages,
        )


class Reranker(Protocol):
    """A second stage: reorders the first stage's top ``depth`` hits (service/rerank.py)."""

    @property
    def depth(self) -> int: ...

    def __call__(self, question: Question, qv: np.ndarray, hits: list[Hit]) -> list[Hit]: ...


class Retriever:
    def __init__(
        self,
        snapshot: Snapshot,
        encoder: QueryEncoder,
        ranking: Ranking | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.encode = encoder
        self.ranking = ranking or Ranking()
        self.reranker = reranker

    @property
    def kind(self) -> RetrieverName:
        return self.ranking.kind

    def search(
        self, question: str | Question, k: int = 5, filters: Filters | None = None
    ) -> list[Hit]:
        """The ``k`` best passages for ``question`` (a string is read here; the answering turn
        passes the record it read once, and the reranker takes that same reading)."""
        filters = filters or Filters()
        read = as_question(question)
        query = normalise_query(read.text)
        qv = self.encode(query)
        pool = max(CANDIDATE_POOL, k)
        allowed = self._allowed(filters)
        candidates, lexical, ideal = self._candidates(query, qv, pool, allowed, filters)
        if not len(candidates):
            return []
        dense = self.dense_scores(qv, candidates)
        japanese = bool(JAPANESE.search(query))
        lex = None if lexical is None else lexical[candidates]
        score = self._fuse(dense, lex, ideal, japanese)
        score = score + self._year_bonus(query, candidates)
        if lexical is not None and self.kind == "hybrid":
            score = score + self._feedback(query, score, candidates)
        depth = max(k, self.reranker.depth) if self.reranker else k
        preferred = self._preferred(filters.prefer, candidates)
        order = np.lexsort((-score, ~preferred))[:depth]
        coverage = lex / ideal if lex is not None and ideal > 0 else np.zeros(len(candidates))
        hits = [
            Hit(
                int(candidates[i]),
                self.snapshot.chunks[candidates[i]],
                float(score[i]),
                float(dense[i]),
                float(coverage[i]),
                bool(preferred[i]),
            )
            for i in order
        ]
        if self.reranker:
            hits = self.reranker(read, qv, hits)
        if filters.prefer:  # the reranker may have mixed them again
            hits.sort(key=lambda h: not h.preferred)
        return hits[:k]

    def in_period(self, period: Period, chunk: Chunk) -> bool:
        """Whether ``chunk`` is dated in ``period``, by any dated section it overlaps."""
        document = self.snapshot.documents[chunk.doc_id]
        return period.spans(spanned_dates(document, chunk.start, chunk.end))

    def _preferred(self, period: Period | None, candidates: np.ndarray) -> np.ndarray:
        """Which candidates are dated in ``period`` (all False without one)."""
        if not period:
            return np.zeros(len(candidates), dtype=bool)
        chunks = self.snapshot.chunks
        return np.array([self.in_period(period, chunks[i]) for i in candidates], dtype=bool)

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        """Ids of the passages a filter admits (None: all)."""
        if not filters.active:
            return None
        chunks = self.snapshot.chunks
        return np.array([i for i, c in enumerate(chunks) if filters.allows(c)], dtype=np.int64)

    def _candidates(
        self,
        query: str,
        qv: np.ndarray,
        pool: int,
        allowed: np.ndarray | None,
        filters: Filters | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None, float]:
        """Union of the dense and lexical top ``pool``, within ``allowed`` when filtered.

        Filtered search runs inside the filter (the store scores the admitted passages, or
        applies it as its own filter expression), never as a filter over a global top list,
        so a filter on one small document still finds its passages.
        """
        ids: list[np.ndarray] = []
        lexical, ideal = None, 0.0
        if allowed is not None and not len(allowed):
            return allowed, None, 0.0
        if self.kind in ("dense", "hybrid"):
            ids.append(self.snapshot.store.search(qv, pool, allowed, filters)[0])
        if self.kind in ("lexical", "hybrid"):
            lexical, ideal = self.snapshot.lexical.scores(query)
            ranked = lexical if allowed is None else np.full_like(lexical, -1.0)
            if allowed is not None:
                ranked[allowed] = lexical[allowed]
            top = np.argsort(-ranked, kind="stable")[:pool]
            top = top[ranked[top] >= 0]
            ids.append(top[lexical[top] > 0] if self.kind == "hybrid" else top)
        return np.unique(np.concatenate(ids)).astype(np.int64), lexical, ideal

    def dense_scores(self, qv: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Per candidate: (1 - w) * passage cosine + w * best sentence cosine.

        With ``skip_furniture_sentences``, furniture sentences (a banner, a byline restating
        the topic) never count as the best sentence; a passage of nothing else keeps its own
        cosine.
        """
        snap = self.snapshot
        own = np.asarray(snap.vectors[candidates]) @ qv
        if not self.ranking.sentence_weight or not len(snap.sentences):
            return own
        ranges = snap.sentence_ranges[candidates]
        rows = np.concatenate([np.arange(lo, hi) for lo, hi in ranges])
        sims = np.asarray(snap.sentence_vectors[rows]) @ qv if len(rows) else np.zeros(0)
        if self.ranking.skip_furniture_sentences:
            sims = np.where(snap.sentence_furniture[rows], -np.inf, sims)
        best = own.copy()
        pos = 0
        for i, (lo, hi) in enumerate(ranges):
            if hi > lo:
                top = sims[pos : pos + hi - lo].max()
                best[i] = top if np.isfinite(top) else own[i]
                pos += hi - lo
        return (1 - self.ranking.sentence_weight) * own + self.ranking.sentence_weight * best

    def _fuse(
        self, dense: np.ndarray, lexical: np.ndarray | None, ideal: float, japanese: bool
    ) -> np.ndarray:
        """Weighted sum of dense (min-max over the candidates) and lexical scores.

        Questions without Japanese script get their own lexical weight: their lexical side
        is only the glossary's translation of their words, a weaker signal.
        """
        if self.kind == "dense" or lexical is None:
            return dense
        if self.kind == "lexical":
            return lexical
        r = self.ranking
        w = r.lexical_weight if japanese else r.english_lexical_weight
        if r.lexical_norm == "coverage":
            lex = lexical / ideal if ideal > 0 else np.zeros_like(lexical)
        else:
            lex = _minmax(lexical)
        return (1 - w) * _minmax(dense) + w * lex

    def _feedback(self, query: str, score: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Coverage of the top passages' strongest new terms (index/feedback.py), weighted.

        Only the score moves: ``Hit.coverage`` stays the question's own, for thresholds.
        """
        r, lex = self.ranking, self.snapshot.lexical
        if not r.feedback_weight or not r.feedback_passages or not r.feedback_terms:
            return np.zeros(len(candidates))
        top = candidates[np.argsort(-score, kind="stable")[: r.feedback_passages]]
        known = {t for t, _ in lex.weighted_terms(query)}
        terms = feedback_terms(lex.passage_terms(top), known, r.feedback_terms)
        extra, ideal = lex.score_terms(terms)
        if ideal <= 0:
            return np.zeros(len(candidates))
        return r.feedback_weight * extra[candidates] / ideal

    def _year_bonus(self, query: str, candidates: np.ndarray) -> np.ndarray:
        years = years_in_question(query)
        if not years or not self.ranking.year_boost:
            return np.zeros(len(candidates))
        scale = 1.0 if self.kind == "hybrid" else 0.1  # raw cosines span ~0.1, not 1
        match = np.isin(self.snapshot.chunk_years[candidates], list(years))
        return match * self.ranking.year_boost * scale


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x, dtype=np.float64)
