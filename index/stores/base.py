"""The vector-store contract: the whole lifecycle of the passage vectors of one snapshot.

Vectors are L2-normalised, so inner product is cosine similarity. Every store answers in
positions of the snapshot's passage table, so the rest of retrieval never knows which one ran.
A new backend is one subclass in its own module plus one line in ``index.stores.STORES``
(and its kind in ``kotae.settings.VECTOR_STORES``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import numpy as np

from kotae.ingest.records import Chunk
from kotae.settings import Settings

Kind = Literal["flat", "hnsw"]


def choose_kind(ann: str, n_vectors: int, threshold: int) -> Kind:
    """Exact search until the collection is large enough for HNSW to pay off (every store)."""
    if ann == "auto":
        return "hnsw" if n_vectors >= threshold else "flat"
    return "hnsw" if ann == "hnsw" else "flat"


class FilterSpec(Protocol):
    """The metadata filter a search may carry (``index.search.Filters``)."""

    @property
    def doc_ids(self) -> frozenset[str] | None: ...
    @property
    def date_from(self) -> str | None: ...
    @property
    def date_to(self) -> str | None: ...


class VectorStore(ABC):
    """``size`` vectors, searched by cosine, answering with passage positions.

    Lifecycle, as the builder and the snapshot drive it: ``build`` (from the settings and the
    new passage table), ``upsert`` (before the version is published: write what the backend
    lacks, ready to search), ``save`` (into the version folder), ``publish`` (after the folder
    is published: make the version current in the backend, drop what no kept version needs),
    ``load`` (from a manifest's record) and ``verify``.
    """

    kind: ClassVar[str]  # the registry key and the manifest's "vector_store.kind"
    file: ClassVar[str | None] = None  # the file it keeps in the version folder, if any

    @classmethod
    @abstractmethod
    def identity(cls, settings: Settings) -> dict[str, str]:
        """The store ``settings`` configure, as the manifest records it (no secrets)."""

    @classmethod
    @abstractmethod
    def build(cls, settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> VectorStore:
        """A store for a new passage table (nothing written outside memory yet)."""

    @classmethod
    @abstractmethod
    def load(
        cls,
        recorded: dict[str, Any],
        folder: Path,
        chunks: list[Chunk],
        vectors: np.ndarray,
        settings: Settings,
    ) -> VectorStore:
        """The store a manifest recorded (``recorded``) for the version in ``folder``."""

    @property
    @abstractmethod
    def size(self) -> int: ...

    @property
    def index_kind(self) -> str:
        """The search structure, as the manifest's "vector_index" records it."""
        return "flat"

    @abstractmethod
    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        filters: FilterSpec | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosine scores of the ``k`` nearest passages, best first.

        ``allowed`` (the positions a filter admits) and ``filters`` (the filter itself) come
        together: a local store scores ``allowed`` exactly, a remote one turns ``filters`` into
        its own filter expression.
        """

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> int:
        """Write the rows the backend does not hold yet; how many (in-memory stores: 0)."""
        return 0

    def publish(self) -> int:
        """Make this version the backend's current one; rows dropped that no kept version
        needs (in-memory stores: 0)."""
        return 0

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write what the store keeps in the version folder ``folder`` (maybe nothing)."""

    def verify(self) -> None:
        """Refuse a backend that is unreachable or holds something else (default: nothing)."""
        return None
