"""kotae: Japanese-first semantic search and question answering with verifiable citations."""

__version__ = "0.1.0"
