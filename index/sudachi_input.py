"""What text Sudachi may be given: pieces that each fit its input limits.

Sudachi refuses an input over 49,149 bytes of UTF-8, and again when its own normalisation
(lower case and NFKC, a character at a time) makes it longer than 65,535 bytes. NFKC can make a
text far longer than it was: ﷺ (3 bytes) becomes 18 characters (33 bytes), ㍿ becomes 株式会社.
Cutting the raw bytes let a 2,000-character question through as 66 KB (HTTP 500). So a text
is measured as Sudachi will see it, both before and after that normalisation, against the
smaller limit: the 16 KB left below the larger one absorb any difference between NFKC of the
whole text and Sudachi's character-by-character form.

A text over the limit is read in pieces, cut at a line break, a sentence end or a space near
the limit when there is one: every character is read (a document loses nothing), and each
piece keeps its offset so morpheme offsets still index the whole text. Any normal text is one
piece, the text itself.
"""

from __future__ import annotations

from kotae.ingest.text import nfkc

MAX_BYTES = 49_149  # "Input is too long, it can't be more than 49149 bytes"
_BREAKS = "\n。！？!?.．\u3000 \t"


def sudachi_bytes(text: str) -> int:
    """UTF-8 bytes of ``text`` as written or as Sudachi normalises it, whichever is more."""
    return max(len(text.encode("utf-8")), len(nfkc(text.lower()).encode("utf-8")))


def pieces(text: str, limit: int = MAX_BYTES) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pairs that each fit ``limit`` (see :func:`sudachi_bytes`).

    Lone surrogates (which no UTF-8 reader accepts) become ``?``, one character for one, so
    offsets are unchanged.
    """
    text = text.encode("utf-8", "replace").decode("utf-8")
    if sudachi_bytes(text) <= limit:
        return [(0, text)]
    out = []
    start = 0
    while start < len(text):
        end = _longest_fit(text, start, limit)
        if end < len(text):
            cut = max(text.rfind(c, start + (end - start) // 2, end) for c in _BREAKS)
            end = cut + 1 if cut >= 0 else end
        out.append((start, text[start:end]))
        start = end
    return out


def _longest_fit(text: str, start: int, limit: int) -> int:
    """The largest ``end`` with ``text[start:end]`` within ``limit`` (at least one character:
    no character normalises to more than 33 bytes)."""
    lo, hi = start + 1, min(len(text), start + limit)  # every character is at least one byte
    if sudachi_bytes(text[start:hi]) <= limit:
        return hi
    while hi - lo > 1:  # text[start:lo] fits, text[start:hi] does not
        mid = (lo + hi) // 2
        if sudachi_bytes(text[start:mid]) <= limit:
            lo = mid
        else:
            hi = mid
    return lo
