"""The contract every embedding backend meets."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from kotae.index.embedders.safe_text import MAX_PASSAGE_CHARS, MAX_QUERY_CHARS, safe_text


class Embedder(ABC):
    """Turns text into L2-normalised float32 vectors, with separate query and passage roles.

    Retrieval models such as e5 are trained with different prefixes for the two roles; the
    embedder owns that detail so callers never prepend prompts themselves. Every text passes
    through :func:`safe_text` first, whatever the backend: see ``safe_text.py`` for why.
    """

    name: str
    model: str
    dim: int

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        safe = [safe_text(t, MAX_QUERY_CHARS) for t in texts]
        return _normalised(self._encode(safe, True), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        safe = [safe_text(t, MAX_PASSAGE_CHARS) for t in texts]
        return _normalised(self._encode(safe, False), self.dim)

    @contextmanager
    def threads_per_call(self, threads: int) -> Iterator[None]:
        """Model calls this thread makes inside use at most ``threads`` threads (0: no limit).

        Lets several single-threaded calls run side by side, one per core, instead of calls
        that split each short text over every core. Backends that cannot limit one calling
        thread's calls (torch's thread count is process-wide) leave it unchanged.
        """
        yield

    def identity(self) -> dict[str, Any]:
        """What the manifest records: an index is only valid for the same identity."""
        return {"name": self.name, "model": self.model, "dim": self.dim}


def _normalised(vectors: np.ndarray, dim: int) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))
