"""`kotae serve` with one change: the model embeds one request's query at a time.

A measured proposal, not a product change: under concurrent requests each query embedding
starts its own OpenMP team on the same cores, and the teams' spinning threads slow each other
down. Here a lock serialises the model, so each embedding gets every core in turn. Run as
``python -m bench.serial_server --port 8000 --index-dir DIR --corpus DIR``.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

import numpy as np

from kotae.index.embedders import Embedder, make_embedder
from kotae.settings import Settings


class SerialEmbedder(Embedder):
    """One call into the wrapped model at a time."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.model, self.dim = inner.name, inner.model, inner.dim
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        with self._lock:
            return self.inner.embed_queries(texts) if is_query else self.inner.embed_passages(texts)

    def identity(self) -> dict[str, Any]:
        return self.inner.identity()


def main() -> None:
    import uvicorn

    from kotae.service.api.app import create_app
    from kotae.service.engine import Engine

    parser = argparse.ArgumentParser(prog="python -m bench.serial_server")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings(index_dir=args.index_dir, corpus_dir=args.corpus)
    engine = Engine(settings, SerialEmbedder(make_embedder(settings)))
    engine.load()
    uvicorn.run(create_app(settings, engine), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
