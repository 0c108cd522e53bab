"""Fit the sentence scorer and the "not found" decision on both dev collections.

    python -m lab.fit_answers            # writes service/data/{sentence_weights,abstain}.json
    python -m lab.fit_answers --dry-run  # cross-validated numbers only
    python -m lab.fit_answers --with faq # the municipal FAQ dev set as a third collection
    python -m lab.fit_answers --dry-run --with paraphrase --with paraphrase-jsquad --with faq
                                          # everyday wording too (measured, not adopted)
    python -m lab.fit_answers --dry-run --with english-jsquad
                                          # English questions teach the not-found model only
    python -m lab.fit_answers --dry-run --near --held-out
                                          # + questions near each dev text's topic as off-topic
    python -m lab.fit_answers --dry-run --held-out --reader-signal
                                          # the same fit with the reader's best logit too
                                          # (measured, not adopted: eval/README.md, the reader)
    python -m lab.fit_answers --dry-run --with withheld --fit-on withheld
                                          # fitted on outside data alone (lab.withheld's
                                          # collection, $KOTAE_FIT_WITHHELD), every dev set
                                          # rated as held out

Data: the 2+2 dev set (eval/questions.jsonl over corpus/) and the JSQuAD dev set
(../shared/dev-sets/jsquad-test), each through the service's own retrieval (top 5, as
/api/ask). Off-topic questions for each collection: eval/offtopic.jsonl plus the other
collection's questions. Content-free questions are left out: a rule answers them.

1. Sentences: every candidate sentence of the top 5 passages, labelled by whether it holds a
   gold answer string (normalised as answer_any). A listwise model (softmax over one question's
   candidates, L2) — it is trained to put an answering sentence first, which is what
   answer_first measures. 5-fold cross-validation by question gives the reported numbers; the
   quoting margin is chosen on the out-of-fold scores; the stored weights are then fitted on all.
2. "Not found": logistic regression on the signals of service/abstain.py, in-collection
   questions (answer) against off-topic ones (abstain), each collection and class weighted
   equally; the threshold is the one whose worst margin to the targets (found_rate 0.95,
   abstain_rate 0.90, per collection), out of fold and in sample, is largest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval import QUESTIONS_FILE
from kotae.eval.answers import holds_answer
from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import load_questions
from kotae.index.search import Hit, QueryEncoder
from kotae.index.snapshot import Snapshot
from kotae.service import abstain, reading, sentences
from kotae.service.engine import Engine
from kotae.settings import Settings
from lab import fitting
from lab.provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
JSQUAD = next(  # ../shared beside the main checkout, or beside the worktrees' folder
    (
        d
        for p in (ROOT.parent, ROOT.parent.parent)
        if (d := p / "shared" / "dev-sets" / "jsquad-test").is_dir()
    ),
    Path("/work/shared/dev-sets/jsquad-test"),
)
COLLECTIONS = {
    "twoplus": (
        ROOT / "corpus",
        QUESTIONS_FILE,
        Path(os.environ.get("KOTAE_FIT_TWOPLUS_INDEX", "/work/idx/twoplus/index")),
    ),
    "jsquad": (
        JSQUAD / "corpus",
        JSQUAD / "questions.jsonl",
        Path(os.environ.get("KOTAE_FIT_JSQUAD_INDEX", "/work/idx/jsquad/index")),
    ),
}
FAQ = ROOT / "eval" / "dev-sets" / "faq"
OPTIONAL = {  # added with --with NAME: (corpus, questions, index), and the set's own off-topic file
    "faq": (
        FAQ / "corpus",
        FAQ / "questions.jsonl",
        Path(os.environ.get("KOTAE_FIT_FAQ_INDEX", "/work/idx/faq/index")),
    ),
}
# Everyday wording over the dev collections' own text and index: the not-found decision must
# not learn that an answerable question repeats the text's words.
OPTIONAL["paraphrase"] = (
    ROOT / "corpus",
    ROOT / "eval" / "paraphrase.jsonl",
    COLLECTIONS["twoplus"][2],
)
OPTIONAL["paraphrase-jsquad"] = (
    JSQUAD / "corpus",
    ROOT / "eval" / "paraphrase-jsquad.jsonl",
    COLLECTIONS["jsquad"][2],
)
# English questions over the encyclopedia's Japanese text (eval/english-jsquad.jsonl).
OPTIONAL["english-jsquad"] = (
    JSQUAD / "corpus",
    ROOT / "eval" / "english-jsquad.jsonl",
    COLLECTIONS["jsquad"][2],
)
# A collection made from outside data by lab.withheld (JaQuAD dev, part of each article's
# paragraphs left out): its off-topic questions are its own, near-topic and far, and no dev
# set's question is asked of it, so a fit on it alone is a fit on outside data.
WITHHELD = Path(os.environ.get("KOTAE_FIT_WITHHELD", str(ROOT / ".kotae" / "withheld")))
OPTIONAL["withheld"] = (WITHHELD / "corpus", WITHHELD / "questions.jsonl", WITHHELD / "index")
SELF_CONTAINED = {"withheld": (WITHHELD / "far.jsonl", WITHHELD / "near.jsonl")}
# Sets that teach only the not-found decision: the sentence scorer is fitted without them.
NOT_FOUND_ONLY = frozenset({"english-jsquad"})
OWN_OFFTOPIC = {"faq": FAQ / "offtopic.jsonl"}
# --near: questions near each dev text's topic that it does not answer (the hard, realistic
# case; a paraphrase set shares its text's file). A judge more than training data.
NEAR_OFFTOPIC = {
    "twoplus": ROOT / "eval" / "offtopic-twoplus.jsonl",
    "paraphrase": ROOT / "eval" / "offtopic-twoplus.jsonl",
    "jsquad": ROOT / "eval" / "offtopic-jsquad.jsonl",
    "paraphrase-jsquad": ROOT / "eval" / "offtopic-jsquad.jsonl",
}
# Lines of the generic off-topic file a collection does answer (the FAQ issues 住民票の写し).
ANSWERED = {"faq": {"off-ja19"}}
OFFTOPIC = ROOT / "eval" / "offtopic.jsonl"
K = 5
FOLDS = 5
L2 = 0.01
MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
TARGETS = {"found": 0.95, "abstain": 0.90}


@dataclass
class Asked:
    collection: str
    qid: str
    question: str
    in_collection: bool
    hits: list[Hit]
    x: np.ndarray  # candidate features
    y: np.ndarray  # candidate holds a gold answer
    texts: list[str]
    signals: np.ndarray | None = None  # filled once sentence weights exist
    source: Path | None = None  # the off-topic file an off-topic question comes from
    reader_logit: float | None = None  # --reader-signal: the reader's best logit, as answered


def gather(
    name: str,
    encoder: QueryEncoder | None,
    wanted: Callable[[str], bool] = lambda q: True,
    stage: reading.ReaderStage | None = None,
) -> tuple[list[Asked], Engine]:
    """Every question of one collection and its off-topic questions (those ``wanted`` takes);
    with a reader ``stage``, each with the reader's best logit (--reader-signal)."""
    corpus, questions, index = COLLECTIONS[name]
    engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
    # One query cache for both collections, large enough that each question is embedded once.
    engine.encoder = encoder or QueryEncoder(engine.embedder, size=100_000)
    snap = engine.load()
    docs = {d: doc.text for d, doc in snap.documents.items()}
    # Off-topic: the questions of every collection over another text (a paraphrase set over
    # this same text is in-collection, not off-topic).
    other = [
        p
        for n, (c, p, _) in COLLECTIONS.items()
        if n != name and c != corpus and n not in SELF_CONTAINED
    ]
    asked: list[Asked] = []
    items: list[tuple[str, str, bool, dict[str, tuple[str, ...]], Path | None]] = [
        (q.id, q.question, True, q.relevant, None) for q in load_questions(questions, docs)
    ]
    own = [OWN_OFFTOPIC[name]] if name in OWN_OFFTOPIC else []
    paths = list(SELF_CONTAINED[name]) if name in SELF_CONTAINED else [OFFTOPIC, *other, *own]
    for path in paths:
        for o in load_offtopic(path):
            if path == OFFTOPIC and o.id in ANSWERED.get(name, set()):
                continue
            if not sentences.content_free(o.question):
                items.append((f"{path.stem}:{o.id}", o.question, False, {}, path))
    for qid, question, inside, relevant, source in items:
        if not wanted(question):
            continue
        hits = engine.search(question, K)
        cands = sentences.candidates(hits, snap)
        qv = engine.encoder(question)
        x = sentences.features(question, hits, cands, snap, qv)
        gold = [a for answers in relevant.values() for a in answers]
        keep, _ = sentences.faq_pairs(hits, cands, snap)  # a question line never answers
        y = np.array([holds_answer(c.text, gold) for c in cands], dtype=bool) & keep
        texts = [c.text for c in cands]
        logit = reader_logit(stage, question, hits, snap, qv) if stage else None
        asked.append(
            Asked(name, qid, question, inside, hits, x, y, texts, source=source, reader_logit=logit)
        )
    return asked, engine


