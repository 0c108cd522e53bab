"""Run a question set through the service's retrieval and aggregate the metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kotae.errors import KotaeError
from kotae.eval.answers import first_line, holds_answer, median, share
from kotae.eval.metrics import mrr_at, ndcg_at, recall_at
from kotae.eval.offtopic import OffTopic, load_offtopic
from kotae.eval.questions import Question, load_questions
from kotae.eval.short_metrics import ShortScore, short_metrics
from kotae.index.search import RETRIEVERS, Hit, Retriever
from kotae.service.answer import Answer
from kotae.settings import Settings

if TYPE_CHECKING:
    from kotae.service.turn import Answering

DEPTH = 10


@dataclass
class QuestionResult:
    question: Question
    hits: list[Hit]
    relevant: list[bool]
    ms: float
    answer: Answer | None = None
    short: ShortScore | None = None  # the answer's short answer against the golds
    judged: int = 0  # passages of the index relevant to the question (nDCG's ideal)

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(self.question.golds)


@dataclass(frozen=True)
class OffTopicResult:
    question: OffTopic
    found: bool
    confidence: float
    chip: bool = False  # found, with a short answer: a 答え chip on a question nothing answers


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
            out["offtopic_chip_rate"] = share([o.chip for o in off])
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
    """Build the index if it is missing or stale, then ask every question as a user would
    (one core turn each, as /api/ask does) and score the passages and the answer it gives."""
    from kotae.service.engine import Engine
    from kotae.service.turn import Answering

    kind = retriever or settings.retriever
    if kind not in RETRIEVERS:
        raise KotaeError(f"unknown retriever {kind!r}: choose one of {', '.join(RETRIEVERS)}")
    off = [q for path in offtopic or [] for q in load_offtopic(path)]  # bad files fail first
    engine = Engine(settings.model_copy(update={"retriever": kind}))
    engine.ensure_index()
    engine.load()
    answering = Answering(engine)  # extractive: what /api/ask answers with no LLM configured
    result = ask_questions(answering, questions_file, cutoffs)
    result.offtopic = ask_offtopic(answering, off)
    result.corpus = engine.source.describe()
    return result


def ask_questions(answering: Answering, questions_file: Path, cutoffs: list[int]) -> EvalResult:
    """Every question of the file as one turn: its ranked passages (deep enough for the
    cut-offs), its answer from the first ``TOP_K`` of them, and its short answer."""
    from kotae.service.turn import Turn

    loaded = answering.engine.loaded
    documents = {d: doc.text for d, doc in loaded.snapshot.documents.items()}
    questions = load_questions(questions_file, documents)
    result = EvalResult(loaded.retriever.kind, cutoffs)
    depth = max(DEPTH, *cutoffs)
    for q in questions:
        started = time.perf_counter()
        answer = answering.answer(Turn(q.question, depth=depth)).result.answer
        ms = (time.perf_counter() - started) * 1000
        relevant = [q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in answer.ranked]
        short = ShortScore.of(answer.short.text if answer.short else None, q.golds)
        judged = q.judged(loaded.snapshot.chunks)
        result.results.append(
            QuestionResult(q, answer.ranked, relevant, ms, answer, short, judged=judged)
        )
    return result


def ask_offtopic(answering: Answering, questions: list[OffTopic]) -> list[OffTopicResult]:
    """Ask each question the collection does not answer; record whether it said so."""
    from kotae.service.turn import Turn

    out = []
    for q in questions:
        answer = answering.answer(Turn(q.question)).result.answer
        chip = answer.found and answer.short is not None
        out.append(OffTopicResult(q, answer.found, answer.confidence, chip))
    return out


def score_questions(retriever: Retriever, questions_file: Path, cutoffs: list[int]) -> EvalResult:
    """Retrieval alone: every question of the file through ``retriever`` (a variant being
    compared, in tests and the lab), with no answer."""
    documents = {d: doc.text for d, doc in retriever.snapshot.documents.items()}
    questions = load_questions(questions_file, documents)
    result = EvalResult(retriever.kind, cutoffs)
    depth = max(DEPTH, *cutoffs)
    for q in questions:
        started = time.perf_counter()
        hits = retriever.search(q.question, depth)
        ms = (time.perf_counter() - started) * 1000
        relevant = [q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits]
        judged = q.judged(retriever.snapshot.chunks)
        result.results.append(QuestionResult(q, hits, relevant, ms, judged=judged))
    return result
