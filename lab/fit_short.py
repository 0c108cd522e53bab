"""Fit the short-answer ranker on dev questions, honestly: cross-validated by document.

For every question, the *oracle* sentence is the first indexed sentence of its gold document
that contains a gold answer; its candidate spans are labelled by character F1 against the gold
strings (the best candidates, if they reach ``MIN_LABEL_F1``, are the positives). A linear
softmax ranker (L2-regularised) is fitted on the questions of half the documents and scored on
the other half, both ways round; the threshold on the top candidate's probability is chosen on
the training half to maximise F1 with a small price per wrong answer. With ``--served`` the
sentences the service actually quotes first are added: their spans join the training data
(when the quote holds the answer) and the threshold is chosen on them, since a wrong first
quote is what the short answer must decline. The final weights are fitted on everything and
written to ``service/short_weights.json`` with their provenance (``lab/provenance.py``: the
command, the data's sha256, the commit). Run again whenever the sentence scorer is refitted
(``python -m lab.refit`` runs both).

    python -m lab.fit_short --served --write \
        --set TWOPLUS_INDEX:eval/questions.jsonl \
        --set JSQUAD_INDEX:../shared/dev-sets/jsquad-test/questions.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.questions import Question, load_questions
from kotae.eval.short_metrics import ShortScore, best_f1, short_metrics
from kotae.index.snapshot import Snapshot
from kotae.service import sentences
from kotae.service.engine import Engine
from kotae.service.short_answer import (
    WEIGHTS,
    Candidate,
    ShortAnswerFinder,
    ShortModel,
    fits_type,
)
from kotae.service.turn import TOP_K
from kotae.settings import Settings
from lab import fitting
from lab.provenance import provenance

MIN_LABEL_F1 = 0.5
L2 = 1.0
WRONG_PRICE = 0.3  # an answer with F1 f scores f - price*(1-f) when choosing the threshold


@dataclass
class Item:
    set_name: str
    question: Question
    sentence: str
    golds: tuple[str, ...]
    candidates: list[Candidate]
    f1: np.ndarray

    def fold(self) -> int:
        doc = next(iter(self.question.relevant))
        return hashlib.sha1(doc.encode()).digest()[0] % 2


def oracle_sentence(snapshot: Snapshot, q: Question) -> str | None:
    from kotae.ingest.text import nfkc

    for doc_id, golds in q.relevant.items():
        text = snapshot.documents[doc_id].text
        for ci, chunk in enumerate(snapshot.chunks):
            if chunk.doc_id != doc_id:
                continue
            lo, hi = snapshot.sentence_ranges[ci]
            for s, e in snapshot.sentences[lo:hi]:
                if any(g in nfkc(text[s:e]) for g in golds):
                    return text[s:e]
    return None


def load_items(index: Path, questions: Path, name: str, served: bool = False) -> list[Item]:
    """One item per question: its oracle sentence, or (``served``) the service's first quote."""
    settings = Settings(index_dir=index)
    snapshot = Snapshot.load(index, settings)
    finder = ShortAnswerFinder(snapshot.lexical, ShortModel((), np.zeros(0), 0.0))
    docs = {d: doc.text for d, doc in snapshot.documents.items()}
    engine = _engine(settings) if served else None
    items = []
    for q in load_questions(questions, docs):
        sentence = oracle_sentence(snapshot, q) if engine is None else first_quote(engine, q)
        golds = tuple(g for gs in q.relevant.values() for g in gs)
        cands = finder.candidates(q.question, sentence) if sentence else []
        f1 = np.array([best_f1(sentence[c.start : c.end], golds) for c in cands])  # type: ignore[index]
        items.append(Item(name, q, sentence or "", golds, cands, f1))
    return items


def _engine(settings: Settings) -> Engine:
    engine = Engine(settings)
    engine.load()
    return engine


def first_quote(engine: Engine, q: Question) -> str | None:
    """The sentence /api/ask quotes first, which the service takes its short answer from."""
    answer = engine.ask(q.question, TOP_K)
    return answer.quotes[0].text if answer.found and answer.quotes else None


def matrix(item: Item, names: list[str]) -> np.ndarray:
    return np.array([[c.features.get(k, 0.0) for k in names] for c in item.candidates])