def probe_logits(engine: Engine, stage: reading.ReaderStage) -> dict[str, tuple[float, float]]:
    """Mean and spread of the reader's best logit for the generic probe questions on this
    index, per probe language."""
    snap = engine.loaded.snapshot
    by: dict[str, list[float]] = {}
    for q in abstain.probe_questions():
        hits = engine.search(q, K)
        logit = reader_logit(stage, q, hits, snap, engine.encoder(q))
        by.setdefault(abstain.language(q), []).append(logit)
    out = {lang: (float(np.mean(v)), max(float(np.std(v)), 0.25)) for lang, v in by.items()}
    print(f"probes' reader logit on {engine.settings.index_dir}: {out}")
    return out


def reader_logit(
    stage: reading.ReaderStage, question: str, hits: list[Hit], snap: Snapshot, qv: np.ndarray
) -> float:
    """The reader's best relevance logit over the sentences an answer lets it read (the
    shipped stage: the fitted scorer's best quotable candidates); -10 when none."""
    scored = sentences.score_candidates(question, hits, snap, qv)
    rows = reading.chosen(scored, stage.sentences)
    if not len(rows):
        return -10.0
    picked = [scored.candidates[i] for i in rows]
    read = stage.reader.read(question, [c.text for c in picked], [c.title for c in picked])
    return float(read.scores.max())


