"""FAISS, milvus-lite and a Milvus server at 100k vectors, and the local BM25 side at 100k
passages: ``python -m bench.milvus [--n 100000] [--queries 200]``.

Every store runs through kotae's own classes (``FaissStore``, ``MilvusStore``), so the numbers
include what kotae adds (position mapping, filter expressions, the server round trip). Each
index kind kotae can choose is measured: exact (FLAT, what ``KOTAE_ANN=auto`` picks under
40,000 vectors) and HNSW (what it picks at 100k). Vectors are seeded random unit vectors of the
default model's size; queries are perturbed collection vectors. Recall@10 is against exact
numpy search. Build is FAISS's ``add``, or ``MilvusStore.upsert`` (insert, flush, build the
index, load: what `kotae index` waits for before publishing). Memory is this process's RSS
growth while the store is built (milvus-lite 3 runs in-process) or the server process's RSS
once loaded. The server is the standalone Milvus of the `milvus` package (v2.3.5), started on a
free loopback port with its data in a temporary folder and stopped by its PID at the end.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.machine import memory_mb
from bench.stats import latency_summary, seconds_of, time_each
from bench.table import Row, render
from kotae.index.lexical import JapaneseTokenizer, LexicalIndex
from kotae.index.stores.base import Kind, VectorStore
from kotae.index.stores.faiss import FaissStore
from kotae.index.stores.milvus import MilvusStore, MilvusTarget, index_choices, version_name
from kotae.ingest.chunker import Chunker
from kotae.ingest.reader import read_corpus
from kotae.ingest.records import Chunk

DIM = 384
K = 10
ROOT = Path(__file__).resolve().parents[1]
KINDS: tuple[Kind, ...] = ("flat", "hnsw")


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


def dense_rows(n: int, n_queries: int, server: bool = True) -> list[Row]:
    rng = np.random.default_rng(0)
    vectors = unit(rng.standard_normal((n, DIM)))
    noise = rng.standard_normal((n_queries, DIM)) / np.sqrt(DIM)
    queries = unit(vectors[rng.integers(0, n, n_queries)] + noise)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :K]
    chunks = [Chunk(f"doc{i // 50}.txt", i, i + 1, f"p{i}", "2024-01-01") for i in range(n)]

    def measure(case: str, build: Callable[[], VectorStore], pid: int | str = "self") -> Row:
        before = memory_mb()["RSS MiB"]
        store, build_s = seconds_of(build)
        mem = memory_mb(pid)["RSS MiB"] - (before if pid == "self" else 0)
        found: list[np.ndarray] = []
        ms = time_each(lambda q: found.append(store.search(q, K)[0]), queries)
        return _row(case, n, build_s, ms, recall(found, truth), mem)

    def milvus(uri: str, kind: Kind) -> Callable[[], VectorStore]:
        def build() -> VectorStore:
            target = MilvusTarget(uri, f"bench_{kind}")
            name = version_name(target.collection, kind, chunks, vectors)
            store = MilvusStore(target, name, kind, index_choices(kind, n), n, DIM)
            store.upsert(chunks, vectors)
            return store

        return build

    def faiss(kind: Kind) -> Callable[[], VectorStore]:
        return lambda: FaissStore.from_vectors(vectors, kind)

    rows = [measure(f"FAISS {kind} (FaissStore)", faiss(kind)) for kind in KINDS]
    folder = Path(tempfile.mkdtemp(prefix="kotae-bench-milvus-"))
    try:
        for kind in KINDS:
            rows.append(measure(f"milvus-lite {kind}", milvus(str(folder / f"{kind}.db"), kind)))
            size = sum(p.stat().st_size for p in (folder / f"{kind}.db").rglob("*") if p.is_file())
            rows[-1] = replace(rows[-1], note=f"{size / 2**20:.0f} MiB on disk")
        if server:
            rows += _server_rows(folder / "server", measure, milvus)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _server_rows(
    data_dir: Path,
    measure: Callable[..., Row],
    milvus: Callable[[str, Kind], Callable[[], VectorStore]],
) -> list[Row]:
    from tests.milvus_server import MilvusProcess  # the `milvus` package: `kotae[milvus]`

    data_dir.mkdir()
    server = MilvusProcess(data_dir)
    server.start()
    try:
        rows = []
        for kind in KINDS:
            row = measure(f"Milvus server {kind}", milvus(server.uri, kind), server.pid)
            rows.append(replace(row, note="server RSS, with every collection loaded so far"))
        return rows
    finally:
        server.stop()


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
    parser.add_argument("--no-server", action="store_true", help="skip the Milvus server rows")
    args = parser.parse_args()
    questions = [
        "普天間飛行場の移設先は？",
        "２＋２の正式名称は？",
        "拡大抑止",
        "嘉手納以南の土地返還",
        "Who attended from the US side in May 2007?",
        "Futenma relocation",
    ] * max(1, args.queries // 6)
    rows = dense_rows(args.n, args.queries, not args.no_server) + [lexical_row(args.n, questions)]
    print(render(rows))


if __name__ == "__main__":
    main()
