"""Latency statistics, reported the same way in every section."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), interpolating between closest ranks (numpy's linear)."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    return float(np.percentile(values, q))


def latency_summary(ms: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95 and p99 of latencies given in milliseconds."""
    return {
        "n": len(ms),
        "p50 ms": percentile(ms, 50),
        "p95 ms": percentile(ms, 95),
        "p99 ms": percentile(ms, 99),
    }


def time_each(fn: Callable[[T], object], items: Iterable[T]) -> list[float]:
    """Milliseconds of ``fn(item)`` for each item, one call at a time."""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def seconds_of(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()``'s result and its wall-clock duration in seconds."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started
