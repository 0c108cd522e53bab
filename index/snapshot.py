"""An index as it lies on disk and in memory: documents, passages, sentences, vectors, BM25.

Document texts are stored in the index itself, so a citation is always checked against the
exact text that was indexed, even if the corpus file changes afterwards.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kotae.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from kotae.index import integrity
from kotae.index.lexical import LexicalIndex
from kotae.index.stores import VectorStore, open_store, recorded_store, store_class, store_identity
from kotae.ingest.furniture import covered
from kotae.ingest.records import Chunk, Document
from kotae.settings import Settings

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
CHUNKS = "chunks.json"
SENTENCES = "sentences.npy"
VECTORS = "vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
LEXICAL = "lexical"
REBUILD_HINT = "rebuild it with `kotae index` (it replaces the old index atomically)"


@dataclass
class Snapshot:
    """Everything search needs, loaded once and never mutated while served."""

    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: np.ndarray  # (n, 2) start, end; grouped by chunk via sentence_ranges
    sentence_vectors: np.ndarray
    sentence_ranges: np.ndarray  # (n_chunks, 2) lo, hi into sentences
    store: VectorStore
    lexical: LexicalIndex
    path: Path | None = None
    chunk_years: np.ndarray = field(init=False)
    sentence_furniture: np.ndarray = field(init=False)  # bool per sentence: mostly furniture
    chunk_furniture: np.ndarray = field(init=False)  # float per passage: furniture share

    def __post_init__(self) -> None:
        self.chunk_years = np.array(
            [int(c.date[:4]) if c.date else 0 for c in self.chunks], dtype=np.int32
        )
        self.sentence_furniture, self.chunk_furniture = self._furniture()

    def _furniture(self) -> tuple[np.ndarray, np.ndarray]:
        """How much of each sentence and passage lies in its document's furniture lines."""
        sentences = np.zeros(len(self.sentences), dtype=bool)
        chunks = np.zeros(len(self.chunks), dtype=np.float64)
        for i, chunk in enumerate(self.chunks):
            doc = self.documents[chunk.doc_id]
            if not doc.furniture:
                continue
            chunks[i] = covered(doc.furniture, chunk.start, chunk.end, doc.text)
            if not chunks[i]:
                continue
            lo, hi = self.sentence_ranges[i]
            for row in range(lo, hi):
                start, end = self.sentences[row]
                sentences[row] = covered(doc.furniture, int(start), int(end), doc.text) > 0.5
        return sentences, chunks

    def save(self, path: Path) -> None:
        """Write every file into ``path`` (a fresh folder); the manifest goes last."""
        path.mkdir(parents=True, exist_ok=False)
        doc_ids = list(self.documents)
        position = {d: i for i, d in enumerate(doc_ids)}
        _write_json(
            path / DOCUMENTS,
            [
                {
                    "doc_id": d.doc_id,
                    "title": d.title,
                    "date": d.date,
                    "furniture": [list(span) for span in d.furniture],
                    "body_start": d.body_start,
                    "sha256": d.sha256,
                    "text": d.text,
                }
                for d in self.documents.values()
            ],
        )
        _write_json(
            path / CHUNKS, [[position[c.doc_id], c.start, c.end, c.date] for c in self.chunks]
        )
        np.save(path / SENTENCES, np.hstack([self.sentences, self.sentence_ranges_per_sentence()]))
        np.save(path / VECTORS, self.vectors)
        np.save(path / SENTENCE_VECTORS, self.sentence_vectors)
        self.store.save(path)
        self.lexical.save(path / LEXICAL)
        files = integrity.record(path, exclude={MANIFEST})
        _write_json(path / MANIFEST, {**self.manifest, integrity.FILES: files})

    def sentence_ranges_per_sentence(self) -> np.ndarray:
        """The owning chunk of each sentence row, so ranges can be rebuilt on load."""
        owner = np.zeros((len(self.sentences), 1), dtype=np.int64)
        for c, (lo, hi) in enumerate(self.sentence_ranges):
            owner[lo:hi, 0] = c
        return owner

    @classmethod
    def load(cls, path: Path, settings: Settings, *, check_store: bool = True) -> Snapshot:
        """Load the version ``path`` points to.

        With ``check_store`` (the default), an index kept in another vector store than the
        one ``settings`` configure is refused, and the store is verified (a Milvus collection
        must exist); the builder skips this to reuse vectors across stores.
        """
        path = Path(os.path.realpath(path))  # pin one version even if a rebuild swaps it
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise IndexMissingError(f"no index at {path}: build it with `kotae index`")
        try:
            manifest = _read_json(manifest_path)
            if not isinstance(manifest, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError included
            raise IndexCorruptError(
                f"index file {manifest_path} is unreadable ({e}); {REBUILD_HINT}"
            ) from e
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index at {path} has format {manifest.get('format_version')}, "
                f"this kotae reads {FORMAT_VERSION}: {REBUILD_HINT}"
            )
        integrity.verify(path, manifest, skip={VECTORS, SENTENCE_VECTORS})
        current = ""
        try:
            current = DOCUMENTS
            rows_of_documents = _read_json(path / DOCUMENTS)
            documents = {
                d["doc_id"]: Document(
                    d["doc_id"],
                    d["text"],
                    d["title"],
                    d["date"],
                    tuple((int(s), int(e)) for s, e in d.get("furniture", ())),
                    int(d.get("body_start", 0)),
                )
                for d in rows_of_documents
            }
            doc_ids = list(documents)
            current = CHUNKS
            chunks = [
                Chunk(doc_ids[i], s, e, documents[doc_ids[i]].text[s:e], date)
                for i, s, e, date in _read_json(path / CHUNKS)
            ]
            current = SENTENCES
            rows = np.load(path / SENTENCES)
            sentences, owner = rows[:, :2], rows[:, 2]
            ranges = _ranges(owner, len(chunks)) if len(rows) else np.zeros((len(chunks), 2), int)
            current = VECTORS
            vectors = integrity.load_array(path / VECTORS, manifest)  # a private copy
            current = SENTENCE_VECTORS
            sentence_vectors = integrity.load_array(path / SENTENCE_VECTORS, manifest)
            current = store_class(recorded_store(manifest)["kind"]).file or MANIFEST
            store = open_store(manifest, path, chunks, vectors, settings)
            current = LEXICAL
            lexical = LexicalIndex.load(path / LEXICAL)
        except IndexCorruptError:
            raise
        except Exception as e:  # any unreadable file means the same thing to the user
            raise IndexCorruptError(
                f"index file {path / current} is unreadable ({e}); {REBUILD_HINT}"
            ) from e
        snapshot = cls(
            manifest,
            documents,
            chunks,
            vectors,
            sentences,
            sentence_vectors,
            ranges,
            store,
            lexical,
            path,
        )
        snapshot.check_consistent()
        if check_store and any("furniture" not in d for d in rows_of_documents):
            raise IndexMismatchError(
                f"index at {path} was built before kotae marked page furniture (banners, "
                f"breadcrumbs, share buttons); {REBUILD_HINT}"
            )
        if check_store:
            check_vector_store(manifest, settings, path)
            store.verify()
        return snapshot

    def check_consistent(self) -> None:
        """Refuse an index whose parts disagree (a truncated or mixed-up file)."""
        n = len(self.chunks)
        problems = []
        if self.vectors.shape[0] != n or self.store.size != n:
            problems.append(
                f"{n} passages but {self.vectors.shape[0]} vectors / {self.store.size} in the store"
            )
        if self.sentence_vectors.shape[0] != len(self.sentences):
            problems.append("sentence vectors do not match the sentence table")
        if self.lexical.size != n:
            problems.append(f"{n} passages but {self.lexical.size} in the BM25 index")
        if any(not c.text or len(c.text) != c.end - c.start for c in self.chunks):
            problems.append("passage offsets fall outside their documents")
        if problems:
            raise IndexCorruptError(
                f"index at {self.path} is inconsistent: {'; '.join(problems)}; {REBUILD_HINT}"
            )


