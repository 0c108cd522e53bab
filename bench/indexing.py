"""Indexing throughput: the embedder alone on a batch vs IndexBuilder end to end.

The builder is handed a :class:`TimedEmbedder`, so the exact batches it embedded can be
replayed through the bare embedder: the ratio of the two times is how close indexing gets to
what the model itself can do, and the time outside the embedder is the builder's own work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from bench.models import Model, RandomEmbedder, TimedEmbedder
from bench.stats import seconds_of
from bench.table import Row, Value
from bench.targets import BEFORE_CASE
from bench.workload import SyntheticCorpus, subset_folder, write_synthetic_corpus
from kotae.index.builder import IndexBuilder
from kotae.ingest.chunker import Chunker
from kotae.ingest.reader import read_corpus
from kotae.ingest.text import split_sentences

SECTION = "1. Indexing"
COLUMNS = ["passages", "texts", "tokens", "s", "passages/s", "texts/s", "tokens/s"]
COLUMNS += ["of embedder %", "in embedder %"]


def _values(values: dict[str, Value]) -> dict[str, Value]:
    """Every indexing row has the same columns in the same order (None where not measured)."""
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown indexing column(s) {sorted(unknown)}")
    return {c: values.get(c) for c in COLUMNS}


@dataclass(frozen=True)
class BuildRun:
    index_dir: Path
    seconds: float
    embed_seconds: float
    chunks: int
    batches: list[list[str]]

    @property
    def texts(self) -> int:
        return sum(len(b) for b in self.batches)


def build_once(model: Model, corpus_dir: Path, index_dir: Path) -> BuildRun:
    """One full IndexBuilder.build (read, chunk, embed, FAISS, BM25, write, swap)."""
    settings = model.settings.model_copy(update={"corpus_dir": corpus_dir, "index_dir": index_dir})
    timed = TimedEmbedder(model.embedder)
    builder = IndexBuilder(settings, timed, progress=lambda **kw: tqdm(disable=True, **kw))
    report, seconds = seconds_of(builder.build)
    return BuildRun(index_dir, seconds, timed.seconds, report.chunks, timed.batches)


def replay(model: Model, batches: list[list[str]]) -> float:
    """Seconds for the bare embedder to embed exactly these batches."""
    return seconds_of(lambda: [model.embedder.embed_passages(b) for b in batches])[1]


def rebatch(batches: list[list[str]], size: int) -> list[list[str]]:
    texts = [t for b in batches for t in b]
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def compare(
    model: Model,
    corpus_dir: Path,
    workdir: Path,
    where: str,
    repeat: int = 1,
    big_batch: int | None = None,
) -> tuple[list[Row], BuildRun]:
    """Builder vs bare embedder on the same texts, best of ``repeat`` (interleaved) runs each."""
    tag = re.sub(r"\W+", "-", f"{model.embedder.name} {where}").strip("-")
    model.embedder.embed_passages(["warm-up", "ウォームアップ"])
    builds: list[BuildRun] = []
    raw: list[float] = []
    for r in range(repeat):
        builds.append(build_once(model, corpus_dir, workdir / f"{tag}-{r}" / "index"))
        raw.append(replay(model, builds[-1].batches))
    best = min(builds, key=lambda b: b.seconds)
    raw_s = min(raw)
    tokens = sum(model.count_tokens(t) for b in best.batches for t in b)
    size = max(len(b) for b in best.batches)
    name = f"{model.label}, {where}"
    rows = [
        _rate_row(f"{name}: embedder alone, batches of {size}", best.texts, tokens, raw_s),
        Row(
            SECTION,
            f"{name}: IndexBuilder end to end",
            _values(
                {
                    "passages": best.chunks,
                    "texts": best.texts,
                    "tokens": tokens,
                    "s": best.seconds,
                    "passages/s": best.chunks / best.seconds,
                    "texts/s": best.texts / best.seconds,
                    "tokens/s": tokens / best.seconds,
                    "of embedder %": 100 * raw_s / best.seconds,
                    "in embedder %": 100 * best.embed_seconds / best.seconds,
                }
            ),
            f"best of {repeat}" if repeat > 1 else "",
        ),
    ]
    legacy = legacy_texts(model, corpus_dir)
    size = model.settings.batch_size
    legacy_s = replay(model, rebatch([legacy], size))
    legacy_tokens = sum(model.count_tokens(t) for t in legacy)
    before = _rate_row(f"{name}{BEFORE_CASE}", len(legacy), legacy_tokens, legacy_s)
    rows.insert(0, replace(before, note=f"batches of {size}, as `kotae index` embedded before"))
    if big_batch:
        batches = rebatch(best.batches, big_batch)
        big_s = replay(model, batches)
        rows.insert(
            1,
            _rate_row(f"{name}: embedder alone, batches of {big_batch}", best.texts, tokens, big_s),
        )
    return rows, best


def legacy_texts(model: Model, corpus_dir: Path) -> list[str]:
    """What the builder sent to the model before issue 18: per document its passages, then
    its distinct sentence spans, documents in corpus order, repeated texts included."""
    settings = model.settings
    documents, _ = read_corpus(corpus_dir, int(settings.max_file_mb * 2**20))
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    texts: list[str] = []
    for doc in documents:
        chunks = chunker.split(doc)
        spans = {span for c in chunks for span in split_sentences(doc.text, c.start, c.end)}
        texts += [c.text for c in chunks] + [doc.text[s:e] for s, e in sorted(spans)]
    return texts


def _rate_row(case: str, texts: int, tokens: int, seconds: float) -> Row:
    return Row(
        SECTION,
        case,
        _values(
            {
                "texts": texts,
                "tokens": tokens,
                "s": seconds,
                "texts/s": texts / seconds,
                "tokens/s": tokens / seconds,
            }
        ),
        "passages + their sentences, as the builder embeds them",
    )


def synthetic(
    models: list[Model],
    corpus_dir: Path,
    workdir: Path,
    n_chunks: int,
    sample_files: int,
    builds: dict[tuple[str, Path], BuildRun],
) -> list[Row]:
    """~``n_chunks`` synthetic passages: the builder's own work measured at full size (random
    vectors), the embedders measured on a sample, and the full build projected from both."""
    documents, _ = read_corpus(corpus_dir)
    settings = models[0].settings
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    corpus = write_synthetic_corpus(documents, n_chunks, workdir / "synthetic", chunker)
    free = Model("random vectors", RandomEmbedder(), settings, 0, 0, "-", len)
    overhead = build_once(free, corpus.path, workdir / "synthetic-random" / "index")
    work_s = overhead.seconds - overhead.embed_seconds
    rows = [
        Row(
            SECTION,
            f"synthetic {_k(corpus.chunks)}: IndexBuilder without embedding",
            _values(
                {
                    "passages": overhead.chunks,
                    "texts": overhead.texts,
                    "s": work_s,
                    "passages/s": overhead.chunks / work_s,
                }
            ),
            f"{corpus.documents} files; random vectors, embedding time subtracted",
        )
    ]
    sample = subset_folder(corpus.path, workdir / "synthetic-sample", sample_files)
    for model in models:
        sample_rows, run = compare(
            model, sample, workdir, f"synthetic sample of {sample_files} files"
        )
        rows += sample_rows
        builds[model.embedder.name, sample] = run
        rows.append(_projection(model, corpus, overhead, work_s, run))
    return rows


def _projection(
    model: Model, corpus: SyntheticCorpus, full: BuildRun, work_s: float, sample: BuildRun
) -> Row:
    seconds = work_s + full.texts * sample.embed_seconds / sample.texts
    return Row(
        SECTION,
        f"{model.label}: synthetic {_k(corpus.chunks)}, IndexBuilder (PROJECTED)",
        _values(
            {
                "passages": full.chunks,
                "texts": full.texts,
                "s": seconds,
                "passages/s": full.chunks / seconds,
                "texts/s": full.texts / seconds,
            }
        ),
        "projected: measured non-embedding work + sample's embedding rate × all texts",
    )


def _k(n: int) -> str:
    return f"{n / 1000:.0f}k passages" if n >= 1000 else f"{n} passages"