def fit_listwise(asked: list[Asked]) -> np.ndarray:
    """Weights maximising the softmax probability of the answering sentences, per question.

    Each collection weighs the same in total, so 500 encyclopedia questions do not drown 70
    paraphrased ones: the held-out collections are of both kinds.
    """
    asks = [a for a in asked if a.in_collection and a.y.any() and _sentences_from(a)]
    weights = fitting.balanced([a.collection for a in asks])
    groups = [fitting.Group(a.x, a.y, c) for a, c in zip(asks, weights, strict=True)]
    return fitting.fit_listwise(groups, L2 / len(groups))  # L2 per question, as it was fitted


def _sentence_sets() -> list[str]:
    return [n for n in COLLECTIONS if n not in NOT_FOUND_ONLY]


def _sentences_from(a: Asked) -> bool:
    return a.collection not in NOT_FOUND_ONLY


def folds(n: int, seed: int = 0) -> np.ndarray:
    return fitting.folds([""] * n, FOLDS, seed)


def sentence_cv(asked: list[Asked]) -> np.ndarray:
    """Out-of-fold candidate scores for every in-collection question (by question folds)."""
    inside = [a for a in asked if a.in_collection and len(a.y) and _sentences_from(a)]
    fold = folds(len(inside))
    scores: list[np.ndarray] = [np.zeros(0)] * len(inside)
    for f in range(FOLDS):
        w = fit_listwise([a for a, g in zip(inside, fold, strict=True) if g != f])
        for i, a in enumerate(inside):
            if fold[i] == f:
                scores[i] = a.x @ w
    return np.array(scores, dtype=object)


def chosen(scores: np.ndarray, texts: list[str], margin: float) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    out: list[int] = []
    seen: set[str] = set()
    for i in order:
        if scores[i] < scores[order[0]] - margin or len(out) == 3:
            break
        if texts[i].strip() in seen or len(texts[i].strip()) < 4:
            continue
        seen.add(texts[i].strip())
        out.append(int(i))
    return out


def sentence_report(asked: list[Asked], oof: np.ndarray) -> dict[str, dict[str, float]]:
    """answer_first / answer_any (given found) per collection and margin, out of fold."""
    inside = [a for a in asked if a.in_collection and len(a.y) and _sentences_from(a)]
    report: dict[str, dict[str, float]] = {}
    for margin in MARGINS:
        for name in _sentence_sets():
            rows = [(a, s) for a, s in zip(inside, oof, strict=True) if a.collection == name]
            n = sum(a.collection == name and a.in_collection for a in asked)
            picks = [(a, chosen(s, a.texts, margin)) for a, s in rows]
            first = sum(bool(p) and a.y[p[0]] for a, p in picks) / n
            any_ = sum(any(a.y[i] for i in p) for a, p in picks) / n
            chars = float(np.median([sum(len(a.texts[i]) for i in p) for a, p in picks]))
            report[f"{name}@{margin}"] = {
                "answer_first": round(first, 4),
                "answer_any": round(any_, 4),
                "median_chars": chars,
            }
    return report


