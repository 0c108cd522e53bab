"""When to show no short answer at all: a floor on the reader's belief in the first quote.

    python -m lab.reader.chip_floor --fit 2+2,jsquad NAME:CORPUS:QUESTIONS:INDEX[:OFFTOPIC,...] ...

The short answer (the 答え chip) is the one claim a user reads first. When the reader, having
read the first quoted sentence with the question, gives it a low calibrated probability of
answering (``Reader.answerable`` of its logit), the chip is more likely wrong than right —
above all on questions the collection cannot answer but the not-found decision let through
(「今日の天気は？」 answered 「国防長官」). For every question this asks the engine as /api/ask
does, and records the chip, its character F1 against the golds (in-collection questions), and
the reader's probability for the first quote. For each floor it reports, per collection: short
F1 / EM as kotae eval counts them (no chip = 0), the share of in-collection questions with a
chip, and the share of off-topic questions that get one (a chip there is always wrong).

The floor is fitted on ``--fit`` collections only with fit_short's utility (a chip scores
f - 0.3 (1 - f); an off-topic chip scores -0.3); the others are held out. Japanese questions
only: the reader was trained on Japanese questions, and for others the finder's chip leads.
``--gate confidence`` lays the floor on the not-found decision's own probability instead (every
question): whether a chip should need more confidence than an answer does.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import load_questions
from kotae.eval.short_metrics import best_f1, exact
from kotae.ingest.text import JAPANESE
from kotae.service.engine import Engine
from kotae.service.reading import default_stage
from kotae.service.sentences import BEFORE_CHARS
from kotae.service.turn import Answering, Turn
from kotae.settings import Settings

FLOORS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
WRONG_PRICE = 0.3  # as lab/fit_short.py


@dataclass(frozen=True)
class Chip:
    inside: bool  # the collection answers the question
    japanese: bool
    shown: bool  # the answer has a short answer
    f1: float
    em: float
    belief: float  # the reader's probability that the first quote answers (1: nothing read)
    confidence: float = 1.0  # the not-found decision's probability that the documents answer


def collect(spec: str) -> list[Chip]:
    name, corpus, questions, index, *rest = spec.split(":")
    offtopic = [Path(p) for p in rest[0].split(",")] if rest and rest[0] else []
    engine = Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index)))
    snap = engine.load()
    answering = Answering(engine)
    reader = default_stage().reader
    docs = {d: doc.text for d, doc in snap.documents.items()}
    asked: list[tuple[str, Sequence[str], bool]] = [
        (q.question, q.golds, True) for q in load_questions(Path(questions), docs)
    ]
    asked += [(o.question, (), False) for p in offtopic for o in load_offtopic(p)]
    out = []
    for question, golds, inside in asked:
        turn = answering.read(Turn(question))
        answer = engine.ask(turn.text, 5, turn.filters)
        text = answer.short.text if answer.found and answer.short else None
        belief = 1.0
        if answer.found and answer.quotes:
            quote = answer.quotes[0]
            doc = snap.documents[answer.citations[quote.n - 1].hit.chunk.doc_id]
            before = doc.text[max(0, quote.start - BEFORE_CHARS) : quote.start]
            lead = reader.lead(doc.title or "", before)
            logit = reader.read(turn.text, [quote.text], [lead]).scores[0]
            belief = reader.answerable(float(logit))
        out.append(
            Chip(
                inside,
                bool(JAPANESE.search(question)),
                text is not None,
                best_f1(text, golds),
                exact(text, golds),
                belief,
                answer.confidence,
            )
        )
    print(
        f"{name}: {sum(c.inside for c in out)} questions, {sum(not c.inside for c in out)} "
        "off-topic",
        flush=True,
    )
    return out


GATES = {  # what a floor is laid on, and the floors tried
    "reader": FLOORS,
    "confidence": (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95),
}


def kept(c: Chip, floor: float, gate: str = "reader") -> bool:
    if gate == "confidence":  # every question: the decision's own probability
        return c.shown and c.confidence >= floor
    return c.shown and not (c.japanese and c.belief < floor)


def rates(chips: list[Chip], floor: float, gate: str = "reader") -> dict[str, float]:
    inside = [c for c in chips if c.inside]
    off = [c for c in chips if not c.inside]
    n = max(len(inside), 1)
    return {
        "short_f1": sum(c.f1 for c in inside if kept(c, floor, gate)) / n,
        "short_em": sum(c.em for c in inside if kept(c, floor, gate)) / n,
        "coverage": sum(kept(c, floor, gate) for c in inside) / n,
        "offtopic_chips": sum(kept(c, floor, gate) for c in off) / max(len(off), 1),
    }


def utility(chips: list[Chip], floor: float, gate: str = "reader") -> float:
    """fit_short's utility per question: a chip scores f - price (1 - f), none scores 0."""
    shown = [c for c in chips if kept(c, floor, gate)]
    return sum(c.f1 - WRONG_PRICE * (1 - c.f1) for c in shown) / max(len(chips), 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+", help="NAME:CORPUS:QUESTIONS:INDEX[:OFFTOPIC,...]")
    ap.add_argument("--fit", default="2+2,jsquad", help="collections the floor is fitted on")
    ap.add_argument(
        "--gate",
        choices=sorted(GATES),
        default="reader",
        help="the floor on the reader's belief in the first quote, or on the not-found "
        "decision's confidence that the documents answer at all",
    )
    args = ap.parse_args(argv)
    gate, floors = args.gate, GATES[args.gate]
    data = {spec.split(":")[0]: collect(spec) for spec in args.sets}
    fit = args.fit.split(",")
    print("\nfloor   " + "  ".join(f"{n:>38}" for n in data))
    print("        " + "  ".join(f"{'F1':>7}{'EM':>7}{'cov':>7}{'off':>7}{'u':>10}" for _ in data))
    for floor in floors:
        cells = []
        for chips in data.values():
            r = rates(chips, floor, gate)
            cells.append(
                f"{r['short_f1']:>7.3f}{r['short_em']:>7.3f}{r['coverage']:>7.3f}"
                f"{r['offtopic_chips']:>7.3f}{utility(chips, floor, gate):>+10.4f}"
            )
        print(f"{floor:<8}" + "  ".join(cells))
    mean_u = {
        f: float(np.mean([utility(data[n], f, gate) for n in fit if n in data])) for f in floors
    }
    best = max(floors, key=lambda f: (round(mean_u[f], 4), -f))
    print(f"\nfloor fitted on {','.join(fit)}: {best}")
    print(json.dumps({n: rates(c, best, gate) for n, c in data.items()}, indent=1))


if __name__ == "__main__":
    main()
