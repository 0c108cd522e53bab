"""Does leaving furniture out of retrieval help? Four variants on one built index.

    python -m lab.furniture_ablation --index-dir DIR [--questions FILE]

Variants: furniture sentences excluded from a passage's best sentence (dense) or not, and
furniture lines left out of the passages' BM25 tokens (lexical): none, all, or all but the
searchable kinds (the default, index.builder.lexical_texts). Query-time only:
the lexical index is rebuilt in memory from the stored texts, vectors are the index's own.
Prints a Markdown table (the one recorded in ``git show b69ad21:eval/README.md``).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from kotae.eval import QUESTIONS_FILE
from kotae.eval.run import score_questions
from kotae.index.builder import lexical_texts
from kotae.index.embedders import make_embedder
from kotae.index.lexical import LexicalIndex
from kotae.index.search import QueryEncoder, Ranking, Retriever
from kotae.index.snapshot import Snapshot
from kotae.ingest.furniture import without
from kotae.settings import Settings
from lab.sweep import CUTOFFS, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    args = parser.parse_args()
    settings = Settings(index_dir=args.index_dir)
    snapshot = Snapshot.load(args.index_dir, settings)
    encoder = QueryEncoder(make_embedder(settings))
    documents = list(snapshot.documents.values())
    by_id = snapshot.documents
    lexical = {
        "no": LexicalIndex.build([c.text for c in snapshot.chunks]),
        "all": LexicalIndex.build(
            [
                without(by_id[c.doc_id].text, by_id[c.doc_id].furniture, c.start, c.end)
                for c in snapshot.chunks
            ]
        ),
        "all but dates, bylines, tweets, hashtags": LexicalIndex.build(
            lexical_texts(documents, snapshot.chunks)
        ),
    }
    print(
        "| dense: skip furniture sentences | lexical: furniture left out | R@1 | R@5 | MRR@10 "
        "| nDCG@10 | ja R@5 / MRR | en R@5 / MRR | chars |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for dense_skip in (False, True):
        for name, index in lexical.items():
            variant = replace(snapshot, lexical=index)
            ranking = replace(Ranking.from_settings(settings), skip_furniture_sentences=dense_skip)
            result = score_questions(Retriever(variant, encoder, ranking), args.questions, CUTOFFS)
            print(row(f"{'yes' if dense_skip else 'no'} | {name}", result))


if __name__ == "__main__":
    main()
