"""FAQ answers: quote the answer of the question-and-answer pair that matches, as it reads.

On an FAQ page the unit that answers is a pair — a question line and the answer paragraph
under it (``ingest/qa.py``). Scoring sentences one by one lets a sentence of a neighbouring
answer, or an answer whose question only shares words with the user's, win the first line. So
each pair among the candidates is scored as a whole — its best question sentence plus its best
answer sentence, both by the fitted sentence scorer (a pair matches when its question *and*
its answer fit), and whether its question asks what the user's does (いつ for いつ, "how
many" for 何冊), weighed as ``lab/fit_faq.py`` fitted them — and the best pair's answer is
quoted first, in the page's order, a line of the page as one quote when it is short enough to
read as one (「…30日以内に登録してください。登録手数料は1頭3,000円です。」 is one answer; its
second sentence is not a lesser one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kotae.ingest.qa import Asked, question_lines
from kotae.service.fitted import fitted, ordered

if TYPE_CHECKING:
    from kotae.index.search import Hit
    from kotae.index.snapshot import Snapshot
    from kotae.service.sentences import Candidate


LINE_CHARS = 200  # a page's answer line up to this long is quoted whole
WEIGHTS_FILE = Path(__file__).parent / "data" / "faq_weights.json"
FEATURES = ("question", "answer", "same_kind")


@dataclass(frozen=True)
class Pair:
    """Candidates (indices) of one question line and of its answer paragraph (in the page's
    order), and the kind of fact the line asks for (``index.question_type.question_type``)."""

    question: tuple[int, ...]
    answer: tuple[int, ...]
    asks: str = ""

    def features(self, scores: np.ndarray, asks: str) -> np.ndarray:
        """``FEATURES``: the best question and answer sentence scores, the same kind asked."""
        same = bool(asks) and asks == self.asks
        q, a = scores[list(self.question)].max(), scores[list(self.answer)].max()
        return np.array([q, a, float(same)], dtype=np.float64)


def fitted_weights() -> np.ndarray:
    """The weights ``lab/fit_faq.py`` wrote, in ``FEATURES`` order."""
    return ordered(fitted(WEIGHTS_FILE), "features", FEATURES)


def pairs(
    hits: list[Hit],
    cands: list[Candidate],
    snapshot: Snapshot,
    kind: Callable[[str], str] = lambda _: "",
) -> tuple[Pair, ...]:
    """Every question line among the candidates with the candidates of its answer, from any
    cited passage of its page (overlapping passages repeat a sentence: both are kept, the
    quote step drops repeats), and what ``kind`` of fact the line asks for."""
    docs = [hits[c.n - 1].chunk.doc_id for c in cands]
    lines: dict[tuple[str, Asked], list[int]] = {}
    for i, c in enumerate(cands):
        text = snapshot.documents[docs[i]].text
        asked = next((a for a in question_lines(text) if a.start <= c.start < a.end), None)
        if asked is not None:
            lines.setdefault((docs[i], asked), []).append(i)
    out = []
    for (doc, asked), question in lines.items():
        answer = [
            j
            for j, d in enumerate(cands)
            if docs[j] == doc and asked.answer <= d.start < asked.answer_end
        ]
        answer.sort(key=lambda j: (cands[j].start, cands[j].n))
        line = snapshot.documents[doc].text[asked.start : asked.end]
        out.append(Pair(tuple(question), tuple(answer), kind(line)))
    return tuple(out)


def roles(pairs: tuple[Pair, ...], count: int) -> tuple[np.ndarray, np.ndarray]:
    """What the pairs make of ``count`` candidates: which may be quoted — not a question line
    whose answer is a candidate too (quote the answer, not the question restated) — and per
    candidate the question line it answers (-1: none; the last such line when several do).
    Everything stays quotable when nothing else could be quoted."""
    keep = np.ones(count, dtype=bool)
    asker = np.full(count, -1)
    for pair in pairs:
        keep[list(pair.question)] = not pair.answer
        if pair.answer:
            held = list(pair.answer)
            asker[held] = np.maximum(asker[held], max(pair.question))
    if not keep.any():
        return np.ones(count, dtype=bool), np.full(count, -1)
    return keep, asker


def best_pair(pairs: tuple[Pair, ...], scores: np.ndarray, asks: str = "") -> Pair | None:
    """The pair whose question and answer together fit the user's question best."""
    answered = [p for p in pairs if p.answer]
    if not answered:
        return None
    w = fitted_weights()
    return max(answered, key=lambda p: float(p.features(scores, asks) @ w))


def faq_quotes(
    pairs: tuple[Pair, ...],
    scores: np.ndarray,
    cands: list[Candidate],
    hits: list[Hit],
    most: int,
    asks: str = "",
) -> tuple[list[tuple[int, int, int]], list[int]]:
    """``(n, start, end)`` quotes: the best pair's answer (at most ``most - 1`` of them), then
    the runner-up pair's first — when the match is wrong the reader still sees the next
    answer; and the candidates those two answers hold (not to be quoted again)."""
    best = best_pair(pairs, scores, asks)
    if best is None:
        return [], []
    second = best_pair(tuple(p for p in pairs if p is not best), scores, asks)
    spans = answer_spans(best, cands, hits)[: max(most - 1, 1)]
    used = list(best.answer)
    if second is not None:
        spans += answer_spans(second, cands, hits)[:1]
        used += second.answer
    return spans, used


def answer_spans(
    pair: Pair, cands: list[Candidate], hits: list[Hit], limit: int = LINE_CHARS
) -> list[tuple[int, int, int]]:
    """``(n, start, end)`` quotes of the pair's answer in the page's order: the sentences one
    line of the page holds (in one passage) as one quote when it has at most ``limit``
    characters, else one quote per sentence. A sentence two passages share is read from the
    passage that holds most of the answer."""
    held = Counter(cands[i].n for i in pair.answer)
    by_start: dict[int, Candidate] = {}
    for i in pair.answer:
        c = cands[i]
        if c.start not in by_start or held[c.n] > held[by_start[c.start].n]:
            by_start[c.start] = c
    spans: list[list[Candidate]] = []
    for c in sorted(by_start.values(), key=lambda c: c.start):
        last = spans[-1][-1] if spans else None
        if last is not None and last.n == c.n and "\n" not in _between(hits, last, c):
            spans[-1].append(c)
        else:
            spans.append([c])
    out = []
    for line in spans:
        if line[-1].end - line[0].start <= limit:
            out.append(_cell(hits, line[0].n, line[0].start, line[-1].end))
        else:
            out.extend(_cell(hits, c.n, c.start, c.end) for c in line)
    return out


def _between(hits: list[Hit], a: Candidate, b: Candidate) -> str:
    chunk = hits[a.n - 1].chunk
    return chunk.text[a.end - chunk.start : b.start - chunk.start]


def _cell(hits: list[Hit], n: int, start: int, end: int) -> tuple[int, int, int]:
    """The span without the table cell separator a row's answer sentence begins with."""
    chunk = hits[n - 1].chunk
    text = chunk.text[start - chunk.start : end - chunk.start]
    return n, start + len(text) - len(text.lstrip("|｜\t 　")), end
