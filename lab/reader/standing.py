"""Where the reader stands, per collection and question language: does it rank the answering
sentence first better than plain e5 cosine, and better than the hand-fitted sentence scorer
seen *out of fold* (issue 27: a hand feature stays only where the model plus it beats the model
alone on both dev kinds out of fold)?

    python -m lab.reader.standing --fit 2+2,jsquad \
        --collection 2+2:corpus:eval/questions.jsonl:IDX22 \
        --collection jsquad:$JS/corpus:$JS/questions.jsonl:IDXJS ...   # NAME:CORPUS:QUESTIONS:INDEX

Per question it asks the engine as an answer does (the turn's search text, the top 5 passages,
every quotable candidate sentence with its features and the shipped fitted score), labels each
candidate by whether it holds a gold answer, and lets the reader read the ``--read`` best
candidates by cosine and by the fitted score. It reports the share of questions whose top
candidate holds an answer when the candidates are ranked by:

- ``cosine``: e5 similarity of question and sentence alone;
- ``reader``: the reader alone, over cosine's best ``--read``;
- ``fitted``: the shipped sentence scorer (in sample on the collections it was fitted on);
- ``fitted oof``: the same features refitted here on the ``--fit`` collections, each of their
  questions scored by a fit that did not see it (5 folds by question, each collection weighing
  the same, as ``lab.fit_answers`` fits) and every other collection by the fit on all of them;
- ``stage``: ``fitted oof`` + the shipped stage's weight × the reader's logit over its best
  ``sentences`` (``service/data/reader_stage.json``), the reader's share of an answer;
- ``ceiling``: some candidate among the fitted scorer's best ``sentences`` holds an answer.

This ranks candidates as the stage does but composes no answer (FAQ pairs, quote order by
year and deduplication are left out): ``lab.reader.fit_stage`` measures the composed answer.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kotae.eval.answers import holds_answer
from kotae.eval.questions import load_questions
from kotae.index.question import language
from kotae.service.engine import Engine
from kotae.service.fitted import fitted
from kotae.service.reader.model import MODEL_DIR, Reader
from kotae.service.reading import STAGE_FILE, reading_of
from kotae.service.sentences import FEATURES, score_candidates
from kotae.service.turn import Answering, Turn
from kotae.settings import Settings
from lab import fitting
from lab.fit_answers import FOLDS, L2

SIM = FEATURES.index("sim")


@dataclass(frozen=True)
class Question:
    """One question's quotable candidates, as the answer sees them."""

    collection: str
    text: str
    lang: str
    x: np.ndarray  # features [n, len(FEATURES)]
    shipped: np.ndarray  # the shipped fitted score [n]
    y: np.ndarray  # holds a gold answer [n]
    logit: np.ndarray  # the reader's logit [n]; NaN where it did not read


def collect(spec: str, reader: Reader, read: int) -> list[Question]:
    """Every question of one collection, each candidate read as the answer reads it
    (``Reader.lead``: a model trained with ``--context-chars`` reads the end of the text
    before the sentence)."""
    name, corpus, questions, index = spec.split(":")
    engine = Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index), reader=False))
    snap = engine.load()
    answering = Answering(engine)
    docs = {d: doc.text for d, doc in snap.documents.items()}
    out = []
    for q in load_questions(Path(questions), docs):
        gold = [a for answers in q.relevant.values() for a in answers]
        asked = answering.read(Turn(q.question))
        hits = engine.search(asked.text, 5, asked.filters)
        if not hits:
            continue
        scored = score_candidates(asked.text, hits, snap, engine.encoder(asked.text))
        keep = np.ones(len(scored.candidates), bool)
        if scored.quotable is not None:
            keep = scored.quotable.copy()
        rows = np.flatnonzero(keep)
        if not len(rows):
            continue
        texts = [scored.candidates[i].text for i in rows]
        x, shipped = scored.features[rows], scored.scores[rows]
        picked = set(best(x[:, SIM], read)) | set(best(shipped, read))
        order = sorted(picked)
        logit = np.full(len(rows), np.nan)
        cands = [scored.candidates[rows[i]] for i in order]
        logit[order] = reading_of(reader, asked.text, cands).scores
        y = np.array([holds_answer(t, gold) for t in texts], bool)
        out.append(Question(name, q.question, language(q.question), x, shipped, y, logit))
    return out


def best(scores: np.ndarray, k: int) -> list[int]:
    """The ``k`` best rows by ``scores``, best first (ties: the earlier row)."""
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


def first_holds(q: Question, scores: np.ndarray) -> bool:
    return bool(q.y[int(np.argmax(scores))]) if len(scores) else False


def with_reader(q: Question, scores: np.ndarray, sentences: int, weight: float) -> np.ndarray:
    """``scores`` plus ``weight`` × the reader's logit (relative to its best) over the best
    ``sentences`` by ``scores``; the others keep their score minus the largest gap, so they stay
    behind (as ``service.reading.read_candidates`` ranks them)."""
    rows = best(scores, sentences)
    logit = q.logit[rows]
    if np.isnan(logit).all():
        return scores
    logit = np.where(np.isnan(logit), np.nanmin(logit), logit)
    relative = logit - logit.max()
    bonus = np.full(len(scores), float(relative.min()))
    bonus[rows] = relative
    return scores + weight * bonus


