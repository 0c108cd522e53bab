"""Read a folder of documents into :class:`Document` records, reporting what cannot be read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import charset_normalizer

from kotae.ingest.dates import publication_date
from kotae.ingest.frontmatter import MARKDOWN, NONE, blank, front_matter
from kotae.ingest.furniture import analyse, mark_repeated, pick_title, repeated_lines
from kotae.ingest.paths import walk
from kotae.ingest.records import Document, Skipped
from kotae.ingest.text import KANA

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
MAX_BYTES = 10 * 1024 * 1024  # KOTAE_MAX_FILE_MB's default
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# What the detector may name for Japanese text; any other guess (cp1250 for French, ...) is refused.
JAPANESE_ENCODINGS = (
    "cp932",
    "shift_jis",
    "shift_jis_2004",
    "shift_jisx0213",
    "euc_jp",
    "euc_jis_2004",
    "euc_jisx0213",
)
_URL = re.compile(r"https?://\S+|#\S+")


# Noncharacters never occur in interchanged text: they bracket text inside page chrome
# while the extractor joins and tidies the text, and are removed before anything is stored.
_CHROME_OPEN, _CHROME_CLOSE = "\ufdd0", "\ufdd1"
_CHROME_TAGS = {"nav", "aside"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_SITE_FRAME = {"header", "footer", "site-header", "site-footer", "global-header", "global-footer"}
_CHROME_NAMES = re.compile(
    r"(^|[\s_-])(breadcrumbs?|pankuzu|topic-?path|skip|gnav|global-?nav|side-?nav|local-?nav"
    r"|sitemap|page-?top|sns|share)([\s_-]|$)",
    re.IGNORECASE,
)


class _TextExtractor(HTMLParser):
    """HTML to plain text: drops script/style, turns block elements into line breaks.

    Text inside page chrome (nav, aside, role=navigation, breadcrumbs; header and footer
    outside the article) is remembered as ranges of the final text, which becomes exact
    furniture marks. The first ``<h1>`` outside chrome is kept as a candidate title.
    """

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
        "nav",
        "aside",
        "main",
    }
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self.h1: str | None = None
        self._skip = 0
        self._in_title = False
        self._h1: list[str] | None = None
        self._chrome: list[list[Any]] = []  # [tag, depth] of each open chrome element
        self._content = 0  # open <article>/<main>: their header/footer are content

    def _is_chrome(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        values = dict(attrs)
        if tag in _CHROME_TAGS or (values.get("role") or "").lower() in _CHROME_ROLES:
            return True
        names = f"{values.get('id') or ''} {values.get('class') or ''}"
        site_frame = tag in {"header", "footer"} or bool(_SITE_FRAME & set(names.lower().split()))
        if site_frame and not self._content:
            return True
        return bool(_CHROME_NAMES.search(names))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
            return
        if tag == "title":
            self._in_title = True
            return
        for open_ in self._chrome:
            if open_[0] == tag:
                open_[1] += 1
        if tag in {"article", "main"}:
            self._content += 1
        if self._is_chrome(tag, attrs):
            self._chrome.append([tag, 1])
        if tag == "h1" and self.h1 is None and not self._chrome:
            self._h1 = []
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if tag == "h1" and self._h1 is not None:
            self.h1 = " ".join("".join(self._h1).split()) or None
            self._h1 = None
        for open_ in self._chrome:
            if open_[0] == tag:
                open_[1] -= 1
        self._chrome = [c for c in self._chrome if c[1] > 0]
        if tag in {"article", "main"}:
            self._content = max(0, self._content - 1)
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = data.replace(_CHROME_OPEN, "").replace(_CHROME_CLOSE, "")
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        if self._h1 is not None:
            self._h1.append(data)
        core = data.strip()
        if self._chrome and core:
            lead = data[: len(data) - len(data.lstrip())]
            trail = data[len(data.rstrip()) :]
            data = f"{lead}{_CHROME_OPEN}{core}{_CHROME_CLOSE}{trail}"
        self.parts.append(data)

    def text(self) -> str:
        return self.result()[0]

    def result(self) -> tuple[str, tuple[tuple[int, int], ...]]:
        """The text, and the ranges of it that came from inside page chrome."""
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t]*\n[ \t\n]*\n", "\n\n", joined)
        marked = joined.strip()
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        length, opened = 0, 0
        for piece in re.split(f"([{_CHROME_OPEN}{_CHROME_CLOSE}])", marked):
            if piece == _CHROME_OPEN:
                opened = length
            elif piece == _CHROME_CLOSE:
                spans.append((opened, length))
            else:
                out.append(piece)
                length += len(piece)
        return "".join(out), tuple(spans)


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM, else Japanese (Shift_JIS/CP932,
    EUC-JP) as ``charset-normalizer`` guesses it.

    A legacy encoding is only trusted when the text reads like Japanese (see
    :func:`_looks_japanese`): CP932 accepts most byte strings, and Latin-1 prose or random bytes
    must not be indexed as nonsense kanji. Raises ``ValueError`` with a reason a user can act on.
    """
    if raw.startswith(_UTF16_BOMS):  # Windows Notepad's "Unicode"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ValueError(f"broken UTF-16 (byte {e.start}); re-save it as UTF-8") from e
        if _junk(text):
            raise ValueError(
                "starts like UTF-16 but does not decode to text; if it is text, re-save it as "
                "UTF-8, else remove it"
            )
        return text
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (contains NUL bytes); only text documents can be indexed")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        at = utf8_error.start
        if _mostly_utf8(raw):
            raise ValueError(
                f"invalid UTF-8 at byte {at} in an otherwise UTF-8 file; "
                "fix that byte or re-save the file as UTF-8"
            ) from utf8_error
        legacy = _legacy_japanese(raw)
        if legacy is None:
            raise ValueError(
                f"not text in UTF-8 (invalid byte at {at}) nor Shift_JIS Japanese; if it is "
                "text, convert it with e.g. `iconv -f <encoding> -t UTF-8`, else remove it"
            ) from utf8_error
        return legacy


