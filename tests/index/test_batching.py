"""Index texts are embedded once each, in length-sorted batches, returned in the callers' order."""

from __future__ import annotations

import numpy as np

from index.batching import embed_distinct


def test_each_distinct_text_once_rows_in_callers_order() -> None:
    calls: list[list[str]] = []

    def embed(batch: list[str]) -> np.ndarray:
        calls.append(batch)
        return np.array([[len(t), ord(t[0])] for t in batch], np.float32)

    texts = ["ccc", "a", "bb", "ccc", "dddd", "a", "e"]
    out = embed_distinct(embed, texts, batch_size=2, dim=2)
    assert out.tolist() == [[len(t), ord(t[0])] for t in texts]
    embedded = [t for b in calls for t in b]
    assert sorted(embedded) == sorted(set(texts))  # duplicates went to the model once
    assert [len(t) for t in embedded] == sorted(len(t) for t in embedded)
    assert all(len(b) <= 2 for b in calls)


def test_no_text_no_call() -> None:
    def embed(batch: list[str]) -> np.ndarray:
        raise AssertionError("the model must not be called")

    assert embed_distinct(embed, [], batch_size=16, dim=3).shape == (0, 3)
