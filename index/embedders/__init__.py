"""Embedding backends behind one contract, chosen by settings."""

from kotae.index.embedders.base import Embedder
from kotae.index.embedders.factory import make_embedder

__all__ = ["Embedder", "make_embedder"]
