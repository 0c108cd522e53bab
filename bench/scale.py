"""Vector search at scale: exact (flat) vs HNSW vs IVF on synthetic 384-d collections.

Each synthetic vector is a perturbed copy of a real passage or sentence embedding,
renormalised. The perturbation is a random mix of differences between real embeddings (so
it varies along the directions real embeddings vary in) plus a little isotropic noise, scaled
so a copy is as close to its source as a real passage is to its nearest real neighbour.
Isotropic noise alone would spread the copies over all 384 dimensions, a much harder and
less realistic distribution for approximate search. Queries are real question embeddings
(the eval questions and their rephrasings), as the service would search with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import faiss
import numpy as np

from bench.stats import latency_summary, seconds_of, time_each
from bench.table import Row
from kotae.index.stores.faiss import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M

SECTION = "4. Scale: 384-d vectors, one query at a time, k=10"
K = 10
POOL = 50  # what the Retriever asks the store for at top_k=5
EXACT_BUDGET_MS = 5.0  # share of the ~30 ms /api/ask budget the vector search may take
EXACT_TIMED_QUERIES = 50  # exact search at 1M takes ~0.1-0.3 s a query


def perturbation_scale(base: np.ndarray, rng: np.random.Generator) -> float:
    """The scale at which a copy's cosine to its source is the median real nearest-neighbour
    cosine (tan of that angle, over the typical length of a difference of two embeddings)."""
    sims = base @ base.T
    np.fill_diagonal(sims, -1.0)
    nearest = float(np.median(sims.max(axis=1)))
    pairs = rng.integers(0, len(base), (2, 4096))
    diff = base[pairs[0]] - base[pairs[1]]
    return float(np.tan(np.arccos(nearest)) / np.sqrt((diff**2).sum(axis=1).mean()))


def synthetic_vectors(
    base: np.ndarray,
    n: int,
    rng: np.random.Generator,
    scale: float,
    terms: int = 3,
    noise: float = 0.005,
    block: int = 100_000,
) -> np.ndarray:
    """``n`` unit vectors, each a real vector moved along ``terms`` random real differences."""
    out = np.empty((n, base.shape[1]), np.float32)
    for lo in range(0, n, block):
        m = min(block, n - lo)
        v = base[rng.integers(0, len(base), m)].copy()
        for _ in range(terms):
            diff = base[rng.integers(0, len(base), m)] - base[rng.integers(0, len(base), m)]
            weight = rng.standard_normal((m, 1)).astype(np.float32) * (scale / np.sqrt(terms))
            v += weight * diff
        v += rng.normal(0, noise, v.shape).astype(np.float32)
        out[lo : lo + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def recall_within(found_scores: np.ndarray, true_scores: np.ndarray, eps: float = 1e-3) -> float:
    """Share of returned results scoring at least the true k-th score minus ``eps``: recall
    that forgives exchanging near-ties (ann-benchmarks counts neighbours this way)."""
    return float((found_scores >= true_scores[:, -1:] - eps).mean())


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    """Mean share of each query's true top ``k`` that the approximate top ``k`` contains."""
    hits = [
        len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth, strict=True)
    ]
    return float(np.mean(hits)) / k