def _legacy_japanese(raw: bytes) -> str | None:
    """The bytes as Japanese text in a legacy encoding, or None.

    ``charset-normalizer`` ranks the candidate encodings; the first Japanese one whose text
    reads like Japanese wins. Short Shift_JIS is often ranked as Korean (cp949) first, or not
    offered at all, so CP932 itself is always tried last, under the same test.
    """
    guesses = [m.encoding for m in charset_normalizer.from_bytes(raw)]
    for encoding in [e for e in guesses if e in JAPANESE_ENCODINGS] + ["cp932"]:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_japanese(text):
            return text
    return None


def _mostly_utf8(raw: bytes) -> bool:
    """True when valid three-byte UTF-8 characters (kana, kanji) outnumber invalid bytes.

    Shift_JIS bytes rarely form valid three-byte UTF-8 sequences, so this tells a UTF-8 file
    with a few damaged bytes (which must not be re-read as CP932 mojibake) from Shift_JIS.
    """
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return sum(1 for ch in text if 0x800 <= ord(ch) != 0xFFFD) > bad


def _looks_japanese(text: str) -> bool:
    """Whether CP932-decoded text plausibly is Japanese rather than misread bytes.

    Japanese prose always uses kana; misread Latin-1 or binary yields kanji, half-width
    katakana, control characters and private-use code points instead.
    """
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    kana = len(KANA.findall(text))
    return not _junk(text) and kana >= max(1, 0.05 * non_ascii)


def _junk(text: str) -> int:
    """Control, private-use and unassigned characters: what misread bytes decode to."""
    return sum(
        1 for ch in text if unicodedata.category(ch) in {"Cc", "Co", "Cn"} and ch not in "\t\n\r\f"
    )


def first_line_title(text: str) -> str | None:
    """The first non-empty line, without links or hashtags, as a readable title."""
    for line in text.splitlines():
        line = _URL.sub("", line).strip().lstrip("#").strip()
        if line:
            return line[:120]
    return None


def read_document(path: Path, doc_id: str, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file; ``ValueError`` says why it cannot be indexed."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"{size / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit; split it into "
            "smaller files or raise KOTAE_MAX_FILE_MB"
        )
    text = decode(path.read_bytes())
    html_title: str | None = None
    h1: str | None = None
    chrome: tuple[tuple[int, int], ...] = ()
    if path.suffix.lower() in {".html", ".htm"}:
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        (text, chrome), html_title, h1 = extractor.result(), extractor.title, extractor.h1
    front = front_matter(text) if path.suffix.lower() in MARKDOWN else NONE
    body = text[front.end :]
    if not body.strip():
        raise ValueError("empty (no text to index)")
    furniture, headline = analyse(blank(text, front.end), chrome)
    return Document(
        doc_id=doc_id,
        text=text,
        title=front.title or pick_title(html_title, h1) or headline or first_line_title(body),
        date=front.date or publication_date(body),
        furniture=furniture,
        body_start=front.end,
    )


def read_corpus(
    corpus_dir: Path, max_bytes: int = MAX_BYTES
) -> tuple[list[Document], list[Skipped]]:
    """Every readable document of the folder, and every file skipped with its reason."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for entry in walk(corpus_dir):
        path, doc_id = entry.path, entry.doc_id
        if entry.refusal is not None:
            skipped.append(Skipped(doc_id, entry.refusal))
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append(
                Skipped(doc_id, f"unsupported type '{path.suffix}' (use .txt, .md, .html)")
            )
            continue
        try:
            documents.append(read_document(path, doc_id, max_bytes))
        except (ValueError, OSError) as e:
            skipped.append(Skipped(doc_id, str(e)))
    return _mark_templates(documents), skipped


def _mark_templates(documents: list[Document]) -> list[Document]:
    """Mark the lines a site repeats on many pages (its template) as furniture too."""
    repeated = repeated_lines([blank(d.text, d.body_start) for d in documents])
    if not repeated:
        return documents
    out = []
    for doc in documents:
        text = blank(doc.text, doc.body_start)
        furniture, headline = mark_repeated(text, doc.furniture, repeated)
        if furniture == doc.furniture:
            out.append(doc)
            continue
        html = Path(doc.doc_id).suffix.lower() in {".html", ".htm"}
        titled = html or (doc.body_start > 0 and front_matter(doc.text).title is not None)
        title = doc.title if titled else headline or doc.title
        out.append(replace(doc, furniture=furniture, title=title))
    return out
