"""Fit the follow-up :class:`~service.followup.Tuning` on both dev collections' follow-up sets.

Run: ``python -m lab.followup_sweep`` (prints a Markdown table and the chosen row: the best
mean Recall@1 with history over the dependent second questions of both sets among those whose
Recall@5 with history is not below Recall@5 asked alone, whose standalone Recall@1 is not
below asked alone, and whose dependent Recall@1 is not below the current defaults', on either
set — a setting that wins one set by losing the other is a trade, not a gain; a tie keeps the
current defaults if they are among the best, else goes to the earlier row of the grid).
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

from kotae.eval.followups import score_followups, summary
from kotae.index.search import Retriever
from kotae.service.engine import Engine
from kotae.service.followup import Tuning
from kotae.settings import Settings

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
GRID: dict[str, tuple[Any, ...]] = {
    "own_weight": (1, 2, 3, 4),
    "english_own_weight": (1, 2, 3),
    "context_passages": (3, 5),
    "max_carried": (4, 6),
    "drop_titles": (False, True),
    "drop_pointers": (False, True),
}


def _retriever(corpus: Path, index: Path) -> Retriever:
    """The service's retriever, its searches cached: the grid repeats most of them."""
    engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
    engine.ensure_index()
    engine.load()
    retriever = engine.loaded.retriever
    retriever.search = functools.lru_cache(maxsize=None)(retriever.search)  # type: ignore[method-assign]
    return retriever


def main() -> None:
    retrievers = [(n, _retriever(c, i), f) for n, c, i, f in SETS]
    print(
        "| "
        + " | ".join(GRID)
        + " | "
        + " | ".join(f"{n} dep R@1 / R@5 | {n} standalone R@1" for n, _, _ in retrievers)
        + " | ok |"
    )
    print("|" + "---|" * (len(GRID) + 1 + 2 * len(retrievers)))
    rows: list[tuple[tuple[Any, ...], bool, list[float]]] = []
    for values in itertools.product(*GRID.values()):
        tuning = Tuning(**dict(zip(GRID, values, strict=True)))
        cells, ok, r1 = [], True, []
        for _, retriever, path in retrievers:
            table = summary(score_followups(retriever, path, tuning))
            dep, alone = table["dependent"], table["standalone"]
            ok &= dep["recall@5_history"] >= dep["recall@5_alone"]
            ok &= alone["recall@1_history"] >= alone["recall@1_alone"]
            r1.append(dep["recall@1_history"])
            cells.append(f"{dep['recall@1_history']:.3f} / {dep['recall@5_history']:.3f}")
            cells.append(f"{alone['recall@1_history']:.3f}")
        rows.append((values, ok, r1))
        print(
            "| "
            + " | ".join(str(v) for v in values)
            + " | "
            + " | ".join(cells)
            + f" | {'yes' if ok else 'no'} |",
            flush=True,
        )
    best = _choose(rows)
    if best is not None:
        print(f"\nchosen: {dict(zip(GRID, best[1], strict=True))} (mean R@1 {best[0]:.3f})")


def _choose(
    rows: list[tuple[tuple[Any, ...], bool, list[float]]],
) -> tuple[float, tuple[Any, ...]] | None:
    """The best mean dependent Recall@1 among the acceptable rows that lose on no set against
    the current defaults (see the module docstring)."""
    defaults = tuple(getattr(Tuning(), name) for name in GRID)
    floor = next((r1 for values, _, r1 in rows if values == defaults), None)
    best: tuple[float, tuple[Any, ...]] | None = None
    for values, ok, r1 in rows:
        ok &= floor is None or all(a >= b for a, b in zip(r1, floor, strict=True))
        mean = round(sum(r1) / len(r1), 6)
        if ok and (best is None or mean > best[0] or (mean == best[0] and values == defaults)):
            best = (mean, values)
    return best


if __name__ == "__main__":
    main()
