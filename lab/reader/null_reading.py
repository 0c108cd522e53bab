"""Study: the reader's best logit read against a content-free reading of the same question.

    python -m lab.reader.null_reading          # indexes: $KOTAE_FIT_{TWOPLUS,JSQUAD,FAQ}_INDEX

The reader's best logit over the sentences it reads is far lower for answerable questions worded
unlike JaQuAD's (residents' FAQ wording, everyday paraphrases, English) than for JSQuAD's, so a
"not found" decision that uses it refuses those (eval/README.md, the reader). If the shift were
the question's wording alone, the reader's logit for the same question over a content-free
"sentence" would shift with it, and the difference would carry across kinds (contextual
calibration). This gathers every dev set as ``lab.fit_answers`` does (the shipped reader stage),
prints per set and off-topic file the mean best logit, the content-free logits and their
difference, then fits the not-found logistic on the shipped data (2+2 and JSQuAD, generic
off-topic and each other's questions) with no reader signal, the raw logit, the difference, and
both, and prints each set's rate of right decisions (found for answerable, refused for
off-topic), held-out kinds and near-topic files included. Measured, not adopted (the README).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

import lab.fit_answers as fa
from kotae.service import reading
from lab import fitting

NULLS = ("", "。", "なし。")  # content-free "sentences"
EXTRA = ("faq", "paraphrase", "paraphrase-jsquad", "english-jsquad")
FIT = ("twoplus", "jsquad")


def kind(a: fa.Asked) -> str:
    if a.in_collection:
        return f"{a.collection}:answerable"
    return f"{a.collection}:off:{a.source.name if a.source else '?'}"


def right_share(
    asked: list[fa.Asked], group: str, p: dict[int, float], threshold: dict[str, float]
) -> float:
    """Share of ``group``'s questions decided right: found when answerable, else refused."""
    right = [
        (p[id(a)] >= threshold[fa.lang_of(a)]) == a.in_collection for a in asked if kind(a) == group
    ]
    return round(float(np.mean(right)), 3)


def gathered(stage: reading.ReaderStage) -> list[fa.Asked]:
    fa.COLLECTIONS.update({n: fa.OPTIONAL[n] for n in EXTRA})
    fa.OWN_OFFTOPIC.update(fa.NEAR_OFFTOPIC)
    asked: list[fa.Asked] = []
    engines: dict[str, fa.Engine] = {}
    for name in fa.COLLECTIONS:
        first = next(iter(engines.values()), None)
        part, engines[name] = fa.gather(name, first.encoder if first else None, stage=stage)
        asked += part
    fa.add_signals(asked, engines)
    return asked


def main() -> None:
    stage = reading.default_stage()
    asked = gathered(stage)
    null = {q: stage.reader.read(q, list(NULLS)).scores for q in {a.question for a in asked}}
    groups = sorted({kind(a) for a in asked})
    print(
        f"{'set':55s}    n   best  " + "  ".join(f"null{i}" for i in range(len(NULLS))) + "  diff"
    )
    for g in groups:
        rows = [a for a in asked if kind(a) == g]
        best = np.array([a.reader_logit for a in rows])
        nl = np.array([null[a.question] for a in rows])
        cells = " ".join(f"{v:6.2f}" for v in nl.mean(axis=0))
        print(
            f"{g:55s} {len(rows):4d} {best.mean():6.2f} {cells} {np.mean(best - nl.mean(1)):6.2f}"
        )
    fit_files = {fa.OFFTOPIC, *(fa.COLLECTIONS[n][1] for n in FIT)}
    fit = [a for a in asked if a.collection in FIT and (a.in_collection or a.source in fit_files)]
    base = {id(a): np.asarray(a.signals)[: len(fa.abstain.SIGNALS)] for a in asked}
    variants: dict[str, Callable[[fa.Asked], list[float]]] = {
        "no reader signal": lambda a: [],
        "best logit": lambda a: [float(a.reader_logit or 0)],
        "best - content-free": lambda a: [float(a.reader_logit or 0) - null[a.question].mean()],
        "both": lambda a: [float(a.reader_logit or 0), float(null[a.question].mean())],
    }
    every = dict(fa.COLLECTIONS)
    for name, extra in variants.items():
        signals = {id(a): np.append(base[id(a)], extra(a)) for a in asked}
        for a in asked:
            a.signals = signals[id(a)]
        x, y, weight, _ = fa.abstain_data(fit)
        w = fa.fit_logistic(x, y, weight)
        probability = fitting.predict_logistic(w, np.array([signals[id(a)] for a in asked]))
        p = {id(a): float(pi) for a, pi in zip(asked, probability, strict=True)}
        fa.COLLECTIONS.clear()
        fa.COLLECTIONS.update({n: every[n] for n in FIT})
        threshold = fa.pick_threshold(fit, np.array([p[id(a)] for a in fit]))
        fa.COLLECTIONS.update(every)
        right = {g: right_share(asked, g, p, threshold) for g in groups}
        print(json.dumps({"variant": name, "threshold": threshold, "right": right}, indent=1))


if __name__ == "__main__":
    main()
