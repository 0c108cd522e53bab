"""NIILC's questions as reader groups: questions written by people who did not read the text.

JaQuAD's questions were written from their paragraph, so they repeat its words; the reader
trained on them alone reads residents' wording, paraphrases and English as less relevant
(eval/README.md, the reader). NIILC-ECQA2015 (``../shared/train-sets/niilc``) asks factoid
questions the way people ask them (「ワールドカップは何年に一度開催されるの？」) and, for most,
names the Wikipedia sentence that answers (``E.5``) and its article (``E.3``). There is no
article text, so each question's negatives are sentences of JaQuAD: those of the same article
where JaQuAD holds it, then those of other articles a lexical search (character-bigram BM25,
``examples.other_articles``) finds for the question. A negative holding any of the question's
answers is left out: it may well answer too.

    python -m lab.reader.niilc service/reader/model /tmp/other-reader   # rate on NIILC test

rates reader directories against plain e5 cosine on ``NIILC-ECQA2015_test.xml`` (the training
command reads only ``_dev.xml``): the answering sentence first among it and its negatives, and
how well the reader's logit tells the answering sentence from the best negative (AUC).
"""

from __future__ import annotations

import argparse
import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.ingest.text import nfkc
from kotae.service.reader.model import Reader
from lab.provenance import ROOT
from lab.reader.dev import cosine_baseline
from lab.reader.examples import Group, Paragraph, other_articles, read_groups, take

NIILC = ROOT.parent / "shared" / "train-sets" / "niilc"
JAQUAD = ROOT.parent / "shared" / "train-sets" / "jaquad"


@dataclass(frozen=True)
class Asked:
    """One NIILC question with the sentence that answers it."""

    qid: str
    question: str
    answers: tuple[str, ...]
    article: str  # E.3
    evidence: str  # E.5


def asked(path: Path) -> list[Asked]:
    """The questions of a NIILC-ECQA2015 file that name an evidence sentence."""
    out = []
    for q in ET.parse(path).getroot().iter("question"):
        meta = q.find("meta")
        evidence = (meta.findtext("E.5") if meta is not None else "") or ""
        article = (meta.findtext("E.3") if meta is not None else "") or ""
        answers = tuple(a.text.strip() for a in q.iter("answer") if a.text and a.text.strip())
        if evidence.strip() and answers:
            text = (q.findtext("text") or "").strip()
            out.append(Asked(q.get("id", ""), text, answers, article.strip(), evidence.strip()))
    return out


def answer_span(item: Asked) -> tuple[int, int]:
    """The first answer's [start, end) in the evidence as written (not NFKC'd, so the span
    indexes the sentence), or (0, 0) when no answer is written there (the span head then
    learns nothing from this question)."""
    for answer in item.answers:
        at = item.evidence.find(answer)
        if at >= 0:
            return at, at + len(answer)
    return 0, 0


def holds_answer(item: Asked, sentence: str) -> bool:
    text = nfkc(sentence)
    return any(nfkc(a) in text for a in item.answers)


def niilc_groups(
    path: Path, paragraphs: Sequence[Paragraph], negatives: int, seed: int
) -> list[Group]:
    """Every evidence-backed question of ``path`` as a :class:`Group`: the evidence sentence,
    then up to ``negatives`` JaQuAD sentences (same article first, then other articles BM25
    finds), each read after its article's title."""
    items = asked(path)
    by_article: dict[str, list[str]] = {}
    for p in paragraphs:
        by_article.setdefault(nfkc(p.article), []).extend(p.sentences)
    pending = [(it.qid, it.article, it.question) for it in items]
    found = other_articles(pending, paragraphs, k=negatives + 4)
    rng = random.Random(seed)
    groups = []
    for it, far in zip(items, found, strict=True):
        same = [
            (it.article, s)
            for s in by_article.get(nfkc(it.article), [])
            if not holds_answer(it, s) and nfkc(s) != nfkc(it.evidence)
        ]
        rng.shuffle(same)
        hard = [(t, s) for t, s in far if not holds_answer(it, s)]
        picks = take(negatives, same[:3], hard)
        if len(picks) < negatives:
            continue
        groups.append(
            Group(
                it.qid,
                it.article,
                it.question,
                it.answers[0],
                (it.evidence, *(s for _, s in picks)),
                answer_span(it),
                (it.article, *(t for t, _ in picks)),
            )
        )
    return groups


def jaquad_paragraphs(seed: int) -> list[Paragraph]:
    """JaQuAD train's paragraphs, cut into sentences by the index's own rule."""
    _, paragraphs = read_groups(JAQUAD / "train.json", negatives=0, seed=seed)
    return paragraphs


def rate(reader: Reader, groups: Sequence[Group]) -> dict[str, float]:
    """The answering sentence first among its group, and the AUC of its logit against the
    best negative's (answering vs not, over all groups)."""
    first, pos, neg = 0, [], []
    for g in groups:
        scores = reader.read(g.question, g.sentences, g.titles).scores
        first += int(np.argmax(scores)) == 0
        pos.append(float(scores[0]))
        neg.append(float(scores[1:].max()))
    return {"first": round(first / len(groups), 4), "auc": round(auc(pos, neg), 4)}


def cosine_first(groups: Sequence[Group]) -> float:
    """Plain e5 cosine's answering sentence first, on the same groups."""
    return cosine_baseline([(g, list(g.sentences), 0) for g in groups])


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """P(a positive outscores a negative), ties counting half."""
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Rate reader directories on NIILC test.")
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--file", type=Path, default=NIILC / "NIILC-ECQA2015_test.xml")
    ap.add_argument("--negatives", type=int, default=7)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    groups = niilc_groups(args.file, jaquad_paragraphs(args.seed), args.negatives, args.seed)
    cosine = {"model": "e5 cosine", "questions": len(groups), "first": cosine_first(groups)}
    print(json.dumps(cosine), flush=True)
    for model in args.models:
        print(json.dumps({"model": str(model), **rate(Reader(model), groups)}), flush=True)


if __name__ == "__main__":
    main()
