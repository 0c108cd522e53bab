"""Variant pairs: the same question in two spellings (ゴミ/ごみ, PC/パソコン, 申込/申し込み,
２＋２/2+2) should find the same passage and make the same not-found decision.

A variant file is a question file (see :mod:`eval.questions`) whose ids pair up: ``vf01a`` and
``vf01b`` are one question in two spellings. Reported: the share of pairs whose top passage
and found decision agree, and per pair what differed. Retrieval and answer metrics of the
same file come from ``kotae eval --questions`` as for any question file.

    python -m lab.variants lab/variants-faq.jsonl --corpus eval/dev-sets/faq/corpus \
        --index-dir /work/idx/words5/faq/index
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outcome:
    question: str
    top: int  # chunk id of the first passage, -1 when none
    found: bool
    confidence: float


def pairs(lines: list[dict[str, str]]) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(first, second) spelling of every pair, by id without its last letter."""
    by_pair: dict[str, list[dict[str, str]]] = {}
    for line in lines:
        by_pair.setdefault(line["id"][:-1], []).append(line)
    return [(a, b) for a, b in (sorted(v, key=lambda x: x["id"]) for v in by_pair.values())]


def agreement(outcomes: list[tuple[Outcome, Outcome]]) -> dict[str, float]:
    """Shares of pairs with the same top passage, the same decision, and both."""
    n = len(outcomes) or 1
    same_top = sum(a.top == b.top for a, b in outcomes)
    same_found = sum(a.found == b.found for a, b in outcomes)
    both = sum(a.top == b.top and a.found == b.found for a, b in outcomes)
    return {
        "pairs": len(outcomes),
        "same_top": same_top / n,
        "same_found": same_found / n,
        "agree": both / n,
    }


def main() -> None:
    from kotae.index.search import Hit
    from kotae.service.engine import Engine
    from kotae.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index-dir", type=Path, required=True)
    args = ap.parse_args()
    engine = Engine(Settings(corpus_dir=args.corpus, index_dir=args.index_dir))
    engine.ensure_index()
    engine.load()

    def ask(question: str) -> Outcome:
        answer = engine.ask(question, 5)
        hits: list[Hit] = [c.hit for c in answer.citations]
        top = hits[0].chunk_id if hits else -1
        return Outcome(question, top, answer.found, answer.confidence)

    lines = [json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x]
    outcomes = [(ask(a["question"]), ask(b["question"])) for a, b in pairs(lines)]
    for a, b in outcomes:
        mark = "=" if a.top == b.top and a.found == b.found else "≠"
        print(
            f"{mark} {a.question} [{a.top} {a.found} {a.confidence:.2f}]"
            f" | {b.question} [{b.top} {b.found} {b.confidence:.2f}]"
        )
    print(json.dumps(agreement(outcomes)))


if __name__ == "__main__":
    main()