def pick_margin(report: dict[str, dict[str, float]]) -> float:
    """The smallest margin whose answer_any is within 0.01 of the best, on both collections."""
    names = _sentence_sets()
    best = {n: max(report[f"{n}@{m}"]["answer_any"] for m in MARGINS) for n in names}
    for m in MARGINS:
        if all(report[f"{n}@{m}"]["answer_any"] >= best[n] - 0.01 for n in names):
            return m
    return MARGINS[-1]


def add_signals(asked: list[Asked], engines: dict[str, Engine]) -> None:
    cover = sentences.FEATURES.index("word_share")
    for a in asked:
        loaded = engines[a.collection].loaded
        best = float(a.x[:, cover].max()) if len(a.y) else 0.0
        a.signals = abstain.signals(
            a.question, a.hits, loaded.snapshot.lexical, loaded.calibration, best
        )


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted L2 logistic regression; the last weight is the bias."""
    return fitting.fit_logistic(x, y, weight, L2)


def abstain_data(asked: list[Asked]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    x = np.array([a.signals for a in asked])
    y = np.array([a.in_collection for a in asked], dtype=float)
    groups = [f"{a.collection}:{a.in_collection}" for a in asked]
    counts = {g: groups.count(g) for g in set(groups)}
    weight = np.array([len(asked) / (len(counts) * counts[g]) for g in groups])
    return x, y, weight, [a.collection for a in asked]


def abstain_cv(asked: list[Asked]) -> np.ndarray:
    x, y, weight, _ = abstain_data(asked)
    fold = folds(len(asked), seed=1)
    p = np.zeros(len(asked))
    for f in range(FOLDS):
        w = fit_logistic(x[fold != f], y[fold != f], weight[fold != f])
        p[fold == f] = fitting.predict_logistic(w, x[fold == f])
    return p


def held_out(asked: list[Asked]) -> dict[str, float]:
    """Leave one text out: fit the model and its thresholds on the other texts' sets, rate the
    held-out text's sets (a paraphrase set goes out with the dev set over the same text)."""
    x, y, weight, _ = abstain_data(asked)
    out: dict[str, float] = {}
    for corpus in dict.fromkeys(COLLECTIONS[a.collection][0] for a in asked):
        out_ = np.array([COLLECTIONS[a.collection][0] == corpus for a in asked])
        rest = [a for a, o in zip(asked, out_, strict=True) if not o]
        w = fit_logistic(x[~out_], y[~out_], weight[~out_])
        p = fitting.predict_logistic(w, x)
        threshold = pick_threshold(rest, p[~out_])
        out.update(rates([a for a, o in zip(asked, out_, strict=True) if o], p[out_], threshold))
    return out


def lang_of(a: Asked) -> str:
    return abstain.language(a.question)


def rates(asked: list[Asked], p: np.ndarray, threshold: dict[str, float]) -> dict[str, float]:
    out = {}
    found = [pi >= threshold[lang_of(a)] for a, pi in zip(asked, p, strict=True)]
    for name in dict.fromkeys(a.collection for a in asked):
        inside = [
            f for a, f in zip(asked, found, strict=True) if a.collection == name and a.in_collection
        ]
        off = [
            not f
            for a, f in zip(asked, found, strict=True)
            if a.collection == name and not a.in_collection
        ]
        out[f"{name}_found_rate"] = round(sum(inside) / len(inside), 4)
        out[f"{name}_abstain_rate"] = round(sum(off) / len(off), 4)
        for path in (
            OWN_OFFTOPIC.get(name),
            NEAR_OFFTOPIC.get(name),
            *SELF_CONTAINED.get(name, ()),
        ):
            own = [  # the text's own off-topic file alone: the near-topic, hard part
                not f
                for a, f in zip(asked, found, strict=True)
                if path and a.collection == name and a.source == path
            ]
            if path and own:
                key = f"{name}_abstain_{path.parent.name}/{path.name}"
                out[key] = round(sum(own) / len(own), 4)
    return out


