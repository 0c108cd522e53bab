"""Extractive answers: the retrieved sentences that best answer the question, each cited.

No word of an extractive answer is written by kotae: every sentence is a verbatim span of a
cited passage, followed by that passage's marker ``[n]``. When the best passage is not close
enough to the question, the answer says so instead of quoting noise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from index.search import Hit
from index.snapshot import Snapshot
from service.short_answer import ShortAnswer

MAX_SENTENCES = 3
SENTENCE_MARGIN = 0.03
NO_TERMS_MARGIN = 0.06
NOTHING_FOUND = {
    "ja": "該当する情報は文書の中に見つかりませんでした。質問の言い方を変えてお試しください。",
    "en": "I could not find anything relevant in the documents. Try rephrasing the question.",
}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


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
    short: ShortAnswer | None = None  # the fact itself, inside quotes[0] (service.short_answer)


def question_language(question: str) -> str:
    return "ja" if _JAPANESE.search(question) else "en"


def is_relevant(hits: list[Hit], min_score: float) -> bool:
    """Whether the passages answer anything at all.

    e5 similarities are compressed (unrelated text scores ~0.75-0.83), so similarity alone
    cannot tell an off-topic question. A passage sharing none of the question's terms must
    clear a higher bar than one that does.
    """
    if not hits:
        return False
    best = max(h.dense for h in hits)
    has_terms = any(h.coverage > 0 for h in hits)
    return best >= min_score and (has_terms or best >= min_score + NO_TERMS_MARGIN)


def compose_answer(
    question: str, hits: list[Hit], snapshot: Snapshot, query_vector: np.ndarray, min_score: float
) -> Answer:
    citations = [Citation(n, hit) for n, hit in enumerate(hits, start=1)]
    if not is_relevant(hits, min_score):
        return Answer(question, NOTHING_FOUND[question_language(question)], citations, found=False)
    quotes = _best_quotes(citations, snapshot, query_vector)
    text = "\n".join(f"{q.text} [{q.n}]" for q in quotes)
    return Answer(question, text, citations, quotes)


def _best_quotes(citations: list[Citation], snapshot: Snapshot, qv: np.ndarray) -> list[Quote]:
    """Top sentences by similarity to the question, deduplicated, in citation then text order."""
    candidates: list[Quote] = []
    for c in citations:
        doc = snapshot.documents[c.hit.chunk.doc_id]
        lo, hi = snapshot.sentence_ranges[c.hit.chunk_id]
        sims = np.asarray(snapshot.sentence_vectors[lo:hi]) @ qv
        for (start, end), sim in zip(snapshot.sentences[lo:hi], sims, strict=True):
            candidates.append(Quote(c.n, int(start), int(end), doc.text[start:end], float(sim)))
    if not candidates:  # passages too short to hold a sentence: quote the best passage
        hit = citations[0].hit
        return [Quote(1, hit.chunk.start, hit.chunk.end, hit.chunk.text, hit.dense)]
    candidates.sort(key=lambda q: (-q.score, q.n))
    best = candidates[0].score
    chosen: list[Quote] = []
    seen: set[str] = set()
    for q in candidates:
        key = unicodedata.normalize("NFKC", q.text).strip()
        if q.score < best - SENTENCE_MARGIN or len(chosen) == MAX_SENTENCES:
            break
        if key in seen or len(key) < 4:
            continue
        seen.add(key)
        chosen.append(q)
    return sorted(chosen, key=lambda q: (q.n, q.start))
