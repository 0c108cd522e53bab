"""Ingest: read a folder of documents and cut them into passages with exact offsets."""

from kotae.ingest.chunker import Chunker
from kotae.ingest.reader import read_corpus
from kotae.ingest.records import Chunk, Document, Skipped, Span
from kotae.ingest.text import split_sentences

# Bump when reading, chunking or dating changes what an index holds: indexes built by other
# versions are then rebuilt (vectors of unchanged passages are still reused).
INGEST_VERSION = 7  # 3-5: furniture marks, headline titles, BM25 without menus; 6: titles
# above a breadcrumb kept, dates labelled 「更新日」 at a page's foot; 7: Markdown front matter

__all__ = [
    "INGEST_VERSION",
    "Chunk",
    "Chunker",
    "Document",
    "Skipped",
    "Span",
    "read_corpus",
    "split_sentences",
]
