"""A peer in the same run: txtai over the same MiniLM folder and the same passages as kotae.

txtai is not a kotae dependency; install it for the benchmark with
``pip install -r bench/requirements.txt``. Without it the section says so and is skipped.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from bench.indexing import BuildRun
from bench.models import Model
from bench.stats import latency_summary, seconds_of, time_each
from bench.table import Row
from kotae.index.stores.faiss import FaissStore
from kotae.ingest.chunker import Chunker
from kotae.ingest.reader import read_corpus
from kotae.service.engine import Engine

SECTION = "6. Peer: txtai vs kotae (same MiniLM folder, same passages, same run)"
K = 10


def txtai_version() -> str | None:
    if importlib.util.find_spec("txtai") is None:
        return None
    return importlib.metadata.version("txtai")


def missing_row() -> Row:
    return Row(
        SECTION,
        "txtai",
        {"build s": None, "search p50 ms": None},
        "not installed: pip install -r bench/requirements.txt",
    )


def peer_rows(
    model: Model,
    model_dir: Path,
    corpus_dir: Path,
    where: str,
    ours_full: BuildRun,
    questions: list[str],
) -> list[Row]:
    """txtai's build and search beside ours; ``ours_full`` is our IndexBuilder run on the
    same corpus with the same model, measured earlier in this run."""
    from txtai import Embeddings

    settings = model.settings
    documents, _ = read_corpus(corpus_dir)
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    passages = [c.text for d in documents for c in chunker.split(d)]
    config: dict[str, Any] = {
        "path": str(model_dir),
        "method": "sentence-transformers",
        "content": False,
        "backend": "faiss",
    }
    txtai, load_s = seconds_of(lambda: Embeddings(config))
    txtai.transform("warm-up")
    model.embedder.embed_passages(["warm-up"])
    txtai_build = seconds_of(lambda: txtai.index(passages))[1]
    txtai_ms = time_each(lambda q: txtai.search(q, K), questions)
    ours_vectors = seconds_of(lambda: _embed_and_store(model, passages))[1]
    dense_ms = _ours_search(model, ours_full.index_dir, corpus_dir, "dense", questions)
    hybrid_ms = _ours_search(model, ours_full.index_dir, corpus_dir, "hybrid", questions)
    txtai_p50 = latency_summary(txtai_ms)["p50 ms"]

    def row(case: str, build_s: float | None, ms: list[float], note: str) -> Row:
        p50 = latency_summary(ms)["p50 ms"]
        return Row(
            SECTION,
            f"{where}: {case}",
            {
                "passages": len(passages),
                "build s": build_s,
                "build: txtai ÷ this": txtai_build / build_s if build_s else None,
                "search p50 ms": p50,
                "search p95 ms": latency_summary(ms)["p95 ms"],
                "search: txtai ÷ this": txtai_p50 / p50,
            },
            note,
        )

    return [
        row(
            f"txtai {txtai_version()}",
            txtai_build,
            txtai_ms,
            f"Embeddings(content=False, faiss); model load {load_s:.1f} s not counted",
        ),
        row(
            "kotae, same work (passage vectors + FaissStore), dense search",
            ours_vectors,
            dense_ms,
            f"search: Retriever dense, top {K}, uncached query",
        ),
        row(
            "kotae IndexBuilder (+ sentences, BM25, write), hybrid search",
            ours_full.seconds,
            hybrid_ms,
            "what `kotae index` does; search: Retriever hybrid, uncached query",
        ),
    ]


def _embed_and_store(model: Model, passages: list[str]) -> FaissStore:
    size = model.settings.batch_size
    vectors = [
        model.embedder.embed_passages(passages[i : i + size]) for i in range(0, len(passages), size)
    ]
    return FaissStore.from_vectors(np.vstack(vectors), "flat")


def _ours_search(
    model: Model, index_dir: Path, corpus_dir: Path, kind: str, questions: list[str]
) -> list[float]:
    settings = model.settings.model_copy(
        update={"index_dir": index_dir, "corpus_dir": corpus_dir, "retriever": kind}
    )
    engine = Engine(settings, model.embedder)  # a fresh Engine: empty query cache
    engine.load()
    return time_each(lambda q: engine.search(q, K), questions)
