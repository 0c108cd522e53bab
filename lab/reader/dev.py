"""How well a reader does on JaQuAD dev (articles training never saw), by the shipped runtime.

Answer-sentence accuracy@1 among the gold paragraph's sentences, the span's exact match and
character F1 on the top sentence, and the "answerable" calibration: the best logit over the gold
paragraph (answerable) against the best over sentences of other articles that BM25 finds for
the question (not answerable), fitted by logistic regression (Platt scaling).

    python -m lab.reader.dev service/reader/model /tmp/other-reader   # models on one draw

The training command rates its model on a draw of dev questions made with its own ``--seed``;
run as a module, this rates model directories on one draw (by default the shipped command's),
so two training runs with different seeds are compared on the same questions.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kotae.ingest.text import nfkc, split_sentences
from kotae.service.reader.model import Reader
from lab.provenance import ROOT
from lab.reader.examples import Group, articles, lead, other_articles, read_groups

JAQUAD_DEV = ROOT.parent / "shared" / "train-sets" / "jaquad" / "dev.json"


def f1(pred: str, gold: str) -> float:
    p, g = list(nfkc(pred)), list(nfkc(gold))
    common = sum(min(p.count(c), g.count(c)) for c in set(p))
    if not common:
        return 0.0
    prec, rec = common / len(p), common / len(g)
    return 2 * prec * rec / (prec + rec)


def dev_questions(path: Path, n: int, seed: int) -> list[tuple[Group, list[str], int]]:
    """``n`` dev questions with their whole paragraph's sentences and the answering index."""
    groups, _ = read_groups(path, negatives=0, seed=seed)
    by_context: dict[str, list[str]] = {}
    for art in articles(path):
        for p in art["paragraphs"]:
            spans = split_sentences(p["context"])
            texts = [p["context"][s:e] for s, e in spans]
            for qa in p["qas"]:
                by_context[qa["id"]] = texts
    rng = random.Random(seed)
    rng.shuffle(groups)
    out = []
    for g in groups:
        texts = by_context[g.qid]
        gold = next((i for i, t in enumerate(texts) if t == g.sentences[0]), -1)
        if gold >= 0:
            out.append((g, texts, gold))
        if len(out) == n:
            break
    return out


def hard_negatives(
    path: Path, questions: Sequence[Group], seed: int, context: int = 0
) -> list[list[tuple[str, str]]]:
    """For calibration: per question, sentences of other articles BM25 finds for it, with
    what the reader reads before each (``examples.lead``)."""
    _, paragraphs = read_groups(path, negatives=0, seed=seed)
    pending = [(g.qid, g.article, g.question) for g in questions]
    return other_articles(pending, paragraphs, k=5, context=context)


def platt(x: np.ndarray, y: np.ndarray, l2: float = 1e-2) -> tuple[float, float]:
    """Logistic regression on one feature: P(y=1) = sigmoid(a·x + b). Newton steps on the
    standardised feature, each halved until the (slightly L2-penalised) loss falls, so that a
    logit on any scale, or one that separates the classes, still gives finite weights."""
    mean, sd = float(x.mean()), float(x.std()) or 1.0
    z = (x - mean) / sd

    def loss(w: np.ndarray) -> float:
        t = w[0] * z + w[1]
        return float(np.logaddexp(0, t).sum() - (y * t).sum() + l2 * (w @ w))

    w = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(w[0] * z + w[1], -500, 500)))
        g = np.array([((p - y) * z).sum(), (p - y).sum()]) + 2 * l2 * w
        h = p * (1 - p) + 1e-9
        hess = np.array([[(h * z * z).sum(), (h * z).sum()], [(h * z).sum(), h.sum()]])
        step = np.linalg.solve(hess + 2 * l2 * np.eye(2), g)
        before, scale = loss(w), 1.0
        while loss(w - scale * step) > before and scale > 1e-6:
            scale /= 2
        w = w - scale * step
        if np.abs(scale * step).max() < 1e-10:
            break
    a = w[0] / sd
    return float(a), float(w[1] - a * mean)


def evaluate(
    reader: Reader,
    dev: Sequence[tuple[Group, list[str], int]],
    far: Sequence[Sequence[tuple[str, str]]],
) -> dict[str, Any]:
    """Answer-sentence accuracy@1 within the gold paragraph, span EM/F1 on the top sentence,
    and the answerable calibration (gold paragraph vs other articles' sentences); each sentence
    read after what the model was trained to read before it (``examples.lead``)."""
    context = reader.config.context_chars
    right, em, f1s, best_in, best_out = 0, 0.0, 0.0, [], []
    for (g, texts, gold), other in zip(dev, far, strict=True):
        leads = [lead(g.article, texts, i, context) for i in range(len(texts))]
        reading = reader.read(g.question, texts, leads)
        top = int(np.argmax(reading.scores))
        right += top == gold
        span = reading.spans[top]
        pred = texts[top][span.start : span.end] if span else ""
        em += nfkc(pred).strip() == nfkc(g.answer).strip()
        f1s += f1(pred, g.answer)
        best_in.append(float(reading.scores.max()))
        if other:
            titles, sentences = zip(*other, strict=True)
            best_out.append(float(reader.read(g.question, sentences, titles).scores.max()))
    x = np.array(best_in + best_out)
    y = np.array([1.0] * len(best_in) + [0.0] * len(best_out))
    a, b = platt(x, y)
    p = 1 / (1 + np.exp(-np.clip(a * x + b, -500, 500)))
    n = len(dev)
    return {
        "questions": n,
        "sentence_acc_at_1": round(right / n, 4),
        "span_em": round(em / n, 4),
        "span_f1": round(f1s / n, 4),
        "answerable_accuracy": round(float(((p >= 0.5) == (y == 1)).mean()), 4),
        "calibration": {"a": a, "b": b},
    }


def cosine_baseline(dev: Sequence[tuple[Group, list[str], int]]) -> float:
    """Plain e5 cosine's answer-sentence accuracy@1 on the same questions (for the card)."""
    from kotae.service.reader.encoder import Encoder

    enc = Encoder()
    right = 0
    for g, texts, gold in dev:
        q = enc.embed([g.question], is_query=True)[0]
        right += int(np.argmax(enc.embed(texts) @ q)) == gold
    return round(right / len(dev), 4)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Rate reader model directories on JaQuAD dev.")
    ap.add_argument("models", type=Path, nargs="+", help="Reader model directories.")
    ap.add_argument("--questions", type=int, default=400)
    ap.add_argument("--seed", type=int, default=13, help="The draw (the shipped command's: 13).")
    ap.add_argument("--dev", type=Path, default=JAQUAD_DEV)
    args = ap.parse_args(argv)
    dev = dev_questions(args.dev, args.questions, args.seed)
    for model in args.models:
        reader = Reader(model)
        context = reader.config.context_chars
        far = hard_negatives(args.dev, [g for g, _, _ in dev], args.seed, context)
        metrics = evaluate(reader, dev, far)
        metrics.pop("calibration")
        print(json.dumps({"model": model.name, **metrics}), flush=True)


if __name__ == "__main__":
    main()
