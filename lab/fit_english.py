"""Measure a not-found model for English questions over Japanese text, fitted apart (lab only).

    python -m lab.fit_english                      # English glossary signals alone
    python -m lab.fit_english --stack              # the shared model's score + glossary shares

Measured and not adopted (``git show b69ad21:eval/README.md``, ennotfound): it writes nothing. The
question was whether English questions, read by their own evidence — the share of their content
words the glossary ties to the collection's terms, and to the retrieved passages' text — and by
a model fitted on English questions alone, are told apart from English off-topic ones better
than the shared model (``service/abstain.py``) tells them. Japanese decisions cannot move: only
English rows are gathered and scored.

Data, English questions only (``lab.fit_answers.gather``, the service's retrieval, top 5):
answerable — the 2+2 dev set's English questions, eval/paraphrase.jsonl's English lines,
eval/english-jsquad.jsonl; off-topic — the English lines of eval/offtopic.jsonl, of the other
text's questions and of each text's near-topic file (eval/offtopic-twoplus.jsonl,
eval/offtopic-jsquad.jsonl). The FAQ dev set's English lines are a judge only, never fitted.
Each set and class weighs the same; the threshold is ``fit_answers``' rule (worst margin to found
0.95 / abstain 0.90 per set, out of fold and in sample); every rate is printed beside the shared
model's on the same questions, and held out (leave one text out).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from kotae.index.glossary import english_words
from kotae.index.lexical import LexicalIndex
from kotae.index.search import Hit
from kotae.ingest.text import nfkc
from kotae.service import abstain
from lab import fit_answers as fa
from lab import fitting

FIT = ("twoplus", "paraphrase", "english-jsquad")
JUDGE = ("faq",)
NEAR = {
    "twoplus": fa.NEAR_OFFTOPIC["twoplus"],
    "english-jsquad": fa.NEAR_OFFTOPIC["jsquad"],
}
SIGNALS = (
    "dense_z",
    "dense_over_probes",
    "coverage",
    "glossary_known",
    "glossary_in_passages",
    "glossary_in_top",
    "numbers",
    "cover",
)
STACKED = ("shared_logit", "glossary_known", "glossary_in_top")
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


def english_terms(word: str, lexical: LexicalIndex) -> set[str]:
    """The collection's terms an English content word can stand for: its glossary terms (all
    in the collection), or the word itself when the text writes it (Debian, GDP)."""
    terms = set(lexical.glossary.get(word, {}))
    if lexical.has_term(word.lower()):
        terms.add(word.lower())
    return terms


def glossary_known(words: list[str], lexical: LexicalIndex) -> float:
    """Share of the English question's content words the collection has a term for."""
    if not words:
        return 0.0
    return sum(bool(english_terms(w, lexical)) for w in words) / len(words)


def glossary_in(words: list[str], lexical: LexicalIndex, hits: list[Hit]) -> float:
    """Share of the English question's content words whose terms these passages' text holds."""
    if not words or not hits:
        return 0.0
    text = nfkc("".join(h.chunk.text for h in hits)).lower()
    return sum(any(t in text for t in english_terms(w, lexical)) for w in words) / len(words)


def english_signals(
    question: str, hits: list[Hit], lexical: LexicalIndex, shared: np.ndarray
) -> dict[str, float]:
    """Every candidate input, by name; ``shared`` is the shared model's signal vector."""
    w, bias, _ = abstain._model()
    named = dict(zip(abstain.SIGNALS, shared.tolist(), strict=True))
    words = english_words(question)
    return {
        **named,
        "glossary_known": glossary_known(words, lexical),
        "glossary_in_passages": glossary_in(words, lexical, hits),
        "glossary_in_top": glossary_in(words, lexical, hits[:1]),
        "shared_logit": float(shared @ w + bias),
    }


def english(question: str) -> bool:
    return abstain.language(question) == "en"


def gather_all() -> list[fa.Asked]:
    """English rows of the fitted sets, then of the judge sets."""
    known = {**fa.COLLECTIONS, **fa.OPTIONAL}
    fa.COLLECTIONS.clear()
    fa.COLLECTIONS.update({n: known[n] for n in FIT})
    fa.OWN_OFFTOPIC.update(NEAR)
    rows: list[fa.Asked] = []
    encoder = None
    for name in (*FIT, *JUDGE):
        fa.COLLECTIONS[name] = known[name]
        part, engine = fa.gather(name, encoder, english)
        encoder = engine.encoder
        if name == "paraphrase":  # its off-topic questions are 2+2's: counted once
            part = [a for a in part if a.in_collection]
        fa.add_signals(part, {name: engine})
        for a in part:
            assert a.signals is not None
            a.named = english_signals(  # type: ignore[attr-defined]
                a.question, a.hits, engine.loaded.snapshot.lexical, a.signals
            )
            a.shared = abstain.decide(a.signals).found  # type: ignore[attr-defined]
        rows += part
    return rows


