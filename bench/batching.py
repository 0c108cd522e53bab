"""Is one model call for n questions cheaper than n calls? The premise of micro-batching.

Both sides embed the same n never-repeated questions, interleaved repetition by repetition
so load on a shared machine hits both alike; the medians are compared. A ratio near 1 means
the model's cost is per token, and batching can only save the per-call overhead.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Iterator

from bench.models import Model
from bench.stats import seconds_of
from bench.table import Row

SECTION = "2b. Query batching: n questions in one model call vs n calls, same questions"


def batching_rows(
    model: Model, questions: Iterator[str], sizes: tuple[int, ...], repeat: int
) -> list[Row]:
    embed = model.embedder.embed_queries
    embed(["warm-up", "ウォームアップ"])
    together: dict[int, list[float]] = {n: [] for n in sizes}
    apart: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(repeat):
        for n in sizes:
            batch = list(itertools.islice(questions, n))
            together[n].append(_ms(embed, [batch]))
            apart[n].append(_ms(embed, [[q] for q in batch]))
    single = statistics.median(apart[sizes[0]]) / sizes[0]
    rows = []
    for n in sizes:
        one, many = statistics.median(together[n]), statistics.median(apart[n])
        values: dict[str, float | int | str | None] = {
            "questions": n,
            "one call ms": one,
            "n calls ms": many,
            "one call ÷ n calls": one / many,
            "ms per question, one call": one / n,
            "per question ÷ single call": one / n / single,
        }
        rows.append(Row(SECTION, f"{model.label}, {n} question(s)", values, f"median of {repeat}"))
    return rows


def _ms(embed: Callable[[list[str]], object], calls: list[list[str]]) -> float:
    """Milliseconds for one model call per list in ``calls``."""
    return seconds_of(lambda: [embed(texts) for texts in calls])[1] * 1000
