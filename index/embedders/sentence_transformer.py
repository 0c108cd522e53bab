"""Any sentence-transformers model: a hub id (offline cache) or a local folder."""

from __future__ import annotations

import numpy as np

from kotae.errors import KotaeError
from kotae.index.embedders.base import Embedder


class SentenceTransformerEmbedder(Embedder):
    name = "sentence-transformers"

    def __init__(
        self, model: str, query_prompt: str = "", passage_prompt: str = "", threads: int = 0
    ) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise KotaeError(
                "the sentence-transformers backend is not installed: "
                "pip install torch==2.13.0 && pip install 'kotae[st]'"
            ) from e
        if threads:
            torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as e:  # the library raises many kinds for a bad id or folder
            raise KotaeError(
                f"cannot load sentence-transformers model '{model}': {e}. "
                "Give a local model folder or a model already in the Hugging Face cache."
            ) from e
        self.model = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prompt = self.query_prompt if is_query else self.passage_prompt
        return np.asarray(
            self._model.encode(
                texts,
                prompt=prompt or None,  # prepended to each text by the library
                batch_size=32,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )

    def identity(self) -> dict[str, object]:
        return {
            **super().identity(),
            "query_prompt": self.query_prompt,
            "passage_prompt": self.passage_prompt,
        }