def check_embedder(manifest: dict[str, Any], identity: dict[str, Any], path: Path) -> None:
    """Refuse to search an index with vectors from another model: the scores would be noise."""
    built = manifest.get("embedder", {})
    if built != identity:
        raise IndexMismatchError(
            f"index at {path} was built with embedder {built}, but the settings configure "
            f"{identity}; {REBUILD_HINT}, or set KOTAE_EMBEDDER / KOTAE_MODEL back"
        )


def check_vector_store(manifest: dict[str, Any], settings: Settings, path: Path) -> None:
    """Refuse to serve an index from another store than configured: its rows may be stale."""
    built, configured = recorded_store(manifest), store_identity(settings)
    if built != configured:
        raise IndexMismatchError(
            f"index at {path} was built for vector store {built}, but the settings configure "
            f"{configured}; {REBUILD_HINT}, or set KOTAE_VECTOR_STORE / KOTAE_MILVUS_URI / "
            "KOTAE_MILVUS_COLLECTION back"
        )


def _ranges(owner: np.ndarray, n_chunks: int) -> np.ndarray:
    lo = np.searchsorted(owner, np.arange(n_chunks), side="left")
    hi = np.searchsorted(owner, np.arange(n_chunks), side="right")
    return np.stack([lo, hi], axis=1)


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
