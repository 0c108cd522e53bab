"""The records that flow out of ingest: documents, the passages cut from them, skipped files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One source file, its text exactly as decoded (never normalised).

    ``furniture`` marks the whole lines that are site chrome (banners, breadcrumbs, share
    buttons, …) as sorted ``[start, end)`` ranges of ``text``; the text itself is untouched.
    ``body_start``: where the text to index begins; what precedes it (a Markdown file's front
    matter) is kept, so offsets stay the file's, but never cut into passages.
    """

    doc_id: str
    text: str
    title: str | None = None
    date: str | None = None
    furniture: tuple[tuple[int, int], ...] = ()
    body_start: int = 0

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of a document's text."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk(Span):
    """A passage: the unit that is embedded, retrieved and cited.

    ``date`` is the date that governs the passage: the nearest date stated above it
    in the document (a file may report several meetings), else the document's date.
    """

    date: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file that could not be ingested, with the reason shown to the user."""

    path: str
    reason: str
