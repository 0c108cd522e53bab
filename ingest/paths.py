"""Which files of a corpus folder may be read: those that really lie inside it, with a name
that can be shown, logged and put in a URL as it is.

A symbolic link is followed only when its target resolves inside the corpus folder: a link to
``/etc/passwd`` would otherwise be indexed, quoted in answers and served whole. Linked folders
are not descended into (their files are indexed under their own path when inside; outside, the
link is reported). Names holding control or invisible formatting characters (a newline, a
right-to-left override) are refused: a document id reaches log lines, terminals, URLs and the
chat page, where such a character splits a line or disguises the name.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CorpusEntry:
    """A file found in the corpus: its id (relative path), where to read it, or why not."""

    doc_id: str
    path: Path
    refusal: str | None = None


def printable(name: str) -> str:
    """``name`` with control and formatting characters escaped (``\\n``, ``\\u202e``)."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if _hidden(ch) else ch for ch in name
    )


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf"}


def walk(corpus_dir: Path) -> Iterator[CorpusEntry]:
    """Every non-hidden file under ``corpus_dir``, sorted, with a refusal reason if unsafe."""
    root = corpus_dir.resolve()
    found: list[CorpusEntry] = []
    for folder, dirs, files in os.walk(root):  # never follows linked folders
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in dirs:
            if (here / d).is_symlink() and not _inside(here / d, root):
                found.append(_refused(here / d, root, "a link to a folder outside the corpus"))
        for f in files:
            if not f.startswith("."):
                found.append(_entry(here / f, root))
    yield from sorted(found, key=lambda e: e.doc_id)


def _entry(path: Path, root: Path) -> CorpusEntry:
    doc_id = path.relative_to(root).as_posix()
    if any(_hidden(ch) for ch in doc_id):
        return CorpusEntry(
            printable(doc_id),
            path,
            "its name contains a control or invisible character; rename the file "
            "(e.g. `mv` with the name quoted) so that it has only printable characters",
        )
    if path.is_symlink() and not _inside(path, root):
        return _refused(path, root, "a link to a file outside the corpus")
    return CorpusEntry(doc_id, path.resolve())


def _refused(path: Path, root: Path, what: str) -> CorpusEntry:
    target = os.path.realpath(path)
    return CorpusEntry(
        printable(path.relative_to(root).as_posix()),
        path,
        f"{what} folder (→ {printable(target)}); only files inside it are read: copy the "
        "file in instead of linking it",
    )


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)
