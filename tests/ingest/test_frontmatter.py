"""Markdown front matter: title and date read from it, its lines never cut into passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.index.snapshot import Snapshot
from kotae.ingest import Chunk, Chunker, Document, read_corpus
from kotae.ingest.frontmatter import NONE, front_matter
from kotae.settings import Settings

BODY = "# 普天間飛行場の移設\n\n2006年5月1日の合意で、移設先は辺野古とされた。\n" * 3
FRONT = '---\ntitle: "日米合意の記録"\ndate: 2024-07-28\ntags:\n  - 普天間\nlayout: post\n---\n'


@pytest.mark.parametrize(
    ("text", "title", "date"),
    [
        ("---\ntitle: 移設の経緯\ndate: 2024-07-28\n---\n本文", "移設の経緯", "2024-07-28"),
        ("---\r\nTitle: 'It''s 2+2'\r\n---\r\n本文", "It's 2+2", None),
        ('---\ntitle: "a \\"quoted\\" title"  \n---\n', 'a "quoted" title', None),
        ("---\ntitle: 移設 # note\ndate: '2024-07-28T10:00+09:00'\n---\n", "移設", "2024-07-28"),
        ("---\ndate: 2024年7月28日\n---\n本文", None, "2024-07-28"),
        ("---\ntitle: >\n  folded\ndate: someday\n---\n本文", None, None),
        ("---\n---\n本文", None, None),
    ],
)
def test_title_and_date_are_read_from_the_block(
    text: str, title: str | None, date: str | None
) -> None:
    front = front_matter(text)
    assert (front.title, front.date) == (title, date)
    assert front.end == text.index("---", 3) + len("---\n") + text.startswith("---\r\n")


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: 閉じない\n本文。",  # no closing fence
        "---\n普天間の移設について。\n---\n",  # a Markdown rule, then prose
        "本文\n---\ntitle: x\n---\n",  # not at the very top
        " ---\ntitle: x\n---\n",
    ],
)
def test_anything_else_is_no_front_matter(text: str) -> None:
    assert front_matter(text) is NONE


def _read(folder: Path, name: str, text: str) -> tuple[str, Document, list[Chunk]]:
    """The file's text as written, its document and its passages."""
    (folder / name).write_bytes(text.encode("utf-8"))
    docs, skipped = read_corpus(folder)
    assert not skipped
    (doc,) = docs
    return (folder / name).read_bytes().decode("utf-8"), doc, Chunker(60, 10).split(doc)


def test_a_markdown_file_takes_its_title_and_date_and_its_block_is_never_quoted(
    tmp_path: Path,
) -> None:
    source, doc, chunks = _read(tmp_path, "note.md", FRONT + BODY)
    assert (doc.title, doc.date) == ("日米合意の記録", "2024-07-28")
    assert doc.text == source and doc.body_start == len(FRONT)  # offsets stay the file's
    assert chunks and all(c.start >= len(FRONT) for c in chunks)
    assert all(source[c.start : c.end] == c.text for c in chunks)
    assert not any(w in c.text for c in chunks for w in ("---", "title:", "layout", "tags"))
    assert {c.date for c in chunks} <= {"2024-07-28", "2006-05-01"}


def test_without_a_title_in_the_block_the_title_comes_from_the_text(tmp_path: Path) -> None:
    _, doc, chunks = _read(tmp_path, "note.md", "---\nlayout: post\n---\n" + BODY)
    assert (doc.title, doc.date) == ("普天間飛行場の移設", "2006-05-01")
    assert all(c.start >= len("---\nlayout: post\n---\n") for c in chunks)


def test_a_file_of_front_matter_only_is_empty(tmp_path: Path) -> None:
    (tmp_path / "only.md").write_text(FRONT, encoding="utf-8")
    assert [s.reason for s in read_corpus(tmp_path)[1]] == ["empty (no text to index)"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plain.txt", FRONT + BODY),  # front matter is a Markdown convention
        ("unclosed.md", "---\ntitle: 閉じない\n" + BODY),  # malformed: read as text
    ],
)
def test_other_files_are_read_as_text_whole(tmp_path: Path, name: str, text: str) -> None:
    source, doc, chunks = _read(tmp_path, name, text)
    assert doc.body_start == 0 and chunks[0].start == 0
    assert "title:" in chunks[0].text
    assert all(source[c.start : c.end] == c.text for c in chunks)


def test_a_site_of_markdown_pages_keeps_each_front_matter_title(tmp_path: Path) -> None:
    """Lines every page repeats (the template) are marked in the text, not in the block."""
    for n in range(4):
        head = f"---\ntitle: 記録{n}\nlayout: post\n---\n" if n else "---\nlayout: post\n---\n"
        (tmp_path / f"p{n}.md").write_text(f"{head}沖縄ニュース\n# 見出し{n}\n{BODY}", "utf-8")
    docs = {d.doc_id: d for d in read_corpus(tmp_path)[0]}
    assert [docs[f"p{n}.md"].title for n in range(4)] == ["見出し0", "記録1", "記録2", "記録3"]
    banner = docs["p1.md"].text.index("沖縄ニュース")
    assert (banner, banner + len("沖縄ニュース")) in docs["p1.md"].furniture


def test_the_index_keeps_where_the_text_begins_and_never_finds_the_block(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text(FRONT + BODY, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx" / "index")
    IndexBuilder(settings, embedder).build()
    snapshot = Snapshot.load(settings.index_dir, settings)
    assert snapshot.documents["note.md"].body_start == len(FRONT)
    assert all(c.start >= len(FRONT) for c in snapshot.chunks)
    assert not snapshot.lexical.has_term("layout") and snapshot.lexical.has_term("辺野古")
