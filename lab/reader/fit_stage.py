"""Fit how the answer uses the reader (``kotae.service.reading``), on one dev kind, checked on
the other, and write ``service/data/reader_stage.json``.

    python -m lab.reader.fit_stage --write \
        --collection 2+2:corpus:eval/questions.jsonl:IDX22 \
        --collection jsquad:$JS/corpus:$JS/questions.jsonl:IDXJS  # JS: shared jsquad-test

Per question it asks the engine as an answer does (the turn's search text, the top 5 passages,
the hand-fitted sentence scores), lets the reader read the ``--read`` best candidates, and
composes the real answer (``compose_answer``, FAQ pairs and all) at every point of the grid
with the logits it read. It then chooses, by a grid:
- ``sentences``: how many candidates the reader reads (fewer is faster);
- ``weight``: fitted-score units per reader logit (0: the reader is ignored; large: the
  reader alone decides among what it read),
maximising the share of questions whose first quotable sentence holds an answer, summed over the
collections with each weighing the same; and it prints each choice fitted on one collection and
measured on the other, so a choice that only fits one kind shows.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.answers import first_line, holds_answer
from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import load_questions
from kotae.service.answer import compose_answer
from kotae.service.engine import Engine
from kotae.service.reader.model import MODEL_DIR, Reader, Reading
from kotae.service.reading import ReaderStage, chosen, reading_of
from kotae.service.sentences import score_candidates
from kotae.service.turn import Answering, Turn
from kotae.settings import Settings
from lab.provenance import ROOT, provenance

OUT = ROOT / "service" / "data" / "reader_stage.json"
SENTENCES = (2, 3, 4, 8, 16)
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 100.0)


class LoggedReader:
    """The reader's logits as collected, so each grid point composes the real answer (FAQ
    pairs, quote order and all) without reading again."""

    def __init__(self, logits: dict[str, float]) -> None:
        self.logits = logits

    def read(self, question: str, sentences: list[str], titles: list[str] | None = None) -> Reading:
        scores = np.array([self.logits[s] for s in sentences], dtype=np.float32)
        return Reading(scores, tuple(None for _ in sentences), 1.0)

    def lead(self, title: str, before: str) -> str:
        return title  # the logits were read already: what was read before them does not matter


@dataclass(frozen=True)
class Collected:
    question: str
    scores: np.ndarray  # fitted score per candidate
    quotable: np.ndarray
    labels: np.ndarray  # holds a gold answer
    rows: np.ndarray  # candidates read, by fitted score
    logits: np.ndarray  # reader logit per read candidate
    found: bool  # the answer without the reader says it found something
    inside: bool = True  # the collection answers it (False: an off-topic question)
    first: dict[tuple[int, float], bool] | None = None  # (sentences, weight) → answer_first


def collect(spec: str, reader: Reader, read: int, offtopic: list[Path]) -> list[Collected]:
    _name, corpus, questions, index = spec.split(":")
    engine = Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index), reader=False))
    snap = engine.load()
    answering = Answering(engine)
    docs = {d: doc.text for d, doc in snap.documents.items()}
    asked_of = [
        (q.question, [a for answers in q.relevant.values() for a in answers], True)
        for q in load_questions(Path(questions), docs)
    ]
    asked_of += [(o.question, [], False) for path in offtopic for o in load_offtopic(path)]
    out = []
    for question, gold, inside in asked_of:
        asked = answering.read(Turn(question))
        hits = engine.search(asked.text, 5, asked.filters)
        if not hits:
            continue
        scored = score_candidates(asked.text, hits, snap, engine.encoder(asked.text))
        labels = np.array([holds_answer(c.text, gold) for c in scored.candidates], bool)
        quotable = scored.quotable if scored.quotable is not None else np.ones(len(labels), bool)
        rows = chosen(scored, read)
        picked = [scored.candidates[i] for i in rows]
        logits = reading_of(reader, asked.text, picked).scores
        found = engine.compose(asked.text, hits).found
        first = None
        if inside:
            logged = LoggedReader(
                {scored.candidates[i].text: float(x) for i, x in zip(rows, logits, strict=True)}
            )
            qv, cal = engine.encoder(asked.text), engine.loaded.calibration
            first = {}
            for s in SENTENCES:
                for w in WEIGHTS:
                    stage = ReaderStage(logged, s, w)  # type: ignore[arg-type]
                    answer = compose_answer(asked.text, hits, snap, qv, cal, stage)
                    first[(s, w)] = holds_answer(first_line(answer.text), gold)
        out.append(
            Collected(question, scored.scores, quotable, labels, rows, logits, found, inside, first)
        )
    return out


def first_holds(c: Collected, sentences: int, weight: float) -> bool:
    """Whether the first line of the answer composed with the reader at (sentences, weight)
    holds a gold answer (what kotae eval's answer_first counts)."""
    if c.first is None:
        raise ValueError(f"no composed answers logged for {c.question!r} (an off-topic question)")
    return c.first[(sentences, weight)]


def share(data: list[Collected], sentences: int, weight: float) -> float:
    return float(np.mean([first_holds(c, sentences, weight) for c in data if c.inside]))


def found_with_floor(c: Collected, reader: Reader, sentences: int, floor: float) -> bool:
    """Found by the answer's own decision and, when ``floor`` > 0, by the reader's
    calibrated probability that one of the sentences it read answers."""
    if not c.found or not len(c.logits):
        return c.found
    return reader.answerable(float(c.logits[:sentences].max())) >= floor


FLOORS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
FOUND_COST = 0.01  # the most in-collection "found" a floor may cost on any collection


def found_share(d: list[Collected], reader: Reader, sentences: int, floor: float) -> float:
    return float(np.mean([found_with_floor(c, reader, sentences, floor) for c in d if c.inside]))


def chosen_floor(sets: list[list[Collected]], reader: Reader, sentences: int) -> float:
    """The highest floor that costs no collection more than FOUND_COST of its found rate."""
    base = [found_share(d, reader, sentences, 0.0) for d in sets]
    ok = [
        f
        for f in FLOORS
        if all(
            found_share(d, reader, sentences, f) >= b - FOUND_COST
            for d, b in zip(sets, base, strict=True)
        )
    ]
    return max(ok)


def not_found_table(data: dict[str, list[Collected]], reader: Reader, sentences: int) -> None:
    print("\nwith a floor on the reader's answerable probability: found (in) / abstained (off)")
    for floor in FLOORS:
        cells = []
        for n, d in data.items():
            inside = [found_with_floor(c, reader, sentences, floor) for c in d if c.inside]
            off = [not found_with_floor(c, reader, sentences, floor) for c in d if not c.inside]
            cells.append(f"{n} {np.mean(inside):.3f}/{np.mean(off) if off else float('nan'):.3f}")
        print(f"  floor {floor:>4}: " + "  ".join(cells))


def best(sets: list[list[Collected]]) -> tuple[int, float]:
    grid = [(s, w) for s in SENTENCES for w in WEIGHTS]
    return max(grid, key=lambda sw: (sum(share(d, *sw) for d in sets), -sw[0]))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--collection", action="append", required=True, help="NAME:CORPUS:QUESTIONS:INDEX"
    )
    ap.add_argument(
        "--offtopic", action="append", default=[], help="NAME:FILE (off-topic for NAME)"
    )
    ap.add_argument("--reader", type=Path, default=MODEL_DIR)
    ap.add_argument("--read", type=int, default=max(SENTENCES))
    ap.add_argument(
        "--fit",
        help="NAME,NAME: the collections the written choice is fitted on "
        "(default: all); the others are held out",
    )
    ap.add_argument("--cache", type=Path, help="keep what was collected here (a .pkl)")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = ap.parse_args()
    reader = Reader(args.reader)
    cached = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else {}
    off: dict[str, list[Path]] = {}
    for item in args.offtopic:
        name, path = item.split(":", 1)
        off.setdefault(name, []).append(Path(path))
    data = {}
    for spec in args.collection:  # a collection not in the cache is collected and added
        name = spec.split(":")[0]
        data[name] = cached.get(name) or collect(spec, reader, args.read, off.get(name, []))
    if args.cache and set(data) - set(cached):
        args.cache.write_bytes(pickle.dumps(cached | data))
    names = list(data)
    fit = [data[n] for n in (args.fit.split(",") if args.fit else names)]
    print("first sentence holds an answer (share of questions)")
    print(f"{'fitted on':<12}{'sentences':>10}{'weight':>8}" + "".join(f"{n:>10}" for n in names))
    for label, sets in [
        ("none", None),
        *((n, [data[n]]) for n in names),
        ("fit set", fit),
    ]:
        s, w = (max(SENTENCES), 0.0) if sets is None else best(sets)
        print(
            f"{label:<12}{s:>10}{w:>8}" + "".join(f"{share(data[n], s, w):>10.3f}" for n in names)
        )
    s_all = best(fit)[0]
    for w in WEIGHTS:
        print(f"  weight {w:>6}: " + " ".join(f"{n} {share(data[n], s_all, w):.3f}" for n in names))
    not_found_table(data, reader, s_all)
    for n in names:
        f = chosen_floor([data[n]], reader, s_all)
        print(f"floor fitted on {n}: {f}")
    print(f"floor fitted on the fit set: {chosen_floor(fit, reader, s_all)}")
    if args.write:
        s, w = best(fit)
        paths = [Path(p) for spec in args.collection for p in spec.split(":")[1:3]]
        record = {
            "sentences": s,
            "weight": w,
            "floor": chosen_floor(fit, reader, s),
            "fitted_on": args.fit or ",".join(names),
            "first_holds": {n: round(share(data[n], s, w), 4) for n in names},
            "provenance": provenance("lab.reader.fit_stage", sys.argv[1:], paths),
        }
        OUT.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}: sentences {s}, weight {w}")


if __name__ == "__main__":
    main()
