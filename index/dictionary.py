"""One Sudachi dictionary per process.

A ``Dictionary`` memory-maps the ~190 MiB system dictionary; every one created maps it
again, and RSS counts each mapping. Tokenizers made from one dictionary share its map, so
threads each get their own (cheap) tokenizer from this single dictionary.
"""

from __future__ import annotations

import functools
import threading

_LOCK = threading.Lock()


@functools.cache
def _load():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def shared_dictionary():  # type: ignore[no-untyped-def]
    """The process's Sudachi core dictionary, loaded once on first use (thread-safe)."""
    with _LOCK:
        return _load()
