"""The reader's stage of an answer: question and sentences read together (issue 27).

The hand-fitted sentence scorer (``service/sentences.py``) chooses the ``sentences`` best
candidates; kotae's trained reader (``service/reader/model.py``) reads each of them with the
question and gives a relevance logit and the answer's span. The candidates' order becomes the
fitted score plus ``weight`` × the reader's logit (relative to its best; an unread candidate
counts as the least relevant one read), so the reader decides among the sentences the features
already found plausible. Which sentences are quoted stays the fitted scores' choice
(``answer._best_quotes``): the reader orders them. ``weight`` and the other choices are
fitted by ``lab/reader/fit_stage.py``, which composes the real answer at every grid point and
shows each choice fitted on one dev kind measured on the others (eval/README.md, the reader).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from kotae.index.question import Question
from kotae.index.question_type import AnswerType
from kotae.ingest.text import JAPANESE
from kotae.service.fitted import fitted
from kotae.service.reader.model import Reader, Reading, default_reader
from kotae.service.sentences import Candidate, Scored
from kotae.service.short_answer import ShortAnswer, about_other_years


@dataclass(frozen=True)
class ReaderStage:
    """The loaded reader and how the answer uses it (``data/reader_stage.json``, fitted by
    ``lab/reader/fit_stage.py``; ``Settings.reader`` turns the stage on or off)."""

    reader: Reader
    sentences: int  # how many of the best candidates it reads
    weight: float  # fitted-score units per reader logit
    floor: float = 0.0  # "not found" when the reader's answerable probability is under it


@dataclass(frozen=True)
class Read:
    """The reader's view of one answer's candidates."""

    rows: np.ndarray  # indices into Scored.candidates that were read
    reading: Reading

    def of(self, candidate: int) -> int | None:
        """The position of ``candidate`` in the reading, or None if it was not read."""
        hit = np.flatnonzero(self.rows == candidate)
        return int(hit[0]) if len(hit) else None


def chosen(scored: Scored, limit: int) -> np.ndarray:
    """The ``limit`` best quotable candidates by the fitted score, best first."""
    order = np.argsort(-scored.scores, kind="stable")
    if scored.quotable is not None:
        order = order[scored.quotable[order]]
    return order[:limit]


def read_candidates(
    question: str, scored: Scored, stage: ReaderStage
) -> tuple[Scored, Read | None]:
    """``scored`` reordered by the reader, and what it read (None: nothing to read)."""
    rows = chosen(scored, stage.sentences)
    if not len(rows):
        return scored, None
    reading = reading_of(stage.reader, question, [scored.candidates[i] for i in rows])
    relative = reading.scores - reading.scores.max()
    bonus = np.full(len(scored.scores), float(relative.min()) if len(relative) else 0.0)
    bonus[rows] = relative
    combined = scored.scores + stage.weight * bonus
    return replace(scored, scores=combined, fitted=scored.scores), Read(rows, reading)


def reading_of(reader: Reader, question: str, picked: Sequence[Candidate]) -> Reading:
    """The reader's reading of these candidates, each read after what its model was trained to
    read before a sentence (:meth:`Reader.lead`): the one way answers, the bench and the lab
    hand it sentences."""
    leads = [reader.lead(c.title, c.before) for c in picked]
    return reader.read(question, [c.text for c in picked], leads)


STAGE_FILE = Path(__file__).with_name("data") / "reader_stage.json"


@cache
def default_stage() -> ReaderStage:
    """The shipped reader with the choices ``lab/reader/fit_stage.py`` fitted, loaded once."""
    data = fitted(STAGE_FILE)
    return ReaderStage(
        default_reader(), int(data["sentences"]), float(data["weight"]), float(data["floor"])
    )


def reader_short(
    question: Question, quoted: tuple[int, int, int], scored: Scored, read: Read, doc_id: str
) -> ShortAnswer | None:
    """The reader's answer span inside the first quote (citation n, start, end), when the
    reader read that sentence. As with the hand-fitted finder, a question that asks for no fact
    (why, how, explain, list) gets none, nor does a who/where question's sentence about other
    years (:func:`~kotae.service.short_answer.about_other_years`)."""
    if question.answer_kind is AnswerType.NONE:
        return None
    for i, c in enumerate(scored.candidates):
        if (c.n, c.start, c.end) == quoted:
            if about_other_years(question, c.text):
                return None
            pos = read.of(i)
            span = read.reading.spans[pos] if pos is not None else None
            if span is None:
                return None
            start, end = span.start, span.end
            while start < end and c.text[start].isspace():
                start += 1
            while end > start and c.text[end - 1].isspace():
                end -= 1
            if start == end:
                return None
            return ShortAnswer(c.text[start:end], c.n, doc_id, c.start + start, c.start + end)
    return None


def short_choice(
    question: str, reader: ShortAnswer | None, hand: ShortAnswer | None
) -> ShortAnswer | None:
    """The short answer shown, from the reader's span and the hand-fitted finder's.

    For a Japanese question the reader finds the region and the finder trims it: the finder's
    span when it lies inside the reader's, else the reader's (the finder's when the reader gave
    none). The reader was trained on Japanese questions only, so for any other question the
    finder's span comes first and the reader's only fills in. Measured in eval/README.md ("The
    reader"; ``lab/reader/short_choice.py``).
    """
    if reader is None or hand is None:
        return reader or hand
    if not JAPANESE.search(question):
        return hand
    return hand if reader.start <= hand.start and hand.end <= reader.end else reader
