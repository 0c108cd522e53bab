"""Corpus files are read only from inside the corpus folder, and only under printable names."""

from __future__ import annotations

import os
from pathlib import Path

from kotae.ingest.reader import read_corpus


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("普天間飛行場の移設について。", encoding="utf-8")
    return corpus


def test_a_link_to_a_file_outside_the_corpus_is_skipped_and_named(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash", encoding="utf-8")
    os.symlink(secret, corpus / "passwd.txt")
    os.symlink("/etc/passwd", corpus / "sub" / "etc.txt")
    documents, skipped = read_corpus(corpus)
    assert [d.doc_id for d in documents] == ["a.txt"]
    assert all("root:x" not in d.text for d in documents)
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == {"passwd.txt", "sub/etc.txt"}
    assert "outside the corpus" in reasons["passwd.txt"] and str(secret) in reasons["passwd.txt"]
    assert "/etc/passwd" in reasons["sub/etc.txt"]


def test_a_linked_folder_outside_the_corpus_is_not_entered(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("外の文書。", encoding="utf-8")
    os.symlink(outside, corpus / "linked")
    documents, skipped = read_corpus(corpus)
    assert [d.doc_id for d in documents] == ["a.txt"]
    assert [s.path for s in skipped] == ["linked"]
    assert "folder outside the corpus" in skipped[0].reason


def test_links_inside_the_corpus_are_read(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    os.symlink("a.txt", corpus / "alias.txt")
    os.symlink("../a.txt", corpus / "sub" / "up.txt")
    documents, skipped = read_corpus(corpus)
    assert [d.doc_id for d in documents] == ["a.txt", "alias.txt", "sub/up.txt"]
    assert skipped == []


def test_a_file_named_with_a_newline_is_skipped_with_a_fix(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    (corpus / "evil\nname.txt").write_text("改行入りの名前。", encoding="utf-8")
    (corpus / "rlo\u202etxt.md").write_text("右から左。", encoding="utf-8")
    documents, skipped = read_corpus(corpus)
    assert [d.doc_id for d in documents] == ["a.txt"]
    by_name = {s.path: s.reason for s in skipped}
    assert set(by_name) == {"evil\\nname.txt", "rlo\\u202etxt.md"}  # shown escaped, one line
    assert all("\n" not in name for name in by_name)
    assert all("rename the file" in reason for reason in by_name.values())
