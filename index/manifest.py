"""What an index's manifest says about how it was built: one identity, compared in one place.

An index is current when its build identity equals what the settings would build now and it
covers the same documents; a new build reuses old vectors when the embedder and chunking match.
"""

from __future__ import annotations

import time
from typing import Any

import kotae
from kotae.index.embedders.base import Embedder
from kotae.index.lexical import LexicalIndex
from kotae.index.snapshot import FORMAT_VERSION
from kotae.index.source import CORPUS_KEY
from kotae.index.stores import recorded_store, store_identity
from kotae.ingest import INGEST_VERSION
from kotae.ingest.chunker import SEPARATORS
from kotae.ingest.records import Document
from kotae.settings import Settings

# Who wrote a manifest and when: not what the index holds.
PROVENANCE = ("format_version", "kotae", "built_at")
# What stored vectors depend on: the rest may change and vectors are still reused.
VECTOR_KEYS = ("embedder", "chunking")


def chunking_identity(settings: Settings) -> dict[str, Any]:
    return {
        "size": settings.chunk_size,
        "overlap": settings.chunk_overlap,
        "separators": SEPARATORS,
    }


def build_identity(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """Everything that decides what a build writes, keyed as the manifest records it."""
    return {
        "embedder": embedder.identity(),
        "chunking": chunking_identity(settings),
        "ingest": INGEST_VERSION,
        "lexical": LexicalIndex.identity(),
        "vector_store": store_identity(settings),
    }


def document_hashes(documents: list[Document]) -> dict[str, str]:
    return {d.doc_id: d.sha256 for d in documents}


def build_manifest(
    settings: Settings, embedder: Embedder, documents: list[Document], kind: str
) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "kotae": kotae.__version__,
        **build_identity(settings, embedder),
        "vector_index": kind,
        "documents": document_hashes(documents),
        CORPUS_KEY: str(settings.corpus_dir.resolve()),  # what commands without --corpus use
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def built_as(manifest: dict[str, Any], identity: dict[str, Any]) -> bool:
    """Whether ``manifest`` records this build identity (indexes from before stores: FAISS)."""
    recorded = {**manifest, "vector_store": recorded_store(manifest)}
    return all(recorded.get(k) == v for k, v in identity.items())


def same_vectors(manifest: dict[str, Any], identity: dict[str, Any]) -> bool:
    """Whether the stored vectors were made as this build would make them."""
    return all(manifest.get(k) == identity[k] for k in VECTOR_KEYS)


def same_content(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two manifests describe the same index, whoever wrote it and when."""
    return all(old.get(k) == v for k, v in new.items() if k not in PROVENANCE)
