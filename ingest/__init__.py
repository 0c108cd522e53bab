"""Ingest: read a folder of documents and cut them into passages with exact offsets."""

from ingest.chunker import Chunker, split_sentences
from ingest.reader import read_corpus
from ingest.records import Chunk, Document, Skipped, Span

__all__ = ["Chunk", "Chunker", "Document", "Skipped", "Span", "read_corpus", "split_sentences"]
