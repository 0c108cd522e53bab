"""Extractive answers: the retrieved sentences that best answer the question, each cited.

No word of an extractive answer is written by kotae: every sentence is a verbatim span of a
cited passage, followed by that passage's marker ``[n]``, one a line, best first (scored by
``service/sentences.py``). When the documents do not answer the question (``service/abstain.py``)
the answer says so instead of quoting noise, and still cites the closest passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kotae.index.question import Question, as_question, language, with_words
from kotae.index.search import Hit
from kotae.index.snapshot import Snapshot
from kotae.ingest.text import nfkc
from kotae.service.abstain import Calibration, decide, signals
from kotae.service.faq import faq_quotes
from kotae.service.reading import ReaderStage, read_candidates, reader_short
from kotae.service.sentences import (
    FEATURES,
    Scored,
    content_free,
    score_candidates,
    selection_margin,
)
from kotae.service.short_answer import ShortAnswer, about_other_years

MAX_SENTENCES = 3
NOTHING_FOUND = {
    "ja": "該当する情報は文書の中に見つかりませんでした。質問の言い方を変えてお試しください。",
    "en": "I could not find anything relevant in the documents. Try rephrasing the question.",
}


@dataclass(frozen=True)
class Citation:
    n: int
    hit: Hit


@dataclass(frozen=True)
class Quote:
    """One answering sentence: a span of the document inside citation ``n``."""

    n: int
    start: int
    end: int
    text: str
    score: float


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    quotes: list[Quote] = field(default_factory=list)
    found: bool = True
    took_ms: float = 0.0
    confidence: float = 0.0
    short: ShortAnswer | None = None  # the fact itself, inside quotes[0] (service.short_answer)
    ranked: list[Hit] = field(default_factory=list)  # the passages retrieved, best first
    # the question as compose_answer read it (index.question): the short answer reads it too
    read: Question | None = field(default=None, repr=False)


def question_language(question: str | Question) -> str:
    return question.language if isinstance(question, Question) else language(question)


def compose_answer(
    question: str | Question,
    hits: list[Hit],
    snapshot: Snapshot,
    query_vector: np.ndarray,
    calibration: Calibration | None = None,
    stage: ReaderStage | None = None,
) -> Answer:
    """Quote the sentences that answer, best first, or say nothing was found (the calibrated
    decision of ``service/abstain.py``).

    The passages are cited either way: when nothing is found they are the closest ones, for
    the reader to judge. The question is read here, once (``index.question``): every stage
    after takes that reading.
    """
    q = as_question(question)
    citations = [Citation(n, hit) for n, hit in enumerate(hits, start=1)]
    if not hits or content_free(q.text):
        return _not_found(q, citations, 0.0)
    q = with_words(q, snapshot.lexical)  # weighed by this index, for the sentences
    scored = score_candidates(q, hits, snapshot, query_vector)
    read = None
    if stage is not None:
        scored, read = read_candidates(q.text, scored, stage)
    later = np.array([about_other_years(q, c.text) for c in scored.candidates], bool)
    quotes = _best_quotes(scored, citations, later)
    x = signals(q, hits, snapshot.lexical, calibration or Calibration(), best_cover(scored))
    decision = decide(x)
    if not decision.found:
        return _not_found(q, citations, decision.confidence)
    if read is not None and stage is not None and read.reading.answerable < stage.floor:
        return _not_found(q, citations, read.reading.answerable)  # the reader's veto
    text = "\n".join(f"{quote.text} [{quote.n}]" for quote in quotes)
    answer = Answer(q.text, text, citations, quotes, confidence=decision.confidence, read=q)
    if read is not None and quotes:
        first = quotes[0]
        doc_id = citations[first.n - 1].hit.chunk.doc_id
        answer.short = reader_short(q, (first.n, first.start, first.end), scored, read, doc_id)
    return answer


def best_cover(scored: Scored) -> float:
    """The largest share of the question's words one candidate sentence expresses."""
    cover = scored.features[:, FEATURES.index("word_share")]
    return float(cover.max()) if len(cover) else 0.0


def _not_found(question: Question, citations: list[Citation], confidence: float) -> Answer:
    message = NOTHING_FOUND[question.language]
    return Answer(
        question.text, message, citations, found=False, confidence=confidence, read=question
    )


def _best_quotes(
    scored: Scored, citations: list[Citation], later: np.ndarray | None = None
) -> list[Quote]:
    """The matching FAQ answer first (``service/faq.py``), then the best-scored sentence and
    those close behind it, deduplicated. Candidates marked ``later`` (a who/where question's
    sentences about other years, :func:`~service.short_answer.about_other_years`) still
    quote, but after the others: not dropped, since they may be all there is.

    Which sentences are quoted is decided by the hand-fitted scores; when the reader has read
    them (``scored.fitted`` holds the scores before it), the quoted sentences are then ordered
    by the reader's scores: it decides what comes first, never what is left out."""
    if not scored.candidates:  # passages too short to hold a sentence: quote the best passage
        hit = citations[0].hit
        return [Quote(1, hit.chunk.start, hit.chunk.end, hit.chunk.text, hit.dense)]
    fitted = scored.fitted if scored.fitted is not None else scored.scores
    order = np.argsort(-fitted, kind="stable")
    if scored.quotable is not None:  # an FAQ question line is not its own answer
        order = order[scored.quotable[order]]
    if later is not None and not later[order].all():
        order = np.concatenate([order[~later[order]], order[later[order]]])
    best = float(fitted[order[0]])
    chosen: list[Quote] = []
    sentences: list[int] = []  # candidate index of each chosen quote (-1: an FAQ answer span)
    seen: set[str] = set()

    def add(quote: Quote, i: int = -1) -> None:
        key = nfkc(quote.text).strip()
        if key not in seen and len(key) >= 4 and len(chosen) < MAX_SENTENCES:
            seen.add(key)
            chosen.append(quote)
            sentences.append(i)

    floor = best - selection_margin()  # a pair leads only when its answer could be quoted anyway
    near = tuple(p for p in scored.pairs if p.answer and fitted[list(p.answer)].max() >= floor)
    if near and scored.raw is not None:
        hits = [c.hit for c in citations]
        spans, used = faq_quotes(
            near, scored.raw, scored.candidates, hits, MAX_SENTENCES, scored.asks
        )
        for n, start, end in spans:
            chunk = hits[n - 1].chunk
            add(Quote(n, start, end, chunk.text[start - chunk.start : end - chunk.start], best))
        order = order[~np.isin(order, used)]
    for i in order:
        c = scored.candidates[i]
        if float(fitted[i]) < floor or len(chosen) == MAX_SENTENCES:
            break
        add(Quote(c.n, c.start, c.end, c.text, float(scored.scores[i])), int(i))
    if scored.fitted is None:
        return chosen
    return _reader_order(chosen, sentences, scored.scores, later)


def _reader_order(
    chosen: list[Quote], sentences: list[int], scores: np.ndarray, later: np.ndarray | None
) -> list[Quote]:
    """The FAQ answer spans where they were; the sentences after them by the reader's score
    (sentences about other years still last)."""
    lead = [q for q, i in zip(chosen, sentences, strict=True) if i < 0]
    rest = [(q, i) for q, i in zip(chosen, sentences, strict=True) if i >= 0]
    rest.sort(key=lambda qi: (bool(later is not None and later[qi[1]]), -float(scores[qi[1]])))
    return lead + [q for q, _ in rest]