def fit(items: list[Item], names: list[str]) -> np.ndarray:
    """Weights spreading each question's probability evenly over its best-F1 spans."""
    groups = [
        fitting.Group(matrix(it, names), it.f1 == it.f1.max())
        for it in items
        if it.candidates and it.f1.max() >= MIN_LABEL_F1
    ]
    return fitting.fit_listwise(groups, L2 / (2 * len(groups)), positives="each")


def predict(item: Item, names: list[str], w: np.ndarray) -> tuple[str | None, float]:
    if not item.candidates:
        return None, 0.0
    s = matrix(item, names) @ w
    p = np.exp(s - s.max())
    p /= p.sum()
    b = int(np.argmax(s))
    c = item.candidates[b]
    return item.sentence[c.start : c.end], float(p[b]) if fits_type(c.features) else -1.0


def choose_threshold(items: list[Item], names: list[str], w: np.ndarray) -> float:
    preds = [(predict(it, names, w), it.golds) for it in items]
    best, best_t = -1e9, 0.0
    for t in np.linspace(0, 0.9, 91):
        u = 0.0
        for (text, p), golds in preds:
            if text is not None and p >= t:
                f = best_f1(text, golds)
                u += f - WRONG_PRICE * (1 - f)
        if u > best:
            best, best_t = u, float(t)
    return best_t


def evaluate(items: list[Item], names: list[str], w: np.ndarray, t: float) -> dict[str, float]:
    scores = []
    for it in items:
        text, p = predict(it, names, w)
        scores.append(ShortScore.of(text if p >= t else None, it.golds))
    return {k: round(v, 4) for k, v in short_metrics(scores).items()}


def default_sets() -> list[str]:
    """Both dev sets, on the indexes ``lab/fit_answers.py`` uses (same environment variables)."""
    from lab.fit_answers import COLLECTIONS

    return [f"{index}:{questions}" for _, questions, index in COLLECTIONS.values()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--set", action="append", help="INDEX_DIR:QUESTIONS.jsonl (default: both dev sets)"
    )
    ap.add_argument(
        "--served", action="store_true", help="also score held-out on the service's first quotes"
    )
    ap.add_argument("--write", action="store_true", help=f"write the final weights to {WEIGHTS}")
    args = ap.parse_args(argv)
    args.set = args.set or default_sets()
    items: list[Item] = []
    served: list[Item] = []
    for spec in args.set:
        index, questions = spec.split(":", 1)
        name = Path(questions).parent.name or "dev"
        items += load_items(Path(index), Path(questions), name)
        if args.served:
            served += load_items(Path(index), Path(questions), name + " served", served=True)
    names = sorted({k for it in items for c in it.candidates for k in c.features})
    reachable = np.mean([bool(it.candidates) and it.f1.max() == 1.0 for it in items])
    print(f"{len(items)} questions, {len(names)} features; gold among candidates: {reachable:.3f}")
    held_out: dict[str, list[ShortScore]] = {}
    for fold in (0, 1):
        train = [it for it in items if it.fold() != fold]
        test = [it for it in items if it.fold() == fold]
        served_train = [it for it in served if it.fold() != fold]
        w = fit(train + served_train, names)
        t = choose_threshold(served_train or train, names, w)
        for it in test + [s for s in served if s.fold() == fold]:
            text, p = predict(it, names, w)
            held_out.setdefault(it.set_name, []).append(
                ShortScore.of(text if p >= t else None, it.golds)
            )
    for name, scores in held_out.items():
        m = {k: round(v, 4) for k, v in short_metrics(scores).items()}
        print(f"held-out {name} (n={len(scores)}): {m}")
    w = fit(items + served, names)
    t = choose_threshold(served or items, names, w)
    print(f"final fit: threshold {t:.2f}; in-sample {evaluate(items, names, w, t)}")
    if args.write:
        flags = ["--served"] * args.served + ["--write"]
        data = [Path(p) for spec in args.set for p in spec.split(":", 1)]
        data += [sentences.WEIGHTS_FILE] * args.served  # the quotes it is thresholded on
        out = {
            "provenance": provenance(
                "lab.fit_short", flags + [w for s in args.set for w in ("--set", s)], data
            ),
            "threshold": round(t, 4),
            "weights": {k: round(float(v), 5) for k, v in zip(names, w, strict=True)},
        }
        WEIGHTS.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