def reader_alone(q: Question, read: int) -> np.ndarray:
    """The reader's logits over cosine's best ``read``; every other candidate last."""
    out = np.full(len(q.y), -np.inf)
    rows = best(q.x[:, SIM], read)
    out[rows] = np.where(np.isnan(q.logit[rows]), -np.inf, q.logit[rows])
    return out


def refit(train: Sequence[Question]) -> np.ndarray:
    """The listwise sentence fit of ``lab.fit_answers`` on these questions."""
    asks = [q for q in train if q.y.any()]
    weights = fitting.balanced([q.collection for q in asks])
    groups = [fitting.Group(q.x, q.y, w) for q, w in zip(asks, weights, strict=True)]
    return fitting.fit_listwise(groups, L2 / len(groups))


def out_of_fold(data: list[Question], fit: set[str]) -> list[np.ndarray]:
    """Each question's refitted scores from a fit that did not see it."""
    inside = [i for i, q in enumerate(data) if q.collection in fit]
    fold = fitting.folds([data[i].collection for i in inside], FOLDS)
    scores: list[np.ndarray] = [np.zeros(0)] * len(data)
    for f in range(FOLDS):
        w = refit([data[i] for i, g in zip(inside, fold, strict=True) if g != f])
        for i, g in zip(inside, fold, strict=True):
            if g == f:
                scores[i] = data[i].x @ w
    w_all = refit([data[i] for i in inside])
    return [s if len(s) else q.x @ w_all for q, s in zip(data, scores, strict=True)]


def table(data: list[Question], fit: set[str], read: int, sentences: int, weight: float) -> None:
    oof = out_of_fold(data, fit)
    rankings: dict[str, Callable[[int, Question], np.ndarray]] = {
        "cosine": lambda i, q: q.x[:, SIM],
        "reader": lambda i, q: reader_alone(q, read),
        "fitted": lambda i, q: q.shipped,
        "fitted oof": lambda i, q: oof[i],
        "stage": lambda i, q: with_reader(q, oof[i], sentences, weight),
    }
    groups: dict[tuple[str, str], list[int]] = {}
    for i, q in enumerate(data):
        groups.setdefault((q.collection, q.lang), []).append(i)
    print(f"{'collection':<16}{'n':>5}" + "".join(f"{r:>12}" for r in [*rankings, "ceiling"]))
    for (name, lang), rows in groups.items():
        label = f"{name}{'*' if name in fit else ''} {lang}"
        cells = [
            float(np.mean([first_holds(data[i], rank(i, data[i])) for i in rows]))
            for rank in rankings.values()
        ]
        cells.append(float(np.mean([data[i].y[best(oof[i], sentences)].any() for i in rows])))
        print(f"{label:<16}{len(rows):>5}" + "".join(f"{c:>12.3f}" for c in cells))
    print(f"* fitted on (out of fold above); reader reads {read}; stage: {sentences} at {weight}")


def ablation(data: list[Question], fit: set[str], sentences: int, weight: float) -> None:
    """Each feature left out of the out-of-fold fit in turn: the change, in questions, of the
    stage's top-1 on every collection (the reader stays in)."""
    names = sorted({q.collection for q in data})

    def counts(columns: list[int]) -> dict[str, int]:
        part = [replace(q, x=q.x[:, columns]) for q in data]
        oof = out_of_fold(part, fit)
        out = dict.fromkeys(names, 0)
        for q, s in zip(part, oof, strict=True):
            out[q.collection] += first_holds(q, with_reader(q, s, sentences, weight))
        return out

    every = list(range(len(FEATURES)))
    base = counts(every)
    print(f"\n{'left out':<18}" + "".join(f"{n:>13}" for n in names) + "  (questions +/-)")
    print(f"{'none (right)':<18}" + "".join(f"{base[n]:>13}" for n in names))
    for k, feature in enumerate(FEATURES):
        got = counts([c for c in every if c != k])
        print(f"{feature:<18}" + "".join(f"{got[n] - base[n]:>+13}" for n in names))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--collection", action="append", required=True, help="NAME:CORPUS:QUESTIONS:INDEX"
    )
    ap.add_argument("--fit", default="2+2,jsquad", help="NAME,NAME: refitted out of fold")
    ap.add_argument("--reader", type=Path, default=MODEL_DIR)
    ap.add_argument("--read", type=int, default=8, help="candidates the reader reads")
    ap.add_argument("--ablate", action="store_true", help="and each feature left out in turn")
    args = ap.parse_args()
    reader = Reader(args.reader)
    stage = fitted(STAGE_FILE)
    data = [q for spec in args.collection for q in collect(spec, reader, args.read)]
    fit, sentences, weight = set(args.fit.split(",")), int(stage["sentences"]), stage["weight"]
    table(data, fit, args.read, sentences, weight)
    if args.ablate:
        ablation(data, fit, sentences, weight)


if __name__ == "__main__":
    main()
