"""Where the answering sentence is when the first quoted line misses it (issue 15).

    python -m lab.answer_misses            # JSQuAD dev set
    python -m lab.answer_misses --set twoplus --show

Each question is asked as ``/api/ask`` answers it (top 5, the served scores and quotes); a
question whose first line does not hold a gold answer is counted by what happened: the answer
is quoted on a later line or only among the unquoted candidates — then where the best-scored
answering candidate sits against the first line (next / previous sentence of the same passage,
elsewhere in that passage, another passage of the same document, another document) — or no
candidate holds it, or the answer was "not found". Tags on the first line: it restates the
question (character bigram cover ≥ 0.6), names another year, is a heading, misses the kind
asked for that the answering one has.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from kotae.eval.answers import holds_answer
from kotae.eval.questions import load_questions
from kotae.service.engine import Engine
from kotae.service.sentences import FEATURES, Scored, headings, score_candidates
from kotae.settings import Settings
from lab.fit_answers import COLLECTIONS


def where(scored: Scored, first: int, gold: int, doc_of: list[str]) -> str:
    a, b = scored.candidates[first], scored.candidates[gold]
    if a.n == b.n:
        return {1: "next sentence", -1: "previous sentence"}.get(b.row - a.row, "same passage")
    return "same document" if doc_of[a.n - 1] == doc_of[b.n - 1] else "other document"


def tags(scored: Scored, first: int, gold: int, heading: bool) -> tuple[str, ...]:
    x, g = scored.features[first], scored.features[gold]
    out = []
    if x[FEATURES.index("char_cover")] >= 0.6:
        out.append("restates the question")
    if x[FEATURES.index("year_conflict")]:
        out.append("another year")
    if heading:
        out.append("heading")
    if x[FEATURES.index("type_miss")] and not g[FEATURES.index("type_miss")]:
        out.append("kind asked only in the answering one")
    return tuple(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="jsquad", choices=sorted(COLLECTIONS))
    parser.add_argument("--show", action="store_true", help="Print each miss.")
    args = parser.parse_args(argv)
    corpus, questions, index = COLLECTIONS[args.set]
    engine = Engine(Settings(corpus_dir=corpus, index_dir=Path(index)))
    snap = engine.load()
    docs = {d: doc.text for d, doc in snap.documents.items()}
    groups: Counter[str] = Counter()
    tagged: Counter[tuple[str, ...]] = Counter()
    asked = load_questions(questions, docs)
    for q in asked:
        gold = [a for answers in q.relevant.values() for a in answers]
        hits = engine.search(q.question, 5)
        answer = engine.compose(q.question, hits)
        if not answer.found:
            groups["not found"] += 1
            continue
        if holds_answer(answer.quotes[0].text, gold):
            continue
        scored = score_candidates(q.question, hits, snap, engine.encoder(q.question))
        spans = [(c.n, c.start) for c in scored.candidates]
        first = spans.index((answer.quotes[0].n, answer.quotes[0].start))
        order = sorted(range(len(spans)), key=lambda i: -scored.scores[i])
        answering = [i for i in order if holds_answer(scored.candidates[i].text, gold)]
        if not answering:
            groups["no candidate holds the answer"] += 1
            continue
        kind = "later line" if holds_answer(answer.text, gold) else "not quoted"
        doc_of = [h.chunk.doc_id for h in hits]
        groups[f"{kind}: {where(scored, first, answering[0], doc_of)}"] += 1
        heading = bool(headings(hits, scored.candidates, snap)[first])
        tagged[(kind, *tags(scored, first, answering[0], heading))] += 1
        if args.show:
            print(f"{q.id} [{kind}] {q.question}\n  1st: {answer.quotes[0].text[:80]}")
            print(f"  ans: {scored.candidates[answering[0]].text[:80]}")
    print(f"{args.set}: {len(asked)} questions, first line misses {sum(groups.values())}")
    for name, n in sorted(groups.items()):
        print(f"{n:5d}  {name}")
    for tag, n in tagged.most_common():
        print(f"{n:5d}  {' / '.join(tag)}")


if __name__ == "__main__":
    main()
