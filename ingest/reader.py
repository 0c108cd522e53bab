"""Read a folder of documents into :class:`Document` records, reporting what cannot be read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from ingest.dates import publication_date
from ingest.records import Document, Skipped

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
MAX_BYTES = 50 * 1024 * 1024
_URL = re.compile(r"https?://\S+|#\S+")


class _TextExtractor(HTMLParser):
    """HTML to plain text: drops script/style, turns block elements into line breaks."""

    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "title",
    }
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t]*\n[ \t\n]*\n", "\n\n", joined)
        return joined.strip()


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Shift_JIS (CP932).

    Raises ``ValueError`` with a reason a user can act on.
    """
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (contains NUL bytes); only text documents can be indexed")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp932")
        except UnicodeDecodeError:
            raise ValueError(
                f"not UTF-8 (byte {utf8_error.start}) nor Shift_JIS; "
                "convert it with e.g. `iconv -f <encoding> -t UTF-8`"
            ) from utf8_error


def first_line_title(text: str) -> str | None:
    """The first non-empty line, without links or hashtags, as a readable title."""
    for line in text.splitlines():
        line = _URL.sub("", line).strip().lstrip("#").strip()
        if line:
            return line[:120]
    return None


def read_document(path: Path, doc_id: str) -> Document:
    """Read one file; ``ValueError`` says why it cannot be indexed."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 2**20} MB; split it into smaller files")
    text = decode(path.read_bytes())
    title: str | None = None
    if path.suffix.lower() in {".html", ".htm"}:
        extractor = _TextExtractor()
        extractor.feed(text)
        text, title = extractor.text(), extractor.title
    if not text.strip():
        raise ValueError("empty (no text to index)")
    return Document(
        doc_id=doc_id,
        text=text,
        title=title or first_line_title(text),
        date=publication_date(text),
    )


def iter_files(corpus_dir: Path) -> Iterator[Path]:
    """Document files under ``corpus_dir``, nested folders included, in a stable order."""
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and not any(
            p.startswith(".") for p in path.relative_to(corpus_dir).parts
        ):
            yield path


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Every readable document of the folder, and every file skipped with its reason."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for path in iter_files(corpus_dir):
        doc_id = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUFFIXES:
            skipped.append(
                Skipped(doc_id, f"unsupported type '{path.suffix}' (use .txt, .md, .html)")
            )
            continue
        try:
            documents.append(read_document(path, doc_id))
        except (ValueError, OSError) as e:
            skipped.append(Skipped(doc_id, str(e)))
    return documents, skipped
