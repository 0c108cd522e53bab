"""FAISS exact vs Milvus (milvus-lite, FLAT) at 100k vectors, and the local BM25 side at 100k
passages: ``python -m bench.milvus [--n 100000] [--queries 200]``.

Both stores run through kotae's own classes (``FaissStore``, ``MilvusStore``), so the numbers
include what kotae adds (id mapping, filter expressions). Vectors are seeded random unit
vectors of the default model's size; queries are perturbed collection vectors. Recall@10 is
against exact numpy search. Memory is this process's RSS growth while the store is built:
milvus-lite 3 runs in-process (pure Python behind a local gRPC server); a Milvus server would
hold the vectors in its query nodes instead.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np

from bench.machine import memory_mb
from bench.stats import latency_summary, seconds_of, time_each
from bench.table import Row, render
from index.lexical import JapaneseTokenizer, LexicalIndex
from index.stores.faiss import FaissStore
from index.stores.milvus import MilvusStore, MilvusTarget, chunk_keys
from ingest.chunker import Chunker
from ingest.reader import read_corpus
from ingest.records import Chunk

DIM = 384
K = 10
ROOT = Path(__file__).resolve().parents[1]


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return float(
        np.mean(
            [
                len(set(f[:K].tolist()) & set(t.tolist())) / K
                for f, t in zip(found, truth, strict=True)
            ]
        )
    )


def dense_rows(n: int, n_queries: int) -> list[Row]:
    rng = np.random.default_rng(0)
    vectors = unit(rng.standard_normal((n, DIM)))
    noise = rng.standard_normal((n_queries, DIM)) / np.sqrt(DIM)
    queries = unit(vectors[rng.integers(0, n, n_queries)] + noise)

    before = memory_mb()["RSS MiB"]
    faiss_store, faiss_s = seconds_of(lambda: FaissStore.from_vectors(vectors, "flat"))
    faiss_mb = memory_mb()["RSS MiB"] - before
    faiss_found: list[np.ndarray] = []
    faiss_ms = time_each(lambda q: faiss_found.append(faiss_store.search(q, K)[0]), queries)

    folder = Path(tempfile.mkdtemp(prefix="kotae-bench-milvus-"))
    try:
        chunks = [Chunk(f"doc{i // 50}.txt", i, i + 1, f"p{i}", "2024-01-01") for i in range(n)]
        target = MilvusTarget(str(folder / "bench.db"), "bench_chunks")
        store = MilvusStore(target, chunk_keys(chunks), DIM)
        before = memory_mb()["RSS MiB"]
        _, milvus_s = seconds_of(lambda: store.upsert(chunks, vectors))
        milvus_mb = memory_mb()["RSS MiB"] - before
        milvus_found: list[np.ndarray] = []
        milvus_ms = time_each(lambda q: milvus_found.append(store.search(q, K)[0]), queries)
        disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :K]
    return [
        _row(
            "FAISS exact (IndexFlatIP)", n, faiss_s, faiss_ms, recall(faiss_found, truth), faiss_mb
        ),
        _row(
            "Milvus-lite FLAT (MilvusStore)",
            n,
            milvus_s,
            milvus_ms,
            recall(milvus_found, truth),
            milvus_mb,
            f"{disk:.0f} MiB on disk",
        ),
    ]


def _row(
    case: str, n: int, build_s: float, ms: list[float], rec: float, mem: float, note: str = ""
) -> Row:
    lat = latency_summary(ms)
    return Row(
        "dense top-10",
        case,
        {
            "vectors": n,
            "build s": build_s,
            "p50 ms": lat["p50 ms"],
            "p99 ms": lat["p99 ms"],
            "recall@10": rec,
            "memory MiB": mem,
        },
        note,
    )


def lexical_row(n: int, queries: list[str]) -> Row:
    """The local BM25 index at ``n`` passages: the corpus passages repeated (each passage is
    tokenised once), so the vocabulary is the corpus's and the postings ``n`` long."""
    documents, _ = read_corpus(ROOT / "corpus", 50 * 2**20)
    chunker = Chunker(400, 80)
    texts = [c.text for d in documents for c in chunker.split(d)]
    texts = [texts[i % len(texts)] + f" p{i}" for i in range(n)]
    tokenizer = _CachingTokenizer()
    index, build_s = seconds_of(lambda: LexicalIndex.build(texts, tokenizer))
    ms = time_each(index.scores, queries)
    folder = Path(tempfile.mkdtemp(prefix="kotae-bench-bm25-"))
    try:
        index.save(folder / "lexical")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lat = latency_summary(ms)
    return Row(
        "lexical (local bm25s, all passages scored)",
        "LexicalIndex.scores",
        {
            "passages": n,
            "build s": build_s,
            "p50 ms": lat["p50 ms"],
            "p99 ms": lat["p99 ms"],
            "on disk MiB": size,
        },
        "build excludes Sudachi (each distinct passage tokenised once)",
    )


class _CachingTokenizer(JapaneseTokenizer):
    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        base, _, suffix = text.rpartition(" p")
        key = base if suffix.isdigit() else text
        if key not in self._seen:
            self._seen[key] = super().tokens(key)
        return self._seen[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    questions = [
        "普天間飛行場の移設先は？",
        "２＋２の正式名称は？",
        "拡大抑止",
        "嘉手納以南の土地返還",
        "Who attended from the US side in May 2007?",
        "Futenma relocation",
    ] * max(1, args.queries // 6)
    rows = dense_rows(args.n, args.queries) + [lexical_row(args.n, questions)]
    print(render(rows))


if __name__ == "__main__":
    main()
