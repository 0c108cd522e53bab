"""How much each mode measures: ``--quick`` is a CI smoke test, the full mode is for the record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

SECTIONS = ("indexing", "query", "batching", "threads", "service", "scale", "peer")


@dataclass(frozen=True)
class Variant:
    """A way to start the server: its label in the table, module to run, extra environment."""

    label: str
    module: str = "kotae.cli.main"
    env: tuple[tuple[str, str], ...] = ()
    cached: bool = True  # also measure cached questions (only the model path differs otherwise)


DEFAULT = Variant("")
SERIAL = Variant("model calls serialised (bench.serial_server)", "bench.serial_server", (), False)
ONE_THREAD = Variant(
    "a call beside another on one thread (KOTAE_QUERY_THREADS=1)",
    env=(("KOTAE_QUERY_THREADS", "1"),),
    cached=False,
)
UNBATCHED = Variant(
    "before issue 18: one model call per request, concurrent (bench.unbatched_server)",
    "bench.unbatched_server",
    (),
    False,
)


@dataclass(frozen=True)
class Config:
    name: str
    corpus_files: int | None  # index only the first files of the corpus (None: all)
    corpus_chars: int | None  # ... cut to this many characters each
    questions: int | None  # the first eval questions only (None: all)
    repeat: int  # IndexBuilder vs bare embedder runs on the corpus (best of)
    big_batch: int | None  # also time the bare embedder at this batch size
    synthetic_chunks: int | None  # the ~20k-passage synthetic corpus (None: skipped)
    sample_files: int  # synthetic files embedded for real (the rest is projected)
    query_rounds: int  # passes over the eval questions per query-path stage
    clients: tuple[int, ...]
    load_seconds: float  # per service run
    embedding_samples: int  # bare query embeddings timed before and after the service runs
    batch_sizes: tuple[int, ...]  # questions per model call in the batching section
    batch_repeat: int  # interleaved repetitions of each batch size
    scale_sizes: tuple[int, ...]
    scale_queries: int
    ef_search: tuple[int, ...]
    nprobe: tuple[int, ...]
    other_hnsw: tuple[tuple[int, int, int], ...]  # (M, efConstruction, up to n) to compare
    peer_sample: bool  # txtai also on the synthetic sample, not only the corpus
    server_variants: tuple[Variant, ...]  # servers to compare with the default `kotae serve`
    threads_rounds: int = 2  # interleaved blocks per way of running calls (threads section)
    service_rounds: int = 0  # >0: all servers up at once, client levels interleaved, repeated
    minilm: bool = True  # also load (and measure) the sentence-transformers backend


QUICK = Config(
    name="quick",
    corpus_files=2,
    corpus_chars=1_500,
    questions=16,
    repeat=1,
    big_batch=None,
    synthetic_chunks=None,
    sample_files=0,
    query_rounds=1,
    clients=(1, 4, 16),
    load_seconds=0.75,
    embedding_samples=8,
    batch_sizes=(1, 4),
    batch_repeat=2,
    scale_sizes=(10_000,),
    scale_queries=50,
    ef_search=(),
    nprobe=(16,),
    other_hnsw=(),
    peer_sample=False,
    server_variants=(),
)

FULL = Config(
    name="full",
    corpus_files=None,
    corpus_chars=None,
    questions=None,
    repeat=2,
    big_batch=64,
    synthetic_chunks=20_000,
    sample_files=25,
    query_rounds=3,
    clients=(1, 4, 16),
    load_seconds=15.0,
    embedding_samples=40,
    batch_sizes=(1, 2, 4, 8, 16),
    batch_repeat=8,
    scale_sizes=(20_000, 100_000, 1_000_000),
    scale_queries=200,
    ef_search=(64, 128, 256, 512, 1024),
    nprobe=(16, 32, 64),
    other_hnsw=((32, 80, 100_000),),  # the store's efConstruction before this benchmark
    peer_sample=True,
    server_variants=(ONE_THREAD, UNBATCHED),
    threads_rounds=10,
)

# Issue 18's concurrency check in a few minutes: the service on a small index (retrieval is
# ~2 ms of a question either way), the default server and KOTAE_QUERY_THREADS=1 both up,
# client levels interleaved and repeated, so a shared machine's load hits both alike.
CONCURRENCY = dataclasses.replace(
    QUICK,
    name="concurrency",
    load_seconds=8.0,
    embedding_samples=30,
    batch_sizes=(1, 2, 4),
    batch_repeat=6,
    server_variants=(ONE_THREAD,),
    threads_rounds=6,
    service_rounds=2,
    minilm=False,
)
