"""Fit the second-stage reranker on the dev collections and report held-out numbers.

    python -m lab.fit_rerank              # cross-validate, write service/data/rerank_weights.json
    python -m lab.fit_rerank --dry-run    # numbers only
    python -m lab.fit_rerank --ablation   # + held-out MRR with each feature left out

Data: every question set with an index to search — the 2+2 dev set (eval/questions.jsonl over
corpus/), the JSQuAD dev set (../shared/dev-sets/jsquad-test), and the paraphrase sets
(eval/paraphrase.jsonl, eval/paraphrase-jsquad.jsonl, here or in the paraphrase worktree) when
they exist — each through the service's first stage with the reranker off, top ``DEPTH``
passages, labelled relevant as `kotae eval` labels them. Indexes: KOTAE_FIT_TWOPLUS_INDEX and
KOTAE_FIT_JSQUAD_INDEX (default /work/idx/*/index), never rebuilt here.

Model: a linear score over ``service.rerank.FEATURES``, fitted listwise (softmax over one
question's candidates, the relevant ones as targets, L2), each question set weighing the same
in total so 500 encyclopedia questions do not drown 70 paraphrased ones. Reported: the first
stage's numbers, 5-fold cross-validation by question (folds within each set) for each L2 in
``L2S`` (the one with the best mean held-out MRR@10 over the sets is kept), and
train-on-one-corpus / test-on-the-other. The stored weights are then fitted on everything.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval import QUESTIONS_FILE
from kotae.eval.metrics import mrr_at, recall_at
from kotae.eval.questions import load_questions
from kotae.index.search import QueryEncoder, normalise_query
from kotae.service import rerank
from kotae.service.engine import Engine
from kotae.settings import Settings
from lab import fitting
from lab.provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
SHARED = next(  # ../shared beside the main checkout, or beside the worktrees' folder
    (d for p in (ROOT.parent, ROOT.parent.parent) if (d := p / "shared").is_dir()),
    Path("/work/shared"),
)
JSQUAD = SHARED / "dev-sets" / "jsquad-test"
TWOPLUS_INDEX = Path(os.environ.get("KOTAE_FIT_TWOPLUS_INDEX", "/work/idx/twoplus/index"))
JSQUAD_INDEX = Path(os.environ.get("KOTAE_FIT_JSQUAD_INDEX", "/work/idx/jsquad/index"))
DEPTH = 20
FOLDS = 5
L2S = (0.001, 0.01, 0.03, 0.1)


@dataclass(frozen=True)
class QuestionSet:
    name: str
    corpus: str  # which collection: train-on-one / test-on-the-other splits by it
    corpus_dir: Path
    questions: Path
    index_dir: Path


def paraphrase_file(name: str) -> Path | None:
    """A paraphrase set here, or in the paraphrase worktree until it is merged."""
    for folder in (ROOT / "eval", ROOT.parent / "paraphrase" / "eval"):
        if (folder / name).is_file():
            return folder / name
    return None


def question_sets() -> list[QuestionSet]:
    sets = [
        QuestionSet("twoplus", "twoplus", ROOT / "corpus", QUESTIONS_FILE, TWOPLUS_INDEX),
        QuestionSet(
            "jsquad", "jsquad", JSQUAD / "corpus", JSQUAD / "questions.jsonl", JSQUAD_INDEX
        ),
    ]
    for name, corpus, folder, index in (
        ("paraphrase.jsonl", "twoplus", ROOT / "corpus", TWOPLUS_INDEX),
        ("paraphrase-jsquad.jsonl", "jsquad", JSQUAD / "corpus", JSQUAD_INDEX),
    ):
        path = paraphrase_file(name)
        if path is not None:
            sets.append(QuestionSet(path.stem, corpus, folder, path, index))
    return sets


@dataclass
class Asked:
    qset: str
    corpus: str
    lang: str
    x: np.ndarray  # (DEPTH, features) in first-stage order
    y: np.ndarray  # relevant, per candidate


def gather(qset: QuestionSet, encoder: QueryEncoder | None) -> tuple[list[Asked], Engine]:
    settings = Settings(corpus_dir=qset.corpus_dir, index_dir=qset.index_dir, rerank=False)
    engine = Engine(settings)
    engine.encoder = encoder or QueryEncoder(engine.embedder, size=100_000)
    snap = engine.load()
    docs = {d: doc.text for d, doc in snap.documents.items()}
    out = []
    for q in load_questions(qset.questions, docs):
        hits = engine.search(q.question, DEPTH)
        query = normalise_query(q.question)
        qv = engine.encoder(query)
        x = rerank.features(rerank.read_query(query, snap), qv, hits, snap)
        y = np.array([q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits], dtype=bool)
        out.append(Asked(qset.name, qset.corpus, q.lang, x, y))
    return out, engine


def fit(asked: list[Asked], l2: float, columns: np.ndarray | None = None) -> np.ndarray:
    """Weights maximising the softmax probability of the relevant passages, per question."""
    asks = [a for a in asked if a.y.any() and not a.y.all()]
    weights = fitting.balanced([a.qset for a in asks])
    groups = [
        fitting.Group(a.x if columns is None else a.x[:, columns], a.y, c)
        for a, c in zip(asks, weights, strict=True)
    ]
    return fitting.fit_listwise(groups, l2)


def metrics(rows: list[tuple[Asked, np.ndarray]]) -> dict[str, float]:
    """R@1, R@5, MRR@10 of each question's candidates ordered by ``scores``."""
    ranked = [list(a.y[np.argsort(-s, kind="stable")]) for a, s in rows]
    n = len(ranked) or 1
    return {
        "n": len(ranked),
        "R@1": round(sum(recall_at(r, 1) for r in ranked) / n, 3),
        "R@5": round(sum(recall_at(r, 5) for r in ranked) / n, 3),
        "MRR@10": round(sum(mrr_at(r, 10) for r in ranked) / n, 3),
    }


