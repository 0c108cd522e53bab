"""What the benchmarks run on: the bundled corpus, the eval questions, text derived from them."""

from __future__ import annotations

import itertools
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kotae.ingest.chunker import Chunker
from kotae.ingest.records import Document
from kotae.ingest.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"

_JA_PREFIXES = ["", "質問です。", "教えてください。", "確認ですが、", "すみません、", "資料では、"]
_JA_SUFFIXES = ["", " 簡単に", " 詳しく", " 要点だけ", " 根拠も", " 一文で"]
_EN_PREFIXES = ["", "Question: ", "Please tell me: ", "Quick check: ", "I'd like to know: "]
_EN_SUFFIXES = ["", " Briefly.", " In detail.", " Cite the source.", " One sentence please."]
_JA = list(itertools.product(_JA_PREFIXES, _JA_SUFFIXES))
_EN = list(itertools.product(_EN_PREFIXES, _EN_SUFFIXES))


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """The question texts of a JSON Lines question set (only the ``question`` field is read)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def distinct_questions(base: list[str]) -> Iterator[str]:
    """Endless questions never repeated, so no query cache can hit: ``base`` as written, then
    each question rephrased (a polite prefix, a request suffix), one rephrasing per round."""
    for variant in itertools.count():
        for q in base:
            forms = _EN if q.isascii() else _JA
            prefix, suffix = forms[variant % len(forms)]
            tag = f" ({variant // len(forms)})" if variant >= len(forms) else ""
            yield f"{prefix}{q}{suffix}{tag}"


@dataclass(frozen=True)
class SyntheticCorpus:
    path: Path
    documents: int
    chunks: int


def write_synthetic_corpus(
    documents: list[Document],
    n_chunks: int,
    dest: Path,
    chunker: Chunker,
    seed: int = 0,
    paragraphs_per_doc: int = 12,
) -> SyntheticCorpus:
    """Documents of shuffled real sentences, written to ``dest`` until ``n_chunks`` passages.

    Sentences keep the corpus' vocabulary and length distribution, so tokenising, embedding
    and BM25 cost what real Japanese text costs; paragraphs of 2-6 sentences give the
    splitter the same structure to cut at.
    """
    rng = random.Random(seed)
    sentences = [d.text[s:e] for d in documents for s, e in split_sentences(d.text)]
    if not sentences:
        raise ValueError("the corpus holds no sentence to build a synthetic corpus from")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    total = n_docs = 0
    while total < n_chunks:
        paragraphs = [
            "".join(rng.choices(sentences, k=rng.randint(2, 6))) for _ in range(paragraphs_per_doc)
        ]
        text = f"合成文書 {n_docs + 1}\n\n" + "\n\n".join(paragraphs) + "\n"
        doc_id = f"syn_{n_docs:05d}.txt"
        total += len(chunker.split(Document(doc_id, text)))
        (dest / doc_id).write_text(text, encoding="utf-8")
        n_docs += 1
    return SyntheticCorpus(dest, n_docs, total)


def truncated_corpus(source: Path, dest: Path, n_files: int, chars: int | None) -> Path:
    """The first ``n_files`` documents of ``source``, each cut to its first ``chars`` characters."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for f in sorted(p for p in source.iterdir() if p.is_file())[:n_files]:
        text = f.read_text(encoding="utf-8")
        (dest / f.name).write_text(text[:chars] if chars else text, encoding="utf-8")
    return dest


def subset_folder(source: Path, dest: Path, n_files: int) -> Path:
    """A copy of the first ``n_files`` files of ``source`` (sorted by name)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for f in sorted(p for p in source.iterdir() if p.is_file())[:n_files]:
        shutil.copy(f, dest / f.name)
    return dest
