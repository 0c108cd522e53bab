"""A collection from outside data with some answers withheld: JaQuAD dev articles, part of each
article's paragraphs left out.

    python -m lab.withheld --out DIR          # DIR/corpus, questions.jsonl, near.jsonl, far.jsonl
                                              # (again: nothing to do when DIR holds the same)
    kotae eval --corpus DIR/corpus --questions DIR/questions.jsonl --index-dir DIR/index \\
        --offtopic DIR/near.jsonl --offtopic DIR/far.jsonl --json

kotae's "not found" decision and sentence scorer were fitted on its dev sets, and the near-topic
questions that test abstention are a few dozen written by hand (eval/offtopic-twoplus.jsonl,
eval/offtopic-jsquad.jsonl). This makes the same kinds of question, hundreds of them, from data
that is neither a dev set nor the reader's training split: each kept paragraph's questions are
answerable (``questions.jsonl``); the questions of a withheld paragraph are *near-topic* — the
collection holds its article, not its answer (``near.jsonl``; only those whose answer string the
collection's text does not hold anywhere); questions of articles left out altogether are
off-topic of the ordinary kind (``far.jsonl``). A fit on it is a fit on outside data, and every
dev set stays a held-out measure (``lab.fit_answers --with withheld --fit-on withheld``).

JaQuAD is CC BY-SA 3.0 (../shared/train-sets/README.md): the written folder is a derived work,
for the lab only; it is not committed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from kotae.ingest.text import nfkc
from lab.provenance import ROOT
from lab.reader.examples import articles, sha256

SHARED = ROOT.parent / "shared"
DEV = SHARED / "train-sets" / "jaquad" / "dev.json"
JSQUAD = SHARED / "dev-sets" / "jsquad-test" / "corpus"
RECORD = "withheld.json"  # the recipe and the sizes a folder was written with


def split_article(
    paragraphs: list[dict], rng: random.Random, withhold: float
) -> tuple[list[dict], list[dict]]:
    """Kept and withheld paragraphs, in the article's order; at least one of each when the
    article has three paragraphs or more, none withheld otherwise."""
    n = len(paragraphs)
    k = max(1, round(n * withhold)) if n >= 3 else 0
    out = set(rng.sample(range(n), k))
    kept = [p for i, p in enumerate(paragraphs) if i not in out]
    return kept, [p for i, p in enumerate(paragraphs) if i in out]


def file_name(title: str) -> str:
    return title.replace("/", "／") + ".txt"


def build(
    source: Path, out: Path, n_articles: int, withhold: float, per_paragraph: int, seed: int
) -> dict[str, int]:
    """Write the corpus and the three question files; return their sizes."""
    rng = random.Random(seed)
    known = {p.stem for p in JSQUAD.glob("*.txt")} if JSQUAD.is_dir() else set()
    data = [a for a in articles(source) if a["title"] not in known]
    rng.shuffle(data)
    inside, outside = data[:n_articles], data[n_articles:]
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    kept_text: dict[str, str] = {}
    withheld: dict[str, list[dict]] = {}
    kept_of: dict[str, list[dict]] = {}
    for a in inside:
        kept, held = split_article(a["paragraphs"], rng, withhold)
        body = "\n\n".join(p["context"].strip() for p in kept)
        text = f"{a['title']}\n\n{body}\n"
        (corpus / file_name(a["title"])).write_text(text, encoding="utf-8")
        kept_text[a["title"]] = nfkc(text)
        kept_of[a["title"]], withheld[a["title"]] = kept, held
    everything = "\n".join(kept_text.values())
    questions, near, far = [], [], []
    for title, kept in kept_of.items():
        for p in kept:
            for qa in _sample(p["qas"], per_paragraph, rng):
                answer = qa["answers"][0]["text"]
                if kept_text[title].count(nfkc(answer)) != 1:
                    continue  # the paragraph holding it must be the only right one
                questions.append(
                    {
                        "id": qa["id"],
                        "question": qa["question"],
                        "lang": "ja",
                        "doc": file_name(title),
                        "answers": [answer],
                    }
                )
        for p in withheld[title]:
            for qa in _sample(p["qas"], per_paragraph, rng):
                if all(nfkc(a["text"]) not in everything for a in qa["answers"]):
                    near.append({"id": qa["id"], "question": qa["question"], "lang": "ja"})
    for a in outside:
        p = rng.choice(a["paragraphs"])
        for qa in _sample(p["qas"], 2, rng):
            if all(nfkc(x["text"]) not in everything for x in qa["answers"]):
                far.append({"id": qa["id"], "question": qa["question"], "lang": "ja"})
    for name, rows in (("questions", questions), ("near", near), ("far", far)):
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    sizes = {
        "articles": len(inside),
        "paragraphs kept": sum(map(len, kept_of.values())),
        "paragraphs withheld": sum(map(len, withheld.values())),
        "questions": len(questions),
        "near": len(near),
        "far": len(far),
    }
    made = {**recipe(source, n_articles, withhold, per_paragraph, seed), **sizes}
    (out / RECORD).write_text(json.dumps(made, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "README.md").write_text(
        "# A withheld-answer collection (lab.withheld)\n\nJaQuAD dev (CC BY-SA 3.0, So et al. "
        f"2022), derived by `python -m lab.withheld`; for the lab only. Recipe: {RECORD}.\n",
        encoding="utf-8",
    )
    return sizes


def recipe(
    source: Path, n_articles: int, withhold: float, per_paragraph: int, seed: int
) -> dict[str, object]:
    """What decides the collection: the same recipe writes the same files."""
    return {
        "source": f"JaQuAD dev.json sha256:{sha256(source)}",
        "n_articles": n_articles,
        "withhold": withhold,
        "per_paragraph": per_paragraph,
        "seed": seed,
    }


def made_by(out: Path) -> dict[str, object] | None:
    """The recipe a folder was written by (its record), or None."""
    record = out / RECORD
    return json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None


def _sample(qas: list[dict], n: int, rng: random.Random) -> list[dict]:
    return rng.sample(qas, min(n, len(qas)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=DEV)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--withhold", type=float, default=0.3, help="share of paragraphs left out")
    ap.add_argument("--per-paragraph", type=int, default=2, help="questions a paragraph")
    ap.add_argument("--seed", type=int, default=27)
    args = ap.parse_args(argv)
    want = recipe(args.source, args.articles, args.withhold, args.per_paragraph, args.seed)
    if (args.out / "corpus").exists():
        had = made_by(args.out)
        if had and all(had.get(k) == v for k, v in want.items()):
            print(f"{args.out}: already written by this recipe")
            return
        raise SystemExit(f"{args.out / 'corpus'} holds another collection: choose a new --out")
    sizes = build(
        args.source, args.out, args.articles, args.withhold, args.per_paragraph, args.seed
    )
    print(json.dumps(sizes, ensure_ascii=False))


if __name__ == "__main__":
    main()
