"""Text rules every layer shares, so the index, the answer and eval agree on them.

NFKC is the matching form only (２＋２ and 2+2 find the same): never apply it to what is shown
or cited.
"""

from __future__ import annotations

import re
import unicodedata

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and CJK ideographs
KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")  # hiragana and katakana letters only
KATAKANA_RUN = re.compile(r"[\u30a0-\u30ff]+")  # katakana words, with ・ and ー

# A sentence ends after 。！？!? and the closing brackets or quotes that follow, at a line break,
# or at a period before a space when the period closes an English word, a number of two or more
# digits or a bracket ("Guam. They", "in 2010. Then", "[3]. It"): not after initials or list
# numbers, which Japanese text is full of ("U.S. Army", "1. 冒頭", "上記 3. 〜 6.").
_CLOSERS = "」』）)\"”'’"
SENTENCE_END = re.compile(rf"(?:[。！？!?]+|(?:(?<=[a-z\])])|(?<=\d\d))\.(?=\s|$))[{_CLOSERS}]*|\n")

# Function words an English question shares with any text; modules that need more keep a small
# named addition beside this list.
ENGLISH_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or but is are was were be been being do does "
    "did what which who whom whose when where why how that this these those it its as into about "
    "there their they them he she his her we our you your i me my can could would should will "
    "shall may might must has have had not no yes than then so such any all some".split()
)


def nfkc(text: str) -> str:
    """The matching form of ``text`` (full-width letters and digits folded, and so on)."""
    return unicodedata.normalize("NFKC", text)


def split_sentences(
    text: str, start: int = 0, end: int | None = None, min_chars: int = 2
) -> list[tuple[int, int]]:
    """Sentence spans ``[s, e)`` inside ``text[start:end]``, whitespace trimmed, spans shorter
    than ``min_chars`` dropped. The one sentence rule: the index stores these spans and the
    citation check reads an answer's sentences with it."""
    end = len(text) if end is None else end
    cuts = [m.end() for m in SENTENCE_END.finditer(text, start, end)] + [end]
    spans = []
    for s, e in zip([start, *cuts], cuts, strict=False):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= min_chars:
            spans.append((s, e))
    return spans
