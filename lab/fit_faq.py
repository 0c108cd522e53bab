"""Fit how an FAQ question-and-answer pair is scored (service/faq.py) on the FAQ dev sets.

    python -m lab.fit_faq            # fit on eval/dev-sets/faq, report faq2 held out, write
                                      # service/data/faq_weights.json
    python -m lab.fit_faq --dry-run  # the numbers only
    (indexes: --faq-index / --faq2-index, or KOTAE_FIT_FAQ_INDEX / KOTAE_FIT_FAQ2_INDEX; a
    missing one is built)

Data: each question of a set through the service's own retrieval (top 5, as /api/ask), every
FAQ pair among the candidates with its features (``service.faq.FEATURES``: the best question
and answer sentence scores of the fitted sentence scorer, whether the pair's question asks the
same kind of fact), labelled by whether its answer holds a gold answer string. A listwise model
(softmax over one question's pairs, L2) is fitted on the `faq` set; reported: how often the top
pair answers — 5-fold cross-validated on `faq`, and with the weights fitted on all of `faq` on
`faq2` (other layouts, other author's wording: held out), next to the unfitted sum (1, 1, 0).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.answers import holds_answer
from kotae.eval.questions import load_questions
from kotae.service import faq, sentences
from kotae.service.engine import Engine
from kotae.settings import Settings
from lab import fitting
from lab.provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "faq": (
        ROOT / "eval" / "dev-sets" / "faq",
        Path(os.environ.get("KOTAE_FIT_FAQ_INDEX", "/work/idx/faq/index")),
    ),
    "faq2": (
        ROOT / "eval" / "dev-sets" / "faq2",
        Path(os.environ.get("KOTAE_FIT_FAQ2_INDEX", "/work/idx/faq2/index")),
    ),
}
L2 = 0.1
FOLDS = 5
UNFITTED = np.array([1.0, 1.0, 0.0])


@dataclass(frozen=True)
class Pairs:
    """One question's FAQ pairs: features (n, len(FEATURES)) and which answer it."""

    qid: str
    x: np.ndarray
    y: np.ndarray


def gather(name: str, index: Path) -> list[Pairs]:
    folder, _ = SETS[name]
    engine = Engine(Settings(corpus_dir=folder / "corpus", index_dir=index))
    engine.ensure_index()
    snap = engine.load()
    docs = {d: doc.text for d, doc in snap.documents.items()}
    out = []
    for q in load_questions(folder / "questions.jsonl", docs):
        hits = engine.search(q.question, 5)
        scored = sentences.score_candidates(q.question, hits, snap, engine.encoder(q.question))
        gold = [a for answers in q.relevant.values() for a in answers]
        found = [p for p in scored.pairs if p.answer]
        if not found or scored.raw is None:
            continue
        x = np.array([p.features(scored.raw, scored.asks) for p in found])
        texts = ["".join(scored.candidates[i].text for i in p.answer) for p in found]
        y = np.array([holds_answer(t, gold) for t in texts])
        if y.any():
            out.append(Pairs(q.id, x, y))
    return out


def fit(groups: list[Pairs]) -> np.ndarray:
    """Weights maximising the softmax probability of the answering pairs, per question."""
    listed = [fitting.Group(g.x, g.y) for g in groups]
    return fitting.fit_listwise(listed, L2 / len(groups), method=None)  # scipy's BFGS


def top1(groups: list[Pairs], w: np.ndarray) -> float:
    return float(np.mean([g.y[int(np.argmax(g.x @ w))] for g in groups]))


def cross_validated(groups: list[Pairs], seed: int = 0) -> float:
    fold = fitting.folds([""] * len(groups), FOLDS, seed)
    hits = 0.0
    for k in range(FOLDS):
        w = fit([g for g, f in zip(groups, fold, strict=True) if f != k])
        hits += sum(top1([g], w) for g, f in zip(groups, fold, strict=True) if f == k)
    return hits / len(groups)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--faq-index", type=Path, default=SETS["faq"][1])
    parser.add_argument("--faq2-index", type=Path, default=SETS["faq2"][1])
    args = parser.parse_args(argv)
    train, held = gather("faq", args.faq_index), gather("faq2", args.faq2_index)
    w = fit(train)
    report = {
        "faq_questions": len(train),
        "faq2_questions": len(held),
        "faq_cv_top1": round(float(np.mean([cross_validated(train, s) for s in range(3)])), 4),
        "faq_in_sample_top1": round(top1(train, w), 4),
        "faq2_held_out_top1": round(top1(held, w), 4),
        "unfitted_top1": {
            "faq": round(top1(train, UNFITTED), 4),
            "faq2": round(top1(held, UNFITTED), 4),
        },
    }
    print(
        json.dumps({"weights": dict(zip(faq.FEATURES, w.round(4).tolist(), strict=True)), **report})
    )
    if not args.dry_run:
        read = [SETS[n][0] / f for n in SETS for f in ("questions.jsonl", "corpus")]
        read.append(sentences.WEIGHTS_FILE)  # the sentence scores the pair score weighs
        data = {
            "provenance": provenance("lab.fit_faq", sys.argv[1:] if argv is None else argv, read),
            "features": list(faq.FEATURES),
            "weights": w.round(6).tolist(),
            "fit": report,
        }
        faq.WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