def index_bytes(index: faiss.Index) -> int:
    """Memory the index holds: vectors plus graph links or inverted lists."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexHNSW):
        hnsw: Any = index.hnsw  # the SWIG vectors below are untyped
        links = (hnsw.neighbors.size() + hnsw.levels.size()) * 4 + hnsw.offsets.size() * 8
        return int(index_bytes(index.storage) + links)
    if isinstance(index, faiss.IndexIVF):  # codes + 8-byte ids per vector, plus centroids
        return int(index.ntotal * (index.code_size + 8) + index.nlist * index.d * 4)
    return int(index.ntotal * index.d * 4)


@dataclass(frozen=True)
class Collection:
    vectors: np.ndarray
    queries: np.ndarray
    truth: np.ndarray  # exact top-K ids per query
    truth_scores: np.ndarray  # and their scores


def _search_ms(index: faiss.Index, queries: np.ndarray, k: int) -> list[float]:
    return time_each(lambda q: index.search(q.reshape(1, -1), k), queries)


def _row(
    name: str, n: int, build_s: float, index: faiss.Index, c: Collection, timed: int = 1000
) -> Row:
    """Latency over (up to ``timed``) single-query searches; recall over every query."""
    summary = latency_summary(_search_ms(index, c.queries[:timed], K))
    pool = latency_summary(_search_ms(index, c.queries[:timed], POOL))
    scores, found = index.search(c.queries, K)
    return Row(
        SECTION,
        f"{n:,}: {name}",
        {
            "build s": build_s,
            "p50 ms": summary["p50 ms"],
            "p95 ms": summary["p95 ms"],
            f"p50 ms, k={POOL}": pool["p50 ms"],
            "recall@10": recall_at_k(found, c.truth),
            "recall@10 ±0.001": recall_within(scores, c.truth_scores),
            "memory MiB": index_bytes(index) / 2**20,
        },
    )


def threshold_row(rows: Sequence[Row], budget_ms: float = EXACT_BUDGET_MS) -> Row | None:
    """Where exact search would pass ``budget_ms``: its cost is linear in the collection size,
    so the per-vector cost is taken from the largest collection measured."""
    exact = [r for r in rows if "exact" in r.case and isinstance(r.values.get("p50 ms"), float)]
    if not exact:
        return None
    largest = max(exact, key=lambda r: int(r.case.split(":")[0].replace(",", "")))
    n = int(largest.case.split(":")[0].replace(",", ""))
    ms_per_vector = float(largest.values["p50 ms"]) / n  # type: ignore[arg-type]
    crossover = budget_ms / ms_per_vector
    return Row(
        SECTION,
        f"exact search reaches {budget_ms:g} ms p50 at ≈ {_round(crossover):,} vectors",
        {"p50 ms": budget_ms},
        f"linear from {n:,}: {ms_per_vector * 1e6:.0f} ns per vector; suggested hnsw_threshold",
    )


def _round(n: float) -> int:
    """Two significant digits: a threshold, not a measurement."""
    digits = max(0, len(str(int(n))) - 2)
    return int(round(n, -digits))


def scale_rows(
    base: np.ndarray,
    queries: np.ndarray,
    sizes: Sequence[int],
    ef_search: Sequence[int],
    nprobe: Sequence[int],
    other_hnsw: Sequence[tuple[int, int, int]] = (),
    seed: int = 0,
) -> list[Row]:
    """``base``: real passage/sentence vectors to copy; ``queries``: real question vectors;
    ``other_hnsw``: (M, efConstruction, up to n) graphs to compare with the store's."""
    rows = []
    for n in sizes:
        rng = np.random.default_rng(seed)
        vectors = synthetic_vectors(base, n, rng, perturbation_scale(base, rng))
        flat, flat_s = seconds_of(partial(_flat, vectors))
        true_scores, truth = flat.search(queries, K)
        collection = Collection(vectors, queries, truth, true_scores)
        rows.append(_row("exact (IndexFlatIP)", n, flat_s, flat, collection, EXACT_TIMED_QUERIES))
        del flat
        rows += _hnsw_rows(n, collection, ef_search)
        for m, ef_construction, up_to in other_hnsw:
            if n <= up_to:
                rows += _hnsw_rows(n, collection, ef_search, m, ef_construction)
        rows += _ivf_rows(n, collection, nprobe)
    threshold = threshold_row(rows)
    return rows + ([threshold] if threshold else [])


def _flat(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _hnsw_rows(
    n: int,
    c: Collection,
    ef_search: Sequence[int],
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
) -> list[Row]:
    """An HNSW graph (by default the store's M and efConstruction) at several efSearch."""
    index = faiss.IndexHNSWFlat(c.vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    build_s = seconds_of(lambda: index.add(c.vectors))[1]
    store = (m, ef_construction) == (HNSW_M, HNSW_EF_CONSTRUCTION)
    rows = []
    for ef in sorted({HNSW_EF_SEARCH, *ef_search} if store else set(ef_search)):
        index.hnsw.efSearch = ef
        default = " (store default)" if store and ef == HNSW_EF_SEARCH else ""
        name = f"HNSW M={m} efC={ef_construction} efSearch={ef}{default}"
        rows.append(_row(name, n, build_s, index, c))
    return rows


def _ivf_rows(n: int, c: Collection, nprobe: Sequence[int]) -> list[Row]:
    """IVF-Flat with about sqrt(n) lists, trained on a sample of 32 vectors per list."""
    d = c.vectors.shape[1]
    nlist = max(16, int(math.sqrt(n)))
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = c.vectors[np.random.default_rng(1).choice(n, min(n, 32 * nlist), replace=False)]

    def build() -> None:
        index.train(sample)
        index.add(c.vectors)

    build_s = seconds_of(build)[1]
    rows = []
    for p in nprobe:
        index.nprobe = p
        rows.append(_row(f"IVF-Flat nlist={nlist} nprobe={p}", n, build_s, index, c))
    return rows
