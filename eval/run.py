"""Run a question set through the service's retrieval and aggregate the metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.metrics import mrr_at, ndcg_at, recall_at
from eval.questions import Question, load_questions
from eval.short_eval import attach_short_answers
from eval.short_metrics import ShortScore, short_metrics
from index.search import RETRIEVERS, Hit, Retriever
from kotae.errors import KotaeError
from kotae.settings import Settings

DEPTH = 10


@dataclass
class QuestionResult:
    question: Question
    hits: list[Hit]
    relevant: list[bool]
    ms: float
    short: ShortScore | None = None  # set by attach_short_answers


@dataclass
class EvalResult:
    retriever: str
    cutoffs: list[int]
    results: list[QuestionResult] = field(default_factory=list)

    def metrics(self, lang: str | None = None) -> dict[str, float]:
        rs = [r for r in self.results if lang is None or r.question.lang == lang]
        out: dict[str, float] = {"n": len(rs)}
        for k in self.cutoffs:
            out[f"recall@{k}"] = _mean([recall_at(r.relevant, k) for r in rs])
        out["mrr@10"] = _mean([mrr_at(r.relevant, 10) for r in rs])
        out["ndcg@10"] = _mean([ndcg_at(r.relevant, 10) for r in rs])
        out["mean_passage_chars"] = _mean([len(h.chunk.text) for r in rs for h in r.hits])
        out["mean_query_ms"] = _mean([r.ms for r in rs])
        if rs and all(r.short is not None for r in rs):
            out.update(short_metrics([r.short for r in rs if r.short is not None]))
        return out

    @property
    def languages(self) -> list[str]:
        return sorted({r.question.lang for r in self.results})

    @property
    def misses(self) -> list[QuestionResult]:
        return [r for r in self.results if not any(r.relevant[:5])]


def _mean(xs: list[float]) -> float:
    return float(np.mean(xs)) if xs else 0.0


def run_eval(
    settings: Settings, questions_file: Path, cutoffs: list[int], retriever: str | None = None
) -> EvalResult:
    """Build the index if it is missing or stale, then score every question."""
    from service.engine import Engine

    kind = retriever or settings.retriever
    if kind not in RETRIEVERS:
        raise KotaeError(f"unknown retriever {kind!r}: choose one of {', '.join(RETRIEVERS)}")
    engine = Engine(settings)
    engine.ensure_index()
    snapshot = engine.load()
    result = score_questions(engine.retriever_for(snapshot, kind), questions_file, cutoffs)  # type: ignore[arg-type]
    attach_short_answers(engine, result)
    return result


def score_questions(retriever: Retriever, questions_file: Path, cutoffs: list[int]) -> EvalResult:
    """Run every question of the file through ``retriever`` and record what came back."""
    documents = {d: doc.text for d, doc in retriever.snapshot.documents.items()}
    questions = load_questions(questions_file, documents)
    result = EvalResult(retriever.kind, cutoffs)
    depth = max(DEPTH, *cutoffs)
    for q in questions:
        started = time.perf_counter()
        hits = retriever.search(q.question, depth)
        ms = (time.perf_counter() - started) * 1000
        relevant = [q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits]
        result.results.append(QuestionResult(q, hits, relevant, ms))
    return result
