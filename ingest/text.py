"""Text rules every layer shares, so the index, the answer and eval agree on them.

NFKC is the matching form only (２＋２ and 2+2 find the same): never apply it to what is shown
or cited.
"""

from __future__ import annotations

import re
import unicodedata

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and CJK ideographs


def nfkc(text: str) -> str:
    """The matching form of ``text`` (full-width letters and digits folded, and so on)."""
    return unicodedata.normalize("NFKC", text)
