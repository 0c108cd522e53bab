"""Cut documents into passages that remember exactly where they came from.

The splitter prefers paragraph breaks, then line ends, then sentence ends (。！？), then
commas (、), so a passage is a run of whole sentences wherever the size allows. Each passage
is located in the original text, so ``document.text[start:end] == chunk.text`` always holds.
Nothing before the document's ``body_start`` (front matter) is cut into passages or dates one.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from kotae.ingest.dates import dates_with_offsets
from kotae.ingest.records import Chunk, Document

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "!", "?", "．", "、", "，", ", ", " ", ""]
_HEADING_MAX_CHARS = 60


def section_dates(document: Document) -> tuple[list[int], list[str | None]]:
    """Offsets where a dated heading (a short line stating a date) starts a new section."""
    offsets, dates = [0], [document.date]
    for offset, iso in dates_with_offsets(document.text):
        if offset < document.body_start:
            continue
        line_start = document.text.rfind("\n", 0, offset) + 1
        line_end = document.text.find("\n", offset)
        line_end = len(document.text) if line_end < 0 else line_end
        line = document.text[line_start:line_end].strip()
        is_heading = len(line) <= _HEADING_MAX_CHARS and not line.endswith(("。", "."))
        if is_heading and offset - line_start <= 12 and line_start > offsets[-1]:
            offsets.append(line_start)
            dates.append(iso)
    return offsets, dates


_cached_sections = lru_cache(maxsize=512)(section_dates)


def spanned_dates(document: Document, start: int, end: int) -> list[str | None]:
    """The dates of the dated sections ``[start, end)`` overlaps, the one it starts in first:
    a passage that runs from an article's opening (dated by its publication) into the
    section headed 「2011年6月, …会合開催」 is about that meeting too, though the chunk keeps
    only the date where it starts."""
    offsets, dates = _cached_sections(document)
    lo = bisect.bisect_right(offsets, start) - 1
    hi = bisect.bisect_left(offsets, end)
    return dates[max(lo, 0) : max(hi, lo + 1)]


class Chunker:
    """Recursive character splitting tuned for Japanese, with exact offsets."""

    def __init__(self, chunk_size: int = 400, chunk_overlap: int = 80) -> None:
        if chunk_overlap >= chunk_size:
            raise ValueError(
                f"chunk_overlap ({chunk_overlap}) must be below chunk_size ({chunk_size})"
            )
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, document: Document) -> list[Chunk]:
        text = document.text
        offsets, dates = section_dates(document)
        chunks: list[Chunk] = []
        cursor = document.body_start
        for piece in self._splitter.split_text(text[cursor:]):
            start = text.find(piece, cursor)
            if start < 0:
                raise AssertionError(f"{document.doc_id}: splitter produced text not in the source")
            end = start + len(piece)
            date = dates[bisect.bisect_right(offsets, start) - 1]
            chunks.append(Chunk(document.doc_id, start, end, piece, date))
            cursor = start + 1
        return chunks
