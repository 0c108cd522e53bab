"""Run a question set through the service's retrieval and aggregate the metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eval.answers import first_line, holds_answer, median, share
from eval.metrics import mrr_at, ndcg_at, recall_at
from eval.offtopic import OffTopic, load_offtopic
from eval.questions import Question, load_questions
from eval.short_eval import attach_short_answers
from eval.short_metrics import ShortScore, short_metrics
from index.search import RETRIEVERS, Hit, Retriever
from kotae.errors import KotaeError
from kotae.settings import Settings
from service.answer import Answer

DEPTH = 10
ANSWER_K = 5  # passages an answer is composed from: /api/ask's default top_k
AnswerFn = Callable[[str, list[Hit]], Answer]


@dataclass
class QuestionResult:
    question: Question
    hits: list[Hit]
    relevant: list[bool]
    ms: float
    answer: Answer | None = None
    short: ShortScore | None = None  # set by attach_short_answers
    judged: int = 0  # passages of the index relevant to the question (nDCG's ideal)

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(a for answers in self.question.relevant.values() for a in answers)


@dataclass(frozen=True)
class OffTopicResult:
    question: OffTopic
    found: bool
    confidence: float


@dataclass
class EvalResult:
    retriever: str
    cutoffs: list[int]
    results: list[QuestionResult] = field(default_factory=list)
    offtopic: list[OffTopicResult] = field(default_factory=list)
    corpus: str = ""  # the folder the index was built from, and why that one

    def metrics(self, lang: str | None = None) -> dict[str, float]:
        rs = [r for r in self.results if lang is None or r.question.lang == lang]
        out: dict[str, float] = {"n": len(rs)}
        for k in self.cutoffs:
            out[f"recall@{k}"] = _mean([recall_at(r.relevant, k) for r in rs])
        out["mrr@10"] = _mean([mrr_at(r.relevant, 10) for r in rs])
        out["ndcg@10"] = _mean([ndcg_at(r.relevant, r.judged, 10) for r in rs])
        out["mean_passage_chars"] = _mean([len(h.chunk.text) for r in rs for h in r.hits])
        out["mean_query_ms"] = _mean([r.ms for r in rs])
        answered = [r for r in rs if r.answer is not None]
        if answered:
            out.update(answer_metrics(answered))
        off = [o for o in self.offtopic if lang is None or o.question.lang == lang]
        if off:
            out["abstain_rate"] = share([not o.found for o in off])
        if rs and all(r.short is not None for r in rs):
            out.update(short_metrics([r.short for r in rs if r.short is not None]))
        return out

    def abstain_by_source(self) -> dict[str, float]:
        sources = sorted({o.question.source for o in self.offtopic})
        return {
            s: share([not o.found for o in self.offtopic if o.question.source == s])
            for s in sources
        }

    @property
    def languages(self) -> list[str]:
        return sorted({r.question.lang for r in self.results})

    @property
    def misses(self) -> list[QuestionResult]:
        return [r for r in self.results if not any(r.relevant[:5])]


def answer_metrics(rs: list[QuestionResult]) -> dict[str, float]:
    """answer_any / answer_first: the answer text / its first line holds a gold answer."""
    texts = [r.answer.text if r.answer else "" for r in rs]
    return {
        "answer_any": share([holds_answer(t, r.answers) for t, r in zip(texts, rs, strict=True)]),
        "answer_first": share(
            [holds_answer(first_line(t), r.answers) for t, r in zip(texts, rs, strict=True)]
        ),
        "found_rate": share([bool(r.answer and r.answer.found) for r in rs]),
        "median_answer_chars": median([len(t) for t in texts]),
    }


def _mean(xs: list[float]) -> float:
    return float(np.mean(xs)) if xs else 0.0


def run_eval(
    settings: Settings,
    questions_file: Path,
    cutoffs: list[int],
    retriever: str | None = None,
    offtopic: list[Path] | None = None,
) -> EvalResult:
    """Build the index if it is missing or stale, then score every question and its answer."""
    from service.engine import Engine

    kind = retriever or settings.retriever
    if kind not in RETRIEVERS:
        raise KotaeError(f"unknown retriever {kind!r}: choose one of {', '.join(RETRIEVERS)}")
    off = [q for path in offtopic or [] for q in load_offtopic(path)]  # bad files fail first
    engine = Engine(settings)
    engine.ensure_index()
    snapshot = engine.load()
    ranker = engine.retriever_for(snapshot, kind)  # type: ignore[arg-type]

    def answer(question: str, hits: list[Hit]) -> Answer:
        return engine.compose(question, hits)

    result = score_questions(ranker, questions_file, cutoffs, answer)
    result.offtopic = score_offtopic(ranker, off, answer)
    result.corpus = engine.source.describe()
    attach_short_answers(engine, result)
    return result


def score_offtopic(
    retriever: Retriever, questions: list[OffTopic], answer: AnswerFn
) -> list[OffTopicResult]:
    """Ask each question the collection does not answer; record whether it said so."""
    out = []
    for q in questions:
        a = answer(q.question, retriever.search(q.question, ANSWER_K))
        out.append(OffTopicResult(q, a.found, a.confidence))
    return out


def score_questions(
    retriever: Retriever, questions_file: Path, cutoffs: list[int], answer: AnswerFn | None = None
) -> EvalResult:
    """Run every question of the file through ``retriever`` (and ``answer``, composed from the
    top ``ANSWER_K`` passages) and record what came back."""
    documents = {d: doc.text for d, doc in retriever.snapshot.documents.items()}
    questions = load_questions(questions_file, documents)
    result = EvalResult(retriever.kind, cutoffs)
    depth = max(DEPTH, *cutoffs)
    for q in questions:
        started = time.perf_counter()
        hits = retriever.search(q.question, depth)
        ms = (time.perf_counter() - started) * 1000
        relevant = [q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits]
        composed = answer(q.question, hits[:ANSWER_K]) if answer else None
        judged = q.judged(retriever.snapshot.chunks)
        result.results.append(QuestionResult(q, hits, relevant, ms, composed, judged=judged))
    return result
