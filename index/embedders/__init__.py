"""Embedding backends behind one contract, chosen by settings."""

from index.embedders.base import Embedder
from index.embedders.factory import make_embedder

__all__ = ["Embedder", "make_embedder"]
