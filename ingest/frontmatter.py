"""Markdown front matter: the ``---`` … ``---`` block of ``key: value`` lines opening a file.

It describes the document rather than being part of it: its ``title`` and ``date`` become the
document's, and its lines are never searched or quoted. The file's text is kept whole, so
offsets stay the file's; the block only moves where the text to index begins.

Only top-level ``key: value`` lines are read, values plain or quoted (a YAML library is not a
dependency, and nothing else is needed); nested values and lists are passed over. A block
that does not close, or holds a line that is not YAML-like (a Markdown file opening with a
``---`` rule), is no front matter: the file is read as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kotae.ingest.dates import dates_with_offsets

MARKDOWN = {".md", ".markdown"}
_FENCE = "---"
_KEY = re.compile(r"([^\s:#][^:]*?)\s*:(?:\s+(.*))?$")
_YAMLISH = re.compile(r"\s*(#.*)?$|\s+\S|-(\s|$)")  # blank, comment, nested or list line


@dataclass(frozen=True)
class FrontMatter:
    end: int  # offset just past the closing fence line: where the document's text begins
    title: str | None = None
    date: str | None = None


NONE = FrontMatter(0)


def front_matter(text: str) -> FrontMatter:
    """The front matter opening ``text``; :data:`NONE` (ending at 0) when it has none or a
    malformed one."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != _FENCE:
        return NONE
    values: dict[str, str] = {}
    offset = len(lines[0])
    for line in lines[1:]:
        offset += len(line)
        if line.rstrip() == _FENCE:
            title = " ".join(values.get("title", "").split())[:120] or None
            return FrontMatter(offset, title, _date(values.get("date", "")))
        m = _KEY.match(line.rstrip("\r\n"))
        if m:
            values.setdefault(m[1].lower(), _scalar(m[2] or ""))
        elif not _YAMLISH.match(line):
            return NONE
    return NONE


def blank(text: str, end: int) -> str:
    """``text`` with its first ``end`` characters blanked, line breaks kept: same offsets,
    and readers of lines (furniture, headline) see empty lines there."""
    if not end:
        return text
    return re.sub(r"[^\r\n]", " ", text[:end]) + text[end:]


def _scalar(value: str) -> str:
    """A YAML scalar as text: quotes removed (with their escapes), else a trailing comment;
    empty for a value on the lines below (``|``, ``>``), which is not read."""
    value = value.strip()
    if value[:1] in ("|", ">"):
        return ""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return re.sub(r"\s+#.*$", "", value)


def _date(value: str) -> str | None:
    """``2024-07-28``, ``2024-07-28T10:00:00+09:00``, ``2024年7月28日`` … as ISO, else None."""
    found = dates_with_offsets(re.sub(r"(?<=\d)T(?=\d)", " ", value))
    return found[0][1] if found else None