def data(rows: list[fa.Asked], names: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    x = np.array([[a.named[n] for n in names] for a in rows])  # type: ignore[attr-defined]
    y = np.array([a.in_collection for a in rows], dtype=float)
    groups = [f"{a.collection}:{a.in_collection}" for a in rows]
    counts = {g: groups.count(g) for g in set(groups)}
    weight = np.array([len(rows) / (len(counts) * counts[g]) for g in groups])
    return x, y, weight


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return fitting.predict_logistic(w, x)


def cross_validated(rows: list[fa.Asked], names: tuple[str, ...]) -> np.ndarray:
    x, y, weight = data(rows, names)
    fold = fa.folds(len(rows), seed=1)
    p = np.zeros(len(rows))
    for f in range(fa.FOLDS):
        w = fa.fit_logistic(x[fold != f], y[fold != f], weight[fold != f])
        p[fold == f] = predict(w, x[fold == f])
    return p


def rates(rows: list[fa.Asked], found: list[bool]) -> dict[str, float]:
    """Found per answerable set; abstain per text over all its off-topic questions, over its
    near-topic file alone (``near``), and over a judge set's own off-topic file (``own``)."""
    out: dict[str, float] = {}
    for name in dict.fromkeys(a.collection for a in rows):
        pairs = [(a, f) for a, f in zip(rows, found, strict=True) if a.collection == name]
        own = NEAR.get(name) or fa.OWN_OFFTOPIC.get(name)
        inside = [f for a, f in pairs if a.in_collection]
        off = [not f for a, f in pairs if not a.in_collection]
        near = [not f for a, f in pairs if not a.in_collection and own and a.source == own]
        for key, vals in (("found", inside), ("abstain", off), ("near", near)):
            if vals:
                out[f"{name}_{key}"] = round(sum(vals) / len(vals), 3)
    return out


def pick_threshold(rows: list[fa.Asked], *ps: np.ndarray) -> float:
    """``fit_answers.pick_threshold``'s rule over one language: the largest worst margin."""

    def slack(t: float) -> float:
        worst = 1.0
        for p in ps:
            for name in dict.fromkeys(a.collection for a in rows):
                sel = [(a, pi) for a, pi in zip(rows, p, strict=True) if a.collection == name]
                inside = [pi >= t for a, pi in sel if a.in_collection]
                off = [pi < t for a, pi in sel if not a.in_collection]
                if inside:
                    worst = min(worst, sum(inside) / len(inside) - fa.TARGETS["found"])
                if off:
                    worst = min(worst, sum(off) / len(off) - fa.TARGETS["abstain"])
        return worst

    return float(max(GRID, key=slack))


def held_out(rows: list[fa.Asked], names: tuple[str, ...]) -> dict[str, float]:
    """Leave one text out (the paraphrase set goes out with the 2+2 set over the same text)."""
    x, y, weight = data(rows, names)
    out: dict[str, float] = {}
    for corpus in dict.fromkeys(fa.COLLECTIONS[a.collection][0] for a in rows):
        gone = np.array([fa.COLLECTIONS[a.collection][0] == corpus for a in rows])
        rest = [a for a, g in zip(rows, gone, strict=True) if not g]
        w = fa.fit_logistic(x[~gone], y[~gone], weight[~gone])
        p = predict(w, x)
        t = pick_threshold(rest, p[~gone])
        kept = [a for a, g in zip(rows, gone, strict=True) if g]
        out.update(rates(kept, [bool(v >= t) for v in p[gone]]))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--stack",
        action="store_true",
        help="Inputs: the shared model's score plus the glossary shares (default: the English "
        "signals alone, the shared known_share replaced by the glossary's).",
    )
    args = parser.parse_args(argv)
    names = STACKED if args.stack else SIGNALS
    everything = gather_all()
    rows = [a for a in everything if a.collection in FIT]
    judged = [a for a in everything if a.collection in JUDGE]
    p = cross_validated(rows, names)
    x, y, weight = data(rows, names)
    w = fa.fit_logistic(x, y, weight)
    p_in = predict(w, x)
    t = pick_threshold(rows, p, p_in)
    p_judge = predict(w, data(judged, names)[0])
    shared = [bool(a.shared) for a in everything]  # type: ignore[attr-defined]
    report = {
        "questions": {
            n: [
                sum(a.in_collection for a in everything if a.collection == n),
                sum(not a.in_collection for a in everything if a.collection == n),
            ]
            for n in (*FIT, *JUDGE)
        },
        "shared_model": rates(everything, shared),
        "threshold": t,
        "english_cv": rates(rows, [bool(v >= t) for v in p]),
        "english_in_sample": rates(rows, [bool(v >= t) for v in p_in]),
        "english_held_out": held_out(rows, names),
        "english_judge": rates(judged, [bool(v >= t) for v in p_judge]),
        "weights": dict(zip(names, np.round(w[:-1], 3).tolist(), strict=True)),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
