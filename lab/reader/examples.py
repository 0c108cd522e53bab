"""Training groups for the reader from JaQuAD: one question, the sentence that answers it, and
sentences that do not.

kotae's reader scores the *sentences* of the passages retrieval returns, so it is trained on
sentences cut by the index's own rule (``kotae.ingest.text.split_sentences``). Each group holds
the answering sentence (with the answer's character span inside it) and negatives of three
kinds, hardest first: other sentences of the same paragraph, sentences of other paragraphs of
the same article, and sentences of *other* articles that a lexical search (BM25 over character
bigrams, the kind of passage kotae's own retrieval brings back) finds for the question. A
negative that contains the answer's text is left out: it may well answer too.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from kotae.ingest.text import nfkc, split_sentences


@dataclass(frozen=True)
class Group:
    """One question with its answering sentence first, then its negatives."""

    qid: str
    article: str
    question: str
    answer: str
    sentences: tuple[str, ...]  # sentences[0] answers
    span: tuple[int, int]  # the answer's [start, end) in sentences[0]
    titles: tuple[str, ...] = ()  # each sentence's article title (the reader reads it too)


Titled = list[tuple[str, str]]  # (what is read before it: title or context, sentence)


@dataclass(frozen=True)
class Paragraph:
    article: str
    sentences: tuple[str, ...]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def articles(path: Path) -> list[dict]:
    data: list[dict] = json.loads(path.read_text(encoding="utf-8"))["data"]
    return data


def sentences_of(context: str) -> list[tuple[int, int]]:
    return split_sentences(context)


def answering_span(spans: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The sentences [first, last] the answer [start, end) lies in (one, or a few when it
    crosses a sentence end)."""
    first = next((i for i, (s, e) in enumerate(spans) if start < e), len(spans) - 1)
    last = next((i for i, (s, e) in enumerate(spans) if end <= e), len(spans) - 1)
    return first, max(first, last)


def bigrams(text: str) -> list[str]:
    t = nfkc(text).lower()
    return [t[i : i + 2] for i in range(len(t) - 1) if not t[i : i + 2].isspace()]


def read_groups(
    path: Path, negatives: int, seed: int, context: int = 0
) -> tuple[list[Group], list[Paragraph]]:
    """Every answerable question of a SQuAD-format file as a :class:`Group` with up to
    ``negatives`` negatives, and every paragraph (for retrieval negatives and evaluation).

    Each sentence is paired with what the reader reads before it (``Group.titles``): its
    article's title, or with ``context`` > 0 the last ``context`` characters of the sentence
    before it in its paragraph (:func:`lead`)."""
    rng = random.Random(seed)
    pending: list[tuple[str, str, str, str, str, tuple[int, int], Titled, Titled, str]] = []
    paragraphs: list[Paragraph] = []
    for art in articles(path):
        title = art["title"]
        cut = [(p["context"], sentences_of(p["context"])) for p in art["paragraphs"]]
        split = [[text[s:e] for s, e in spans] for text, spans in cut]
        for k, (text, spans) in enumerate(cut):
            texts = split[k]
            paragraphs.append(Paragraph(title, tuple(texts)))
            if not spans:
                continue
            others = [
                (lead(title, sentences, i, context), s)
                for j, sentences in enumerate(split)
                if j != k
                for i, s in enumerate(sentences)
            ]
            for qa in art["paragraphs"][k]["qas"]:
                ans = qa["answers"][0]
                a, b = ans["answer_start"], ans["answer_start"] + len(ans["text"])
                first, last = answering_span(spans, a, b)
                s0, e0 = spans[first][0], spans[last][1]
                if not (s0 <= a and b <= e0):
                    continue
                before = lead(title, texts, first, context)
                key = nfkc(ans["text"])
                same = [
                    (lead(title, texts, i, context), t)
                    for i, t in enumerate(texts)
                    if not first <= i <= last and key not in nfkc(t)
                ]
                far = [(c, t) for c, t in others if key not in nfkc(t)]
                pending.append(
                    (
                        qa["id"],
                        title,
                        qa["question"],
                        ans["text"],
                        text[s0:e0],
                        (a - s0, b - s0),
                        same,
                        far,
                        before,
                    )
                )
    found = other_articles(pending, paragraphs, context=context)
    groups = []
    for (qid, title, question, answer, positive, span, same, far, before), found_here in zip(
        pending, found, strict=True
    ):
        hard = [(a, t) for a, t in found_here if nfkc(answer) not in nfkc(t)]
        rng.shuffle(same)
        rng.shuffle(far)
        picks = take(negatives, same[:3], hard[:2], far[:2], same[3:], far[2:], hard[2:])
        groups.append(
            Group(
                qid,
                title,
                question,
                answer,
                (positive, *(t for _, t in picks)),
                span,
                (before, *(a for a, _ in picks)),
            )
        )
    return groups, paragraphs


def lead(title: str, sentences: Sequence[str], i: int, context: int) -> str:
    """What the reader reads before sentence ``i`` of a paragraph: the article's title, or with
    ``context`` > 0 the end of the sentence before it (none for the first)."""
    if not context:
        return title
    return sentences[i - 1][-context:] if i > 0 else ""


def take(n: int, *pools: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Up to ``n`` distinct (title, text) pairs (distinct by text), from the pools in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pool in pools:
        for item in pool:
            if len(out) == n:
                return out
            if item[1] not in seen:
                seen.add(item[1])
                out.append(item)
    return out


def other_articles(
    pending: Sequence[tuple], paragraphs: Sequence[Paragraph], k: int = 6, context: int = 0
) -> list[list[tuple[str, str]]]:
    """Per question, the sentences of other articles BM25 (character bigrams) ranks highest,
    each with what the reader reads before it (:func:`lead`)."""
    flat = [(p.article, s) for p in paragraphs for s in p.sentences]
    leads = [
        lead(p.article, p.sentences, i, context)
        for p in paragraphs
        for i in range(len(p.sentences))
    ]
    bm25 = bm25s.BM25()
    bm25.index([bigrams(s) or ["∅"] for _, s in flat], show_progress=False)
    queries = [bigrams(item[2]) or ["∅"] for item in pending]
    found: list[list[tuple[str, str]]] = []
    for a in range(0, len(queries), 2000):
        ids, _ = bm25.retrieve(queries[a : a + 2000], k=k + 6, show_progress=False)
        for item, row in zip(pending[a : a + 2000], np.asarray(ids), strict=True):
            found.append([(leads[i], flat[i][1]) for i in row if flat[i][0] != item[1]][:k])
    return found


def titles(groups: Iterable[Group]) -> set[str]:
    return {g.article for g in groups}
