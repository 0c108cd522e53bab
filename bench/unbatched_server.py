"""`kotae serve` as it was before issue 18: each request calls the model for its own question.

The comparison for micro-batching, measured in the same run: concurrent requests each start
their own model call (concurrent OpenMP teams on the same cores), with the same LRU cache.
Run as ``python -m bench.unbatched_server --port 8000 --index-dir DIR --corpus DIR``.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import numpy as np
from cachetools import LRUCache

from kotae.index.embedders import Embedder
from kotae.index.query_encoder import QueryEncoder, normalise_query


class UnbatchedEncoder(QueryEncoder):
    """Cache, then one model call per question, calls from different threads concurrent."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        super().__init__(embedder, size)
        self._lru: LRUCache[str, np.ndarray] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def __call__(self, question: str) -> np.ndarray:
        key = normalise_query(question)
        with self._lock:
            cached = self._lru.get(key)
        if cached is not None:
            return cached
        vector = self.embedder.embed_queries([key])[0]
        with self._lock:
            self._lru[key] = vector
        return vector


def main() -> None:
    import uvicorn

    from kotae.service.api.app import create_app
    from kotae.service.engine import Engine
    from kotae.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bench.unbatched_server")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings(index_dir=args.index_dir, corpus_dir=args.corpus)
    engine = Engine(settings)
    engine.encoder = UnbatchedEncoder(engine.embedder)
    engine.load()
    uvicorn.run(create_app(settings, engine), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
