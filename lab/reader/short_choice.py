"""Which short answer to give: the reader's span, the hand-fitted finder's, or a mix (issue 27).

    python -m lab.reader.short_choice NAME:CORPUS:QUESTIONS:INDEX [...]

For every question it asks the engine as /api/ask does (reader on), keeps the reader's span and
the finder's span on the same first quote, and scores each policy as kotae eval does (character
F1 / exact match against the golds, a missing answer scoring 0):
- reader: the reader's span, else the finder's (the engine's order);
- finder: the finder's span only (the reader off);
- finder first: the finder's span, else the reader's;
- kotae: what the product gives (``service.reading.short_choice``): for a Japanese question
  the finder's span when it lies inside the reader's (the reader found the region, the finder
  trims it), else the reader's; for any other question the finder first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kotae.eval.questions import load_questions
from kotae.eval.short_metrics import best_f1, exact
from kotae.service.engine import Engine
from kotae.service.reading import short_choice
from kotae.service.short_answer import ShortAnswer, ShortAnswerFinder, short_answer_of
from kotae.service.turn import Answering, Turn
from kotae.settings import Settings

POLICIES = ("reader", "finder", "finder first", "kotae")


def choose(
    policy: str, question: str, reader: ShortAnswer | None, hand: ShortAnswer | None
) -> str | None:
    if policy == "finder":
        picked = hand
    elif policy == "finder first":
        picked = hand or reader
    elif policy == "kotae":
        picked = short_choice(question, reader, hand)
    else:
        picked = reader or hand
    return picked.text if picked else None


def study(spec: str) -> dict[str, tuple[float, float]]:
    _name, corpus, questions, index = spec.split(":")
    engine = Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index)))
    snap = engine.load()
    answering = Answering(engine)
    docs = {d: doc.text for d, doc in snap.documents.items()}
    finder = ShortAnswerFinder(snap.lexical)
    sums = {p: [0.0, 0.0] for p in POLICIES}
    qs = load_questions(Path(questions), docs)
    for q in qs:
        asked = answering.read(Turn(q.question))
        hits = engine.search(asked.text, 5, asked.filters)
        answer = engine.compose(asked.text, hits)  # the reader's span only (no fallback yet)
        reader = answer.short
        hand = short_answer_of(answer, finder, snap.documents)
        for p in POLICIES:
            text = choose(p, asked.text, reader, hand)
            sums[p][0] += best_f1(text, q.golds)
            sums[p][1] += exact(text, q.golds)
    return {p: (f / len(qs), e / len(qs)) for p, (f, e) in sums.items()}


def main() -> None:
    for spec in sys.argv[1:]:
        out = study(spec)
        cells = "  ".join(f"{p}: F1 {f:.3f} EM {e:.3f}" for p, (f, e) in out.items())
        print(f"{spec.split(':')[0]:<10} {cells}", flush=True)


if __name__ == "__main__":
    main()
