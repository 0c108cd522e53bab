"""lab.withheld: a collection from outside data with part of each article's answers withheld.

Cheap (a made-up source in JaQuAD's format, no model, no index): the near-topic questions it
writes must be ones the written text cannot answer, and the answerable ones must have exactly
one right place, or the not-found rates read from them mean nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import load_questions
from kotae.ingest.text import nfkc
from lab.withheld import build


def _article(title: str, n: int) -> dict:
    paragraphs = []
    for i in range(n):
        answer = f"{title}の答え{i}"
        context = f"{title}について第{i}段落。ここに{answer}がある。"
        paragraphs.append(
            {
                "context": context,
                "qas": [
                    {
                        "id": f"{title}-{i}-{k}",
                        "question": f"{title}の{i}番目の問い{k}は？",
                        "answers": [{"text": answer, "answer_start": context.index(answer)}],
                    }
                    for k in range(2)
                ],
            }
        )
    return {"title": title, "paragraphs": paragraphs}


def test_withheld_questions_are_unanswerable_and_kept_ones_unique(tmp_path: Path) -> None:
    source = tmp_path / "dev.json"
    data = [_article(f"記事{a}", 6) for a in range(8)]
    source.write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "wh"
    sizes = build(source, out, n_articles=5, withhold=0.3, per_paragraph=2, seed=1)

    files = sorted((out / "corpus").glob("*.txt"))
    assert len(files) == sizes["articles"] == 5
    text = nfkc("\n".join(p.read_text(encoding="utf-8") for p in files))
    assert sizes["paragraphs withheld"] == 5 * 2  # round(6 × 0.3) of each article
    assert sizes["paragraphs kept"] == 5 * 4

    docs = {p.name: p.read_text(encoding="utf-8") for p in files}
    questions = load_questions(out / "questions.jsonl", docs)
    assert len(questions) == sizes["questions"] == 5 * 4 * 2
    for q in questions:
        ((doc, answers),) = q.relevant.items()
        assert nfkc(docs[doc]).count(nfkc(answers[0])) == 1

    near = load_offtopic(out / "near.jsonl")
    assert len(near) == sizes["near"] == 5 * 2 * 2
    answer_of = {
        qa["question"]: qa["answers"][0]["text"]
        for a in data
        for p in a["paragraphs"]
        for qa in p["qas"]
    }
    for o in near:
        assert nfkc(answer_of[o.question]) not in text
        assert o.question.split("の")[0] + ".txt" in docs  # its article is in the collection

    far = load_offtopic(out / "far.jsonl")
    assert far and all(o.question.split("の")[0] + ".txt" not in docs for o in far)
    assert "CC BY-SA" in (out / "README.md").read_text(encoding="utf-8")
