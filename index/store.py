"""The vector store: FAISS over L2-normalised vectors, so inner product is cosine similarity."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import faiss
import numpy as np

Kind = Literal["flat", "hnsw"]
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def choose_kind(ann: str, n_vectors: int, threshold: int) -> Kind:
    """Exact search until the collection is large enough for HNSW to pay off."""
    if ann == "auto":
        return "hnsw" if n_vectors >= threshold else "flat"
    return "hnsw" if ann == "hnsw" else "flat"


class FaissStore:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = HNSW_EF_SEARCH

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: Kind = "flat") -> FaissStore:
        dim = vectors.shape[1]
        index: faiss.Index
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine scores of the ``k`` nearest vectors, best first."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissStore:
        return cls(faiss.read_index(str(path)))
