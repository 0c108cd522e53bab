"""Fit the follow-up :class:`~service.followup.Tuning` on both dev collections' follow-up sets.

Run: ``python -m eval.followup_sweep`` (prints a Markdown table; the chosen row is the best
mean Recall@1 with history over the dependent second questions of both sets among those whose
Recall@5 with history is not below Recall@5 asked alone on either set).
"""

from __future__ import annotations

import itertools
from pathlib import Path

from eval.followups import score_followups, summary
from index.search import Retriever
from kotae.settings import Settings
from service.engine import Engine
from service.followup import Tuning

ROOT = Path(__file__).resolve().parents[1]
SETS = (
    ("2+2", ROOT / "corpus", Path("/work/idx/twoplus/index"), ROOT / "eval/followups.jsonl"),
    (
        "jsquad",
        Path("/work/shared/dev-sets/jsquad-test/corpus"),
        Path("/work/idx/jsquad/index"),
        ROOT / "eval/followups-jsquad.jsonl",
    ),
)
GRID = {"own_weight": (1, 2, 3), "context_passages": (0, 2, 3, 5), "max_carried": (2, 4, 6)}


def main() -> None:
    retrievers: list[tuple[str, Retriever, Path]] = []
    for name, corpus, index, followups in SETS:
        engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
        engine.ensure_index()
        engine.load()
        retrievers.append((name, engine.loaded.retriever, followups))
    print(
        "| own_weight | context_passages | max_carried | "
        + " | ".join(f"{n} dep R@1 / R@5 | {n} standalone R@1" for n, _, _ in retrievers)
        + " | ok |"
    )
    print("|" + "---|" * (4 + 2 * len(retrievers)))
    for values in itertools.product(*GRID.values()):
        tuning = Tuning(**dict(zip(GRID, values, strict=True)))
        cells, ok = [], True
        for _, retriever, path in retrievers:
            table = summary(score_followups(retriever, path, tuning))
            dep, alone = table["dependent"], table["standalone"]
            ok &= dep["recall@5_history"] >= dep["recall@5_alone"]
            ok &= alone["recall@1_history"] >= alone["recall@1_alone"]
            cells.append(f"{dep['recall@1_history']:.3f} / {dep['recall@5_history']:.3f}")
            cells.append(f"{alone['recall@1_history']:.3f}")
        print(
            "| "
            + " | ".join(str(v) for v in values)
            + " | "
            + " | ".join(cells)
            + f" | {'yes' if ok else 'no'} |"
        )


if __name__ == "__main__":
    main()
