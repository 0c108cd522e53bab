"""Index: embed passages, store vectors (FAISS) and BM25, search them."""
