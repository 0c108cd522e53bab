"""Vector stores behind one registry: the builder and the snapshot name none of them.

A new backend: subclass ``VectorStore`` in its own module, add it to ``STORES`` and its kind to
``kotae.settings.VECTOR_STORES`` (the names the ``vector_store`` setting accepts, kept there so
settings import nothing of index; a test holds the two equal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kotae.errors import IndexMismatchError
from kotae.index.stores.base import FilterSpec, VectorStore
from kotae.index.stores.faiss import FaissStore
from kotae.index.stores.milvus import MilvusStore
from kotae.ingest.records import Chunk
from kotae.settings import Settings

__all__ = [
    "STORES",
    "FilterSpec",
    "VectorStore",
    "make_store",
    "open_store",
    "recorded_store",
    "store_class",
    "store_identity",
]

STORES: dict[str, type[VectorStore]] = {s.kind: s for s in (FaissStore, MilvusStore)}


def store_class(kind: str) -> type[VectorStore]:
    """The backend registered as ``kind``."""
    try:
        return STORES[kind]
    except KeyError:
        raise IndexMismatchError(
            f"unknown vector store {kind!r}: this kotae knows {', '.join(sorted(STORES))}"
        ) from None


def store_identity(settings: Settings) -> dict[str, str]:
    """The vector store the settings configure, as the manifest records it."""
    return store_class(settings.vector_store).identity(settings)


def make_store(settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> VectorStore:
    """A new store of the configured kind for this passage table."""
    return store_class(settings.vector_store).build(settings, chunks, vectors)


def recorded_store(manifest: dict[str, Any]) -> dict[str, str]:
    """The vector store an index was built for (indexes from before stores: FAISS)."""
    recorded = manifest.get("vector_store")
    return recorded if isinstance(recorded, dict) else {"kind": FaissStore.kind}


def open_store(
    manifest: dict[str, Any],
    folder: Path,
    chunks: list[Chunk],
    vectors: np.ndarray,
    settings: Settings,
) -> VectorStore:
    """The store the manifest of the version in ``folder`` names."""
    recorded = recorded_store(manifest)
    return store_class(recorded["kind"]).load(recorded, folder, chunks, vectors, settings)