def first_stage(a: Asked) -> np.ndarray:
    return -np.arange(len(a.y), dtype=np.float64)


def by_set(asked: list[Asked], scores: list[np.ndarray]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    names = list(dict.fromkeys(a.qset for a in asked))
    for name in names:
        rows = [(a, s) for a, s in zip(asked, scores, strict=True) if a.qset == name]
        out[name] = metrics(rows)
        langs = sorted({a.lang for a, _ in rows})
        if len(langs) > 1:
            for lang in langs:
                out[f"{name}/{lang}"] = metrics([(a, s) for a, s in rows if a.lang == lang])
    return out


def folds(asked: list[Asked], seed: int = 0) -> np.ndarray:
    """Fold of each question: a permutation within each set, so every fold holds every set."""
    return fitting.folds([a.qset for a in asked], FOLDS, seed)


def cross_validated(
    asked: list[Asked], l2: float, columns: np.ndarray | None = None
) -> list[np.ndarray]:
    fold = folds(asked)
    scores: list[np.ndarray] = [np.zeros(0)] * len(asked)
    for f in range(FOLDS):
        w = fit([a for a, g in zip(asked, fold, strict=True) if g != f], l2, columns)
        for i, a in enumerate(asked):
            if fold[i] == f:
                scores[i] = (a.x if columns is None else a.x[:, columns]) @ w
    return scores


def across_corpora(asked: list[Asked], l2: float) -> dict[str, dict[str, float]]:
    """Train on one collection's sets, test on the other's."""
    out = {}
    for held in sorted({a.corpus for a in asked}):
        w = fit([a for a in asked if a.corpus != held], l2)
        test = [a for a in asked if a.corpus == held]
        for name, m in by_set(test, [a.x @ w for a in test]).items():
            out[f"{name} (trained on the other corpus)"] = m
    return out


def mean_mrr(report: dict[str, dict[str, float]]) -> float:
    return float(np.mean([m["MRR@10"] for k, m in report.items() if "/" not in k]))


def ablation(asked: list[Asked], l2: float) -> dict[str, float]:
    """Mean held-out MRR@10 over the sets with each feature left out (all: the baseline)."""
    everything = np.arange(len(rerank.FEATURES))
    out = {"(all)": round(mean_mrr(by_set(asked, cross_validated(asked, l2))), 4)}
    for j, name in enumerate(rerank.FEATURES):
        cols = everything[everything != j]
        out[f"-{name}"] = round(mean_mrr(by_set(asked, cross_validated(asked, l2, cols))), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
    parser.add_argument("--ablation", action="store_true", help="Leave each feature out too.")
    args = parser.parse_args()
    asked: list[Asked] = []
    encoder: QueryEncoder | None = None
    for qset in question_sets():
        part, engine = gather(qset, encoder)
        encoder = engine.encoder
        asked += part
        print(f"{qset.name}: {len(part)} questions from {qset.questions}", flush=True)
    report: dict[str, object] = {"first_stage": by_set(asked, [first_stage(a) for a in asked])}
    cv = {l2: by_set(asked, cross_validated(asked, l2)) for l2 in L2S}
    l2 = max(L2S, key=lambda v: mean_mrr(cv[v]))
    report["cv_by_l2"] = {str(k): round(mean_mrr(v), 4) for k, v in cv.items()}
    report["l2"] = l2
    report["cross_validated"] = cv[l2]
    report["across_corpora"] = across_corpora(asked, l2)
    if args.ablation:
        report["ablation_mean_mrr"] = ablation(asked, l2)
    w = fit(asked, l2)
    report["in_sample"] = by_set(asked, [a.x @ w for a in asked])
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(dict(zip(rerank.FEATURES, np.round(w, 4).tolist(), strict=True)), indent=1))
    if args.dry_run:
        return
    read = [p for qset in question_sets() for p in (qset.questions, qset.index_dir)]
    data = {
        "provenance": provenance("lab.fit_rerank", sys.argv[1:], read),
        "features": list(rerank.FEATURES),
        "weights": [round(float(v), 6) for v in w],
        "l2": l2,
        "depth": DEPTH,
        "fitted_on": {s: m["n"] for s, m in report["first_stage"].items() if "/" not in s},  # type: ignore[attr-defined]
    }
    rerank.WEIGHTS_FILE.write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {rerank.WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