def pick_threshold(asked: list[Asked], *ps: np.ndarray) -> dict[str, float]:
    """Per question language: the threshold whose worst margin to the targets, over the
    collections' questions in that language and over every probability set given (out of
    fold, and the deployed model's own), is largest (ties: the lowest). A threshold chosen on
    out-of-fold scores alone can miss the targets with the model that is actually shipped."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    out = {}
    for lang in ("ja", "en"):
        sel = [i for i, a in enumerate(asked) if lang_of(a) == lang]
        part = [asked[i] for i in sel]

        def slack(t: float, part: list[Asked] = part, sel: list[int] = sel) -> float:
            worst = 1.0
            for p, n in ((p, n) for p in ps for n in COLLECTIONS):
                rows = [(a, p[i]) for a, i in zip(part, sel, strict=True) if a.collection == n]
                inside = [pi >= t for a, pi in rows if a.in_collection]
                off = [pi < t for a, pi in rows if not a.in_collection]
                if inside:
                    worst = min(worst, sum(inside) / len(inside) - TARGETS["found"])
                if off:
                    worst = min(worst, sum(off) / len(off) - TARGETS["abstain"])
            return worst

        out[lang] = float(max(grid, key=slack))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
    parser.add_argument(
        "--sentence-weights",
        type=Path,
        help="Keep these fitted sentence weights (a sentence_weights.json); refit the rest.",
    )
    parser.add_argument(
        "--with",
        dest="extra",
        action="append",
        default=[],
        choices=sorted(OPTIONAL),
        help="Fit on this dev set too (faq: eval/dev-sets/faq, index $KOTAE_FIT_FAQ_INDEX).",
    )
    parser.add_argument(
        "--near",
        action="store_true",
        help="Add each dev text's near-topic off-topic file (eval/offtopic-twoplus.jsonl, "
        "eval/offtopic-jsquad.jsonl) to its off-topic questions.",
    )
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="Also report leave-one-text-out not-found rates (fit on the other texts).",
    )
    parser.add_argument(
        "--reader-signal",
        action="store_true",
        help="Also fit and report a not-found model with the reader's best logit "
        "(service/reading.py) as one more signal (a study: --dry-run only; eval/README.md).",
    )
    parser.add_argument(
        "--reader-z",
        action="store_true",
        help="With --reader-signal: the reader's best logit read against the generic probes' "
        "on the same index, per language (as dense_z reads the dense score).",
    )
    parser.add_argument(
        "--fit-on",
        action="append",
        default=[],
        help="Also fit the not-found model and the sentence scorer on these collections alone "
        "and rate every collection with them (the others held out). Report only.",
    )
    args = parser.parse_args(argv)
    if args.reader_signal and not args.dry_run:
        parser.error("--reader-signal is a study: use it with --dry-run")
    stage = reading.default_stage() if args.reader_signal else None
    COLLECTIONS.update({name: OPTIONAL[name] for name in args.extra})
    if args.near:
        OWN_OFFTOPIC.update(NEAR_OFFTOPIC)
    asked: list[Asked] = []
    engines: dict[str, Engine] = {}
    for name in COLLECTIONS:
        first = next(iter(engines.values()), None)
        part, engines[name] = gather(name, first.encoder if first else None, stage=stage)
        asked += part
        print(
            f"{name}: {sum(a.in_collection for a in part)} questions, "
            f"{sum(not a.in_collection for a in part)} off-topic, "
            f"{sum(len(a.y) for a in part)} candidate sentences"
        )
    if args.sentence_weights is None:
        report = sentence_report(asked, sentence_cv(asked))
        margin = pick_margin(report)
        print(json.dumps({"sentence_cv": report, "margin": margin}, indent=1))
        w = fit_listwise(asked)
    else:
        w, margin = reuse(args.sentence_weights)
    add_signals(asked, engines)
    base = not_found_model(asked, args.held_out, "")
    if stage:  # the same fit with the reader's logit as one more signal, reported only
        probes = {n: probe_logits(e, stage) for n, e in engines.items()} if args.reader_z else {}
        for a in asked:
            assert a.signals is not None and a.reader_logit is not None
            logit = a.reader_logit
            if args.reader_z:  # against what the probes score on this index, in its language
                mean, std = probes[a.collection][lang_of(a)]
                logit = (logit - mean) / std
            a.signals = np.append(a.signals, logit)
        not_found_model(asked, args.held_out, "with_reader_")
    if args.fit_on:
        fitted_on(asked, args.fit_on)
    if args.dry_run:
        return
    made = provenance("lab.fit_answers", sys.argv[1:] if argv is None else argv, data_read(args))
    _write(
        sentences.WEIGHTS_FILE,
        {
            "provenance": made,
            "features": list(sentences.FEATURES),
            "weights": [round(float(v), 6) for v in w],
            "margin": margin,
        },
    )
    _write(abstain.MODEL_FILE, {"provenance": made, **base})


def not_found_model(asked: list[Asked], held: bool, label: str) -> dict[str, object]:
    """Fit the not-found logistic on the questions' signals, print its rates (out of fold, in
    sample, and with ``held`` leave one text out), and return it as abstain.json holds it."""
    p = abstain_cv(asked)
    x, y, weight, _ = abstain_data(asked)
    wa = fit_logistic(x, y, weight)
    p_in = 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ wa)))
    threshold = pick_threshold(asked, p, p_in)
    report = {f"{label}abstain_cv": rates(asked, p, threshold), "threshold": threshold}
    print(json.dumps(report, indent=1))
    print(json.dumps({f"{label}abstain_in_sample": rates(asked, p_in, threshold)}))
    if held:
        print(json.dumps({f"{label}abstain_held_out": held_out(asked)}))
    names = [*abstain.SIGNALS, "reader"][: x.shape[1]]
    return {
        "signals": names,
        "weights": [round(float(v), 6) for v in wa[:-1]],
        "bias": round(float(wa[-1]), 6),
        "threshold": threshold,
    }


def fitted_on(asked: list[Asked], names: list[str]) -> None:
    """Fit both models on the ``names`` collections alone and print every collection's rates
    with them (the others held out); the hand-written near-topic files judge, never teach."""
    near = set(NEAR_OFFTOPIC.values())
    fit = [a for a in asked if a.collection in names and a.source not in near]
    if not fit:
        raise SystemExit(f"--fit-on {names}: none of these collections was gathered")
    _sentences_fitted_on(asked, fit)
    _not_found_fitted_on(asked, fit)


def _sentences_fitted_on(asked: list[Asked], fit: list[Asked]) -> None:
    """First and any quoted line per collection at the shipped margin, scored by the fit."""
    w = fit_listwise(fit)
    inside = [a for a in asked if a.in_collection and len(a.y) and _sentences_from(a)]
    report = sentence_report(asked, np.array([a.x @ w for a in inside], dtype=object))
    margin = reuse(sentences.WEIGHTS_FILE)[1]
    at = {k.split("@")[0]: v for k, v in report.items() if k.endswith(f"@{margin}")}
    print(json.dumps({f"fit_on_sentences@{margin}": at}, indent=1))


def _not_found_fitted_on(asked: list[Asked], fit: list[Asked]) -> None:
    """The shipped decision's rates, then the fit's, with a threshold chosen on the fit's own
    questions (a language it has none in keeps the threshold of a fit on everything)."""
    x_all = np.array([a.signals for a in asked])
    w0, b0, t0 = abstain._model()
    shipped = 1 / (1 + np.exp(-(x_all[:, : len(w0)] @ w0 + b0)))
    print(json.dumps({"shipped_abstain": rates(asked, shipped, t0)}, indent=1))
    x, y, weight, _ = abstain_data(fit)
    wa = fit_logistic(x, y, weight)
    threshold = pick_threshold(fit, fitting.predict_logistic(wa, x))
    everything = fit_logistic(*abstain_data(asked)[:3])
    fallback = pick_threshold(asked, fitting.predict_logistic(everything, x_all))
    for lang in threshold:
        if not any(lang_of(a) == lang for a in fit):
            threshold[lang] = fallback[lang]
    names = [*abstain.SIGNALS, "reader"][: len(wa) - 1]
    report = {
        "fit_on_abstain": rates(asked, fitting.predict_logistic(wa, x_all), threshold),
        "threshold": threshold,
        "weights": dict(zip(names, np.round(wa[:-1], 3).tolist(), strict=True)),
    }
    print(json.dumps(report, indent=1))


def data_read(args: argparse.Namespace) -> list[Path]:
    """Every file the fit reads: each collection's index (its corpus) and questions, the
    off-topic files, the probes the not-found signals are measured against, reused weights."""
    paths = [p for name in COLLECTIONS for p in COLLECTIONS[name][1:]]
    paths += [OFFTOPIC, *(OWN_OFFTOPIC[n] for n in COLLECTIONS if n in OWN_OFFTOPIC)]
    paths += [p for n in COLLECTIONS for p in SELF_CONTAINED.get(n, ())]
    paths.append(abstain.PROBES_FILE)
    return paths + ([args.sentence_weights] if args.sentence_weights else [])


def reuse(path: Path) -> tuple[np.ndarray, float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    w = dict(zip(data["features"], data["weights"], strict=True))
    return np.array([w.get(f, 0.0) for f in sentences.FEATURES]), float(data["margin"])


def _write(path: Path, data: dict[str, object]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
