"""Sweep chunking and ranking parameters on a question set; print a Markdown table.

    python -m lab.sweep [--questions FILE] [--corpus DIR] [--work DIR]

Chunking settings need a rebuild; embeddings are cached by text across builds, so sentences
shared by several chunkings are embedded once. Ranking settings are query-time only.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np

from kotae.eval import QUESTIONS_FILE
from kotae.eval.run import EvalResult, score_questions
from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder, make_embedder
from kotae.index.search import QueryEncoder, Ranking, Retriever
from kotae.index.snapshot import Snapshot
from kotae.settings import Settings


class CachedEmbedder(Embedder):
    """Wraps an embedder with a per-text cache kept on disk (sweeps re-embed the same text)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.name, self.model, self.dim = inner, inner.name, inner.model, inner.dim
        self.path = path
        self._cache: dict[tuple[str, bool], np.ndarray] = {}
        if path.is_file():
            with open(path, "rb") as f:
                self._cache = pickle.load(f)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if (t, is_query) not in self._cache]
        if todo:
            for t, v in zip(todo, self.inner._encode(todo, is_query), strict=True):
                self._cache[(t, is_query)] = v
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as f:
                pickle.dump(self._cache, f)
        return np.stack([self._cache[(t, is_query)] for t in texts])


def row(label: str, result: EvalResult) -> str:
    m, ja, en = result.metrics(), result.metrics("ja"), result.metrics("en")
    return (
        f"| {label} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} "
        f"| {m['ndcg@10']:.3f} | {ja['recall@5']:.3f} / {ja['mrr@10']:.3f} "
        f"| {en['recall@5']:.3f} / {en['mrr@10']:.3f} | {m['mean_passage_chars']:.0f} |"
    )


CUTOFFS = [1, 3, 5, 10]
HEADER = (
    "| setting | R@1 | R@5 | MRR@10 | nDCG@10 | ja R@5 / MRR | en R@5 / MRR | chars |\n"
    "|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/kotae-sweep"))
    parser.add_argument("--chunking", default="200/40,300/60,400/0,400/40,400/80,400/120,500/100")
    parser.add_argument("--base", default="400/80", help="chunking for the ranking sweeps")
    args = parser.parse_args()
    base = Settings(corpus_dir=args.corpus)
    embedder = CachedEmbedder(make_embedder(base), args.work / "embeddings.pkl")
    encoder = QueryEncoder(embedder)
    default = Ranking.from_settings(base)
    snapshots: dict[str, Snapshot] = {}
    for spec in args.chunking.split(","):
        size, overlap = (int(x) for x in spec.split("/"))
        s = Settings(
            **{
                **base.model_dump(),
                "chunk_size": size,
                "chunk_overlap": overlap,
                "index_dir": args.work / f"c{size}-{overlap}" / "index",
            }
        )
        IndexBuilder(s, embedder, progress=_quiet).build()
        snapshots[spec] = Snapshot.load(s.index_dir, s)

    def show(label: str, snap: Snapshot, **change: object) -> None:
        ranking = replace(default, **change)  # type: ignore[arg-type]
        print(
            row(
                label,
                score_questions(Retriever(snap, encoder, ranking), args.questions, [1, 3, 5, 10]),
            ),
            flush=True,
        )

    print("### Chunking (default ranking)\n\n" + HEADER)
    for spec, snap in snapshots.items():
        for kind in ("dense", "lexical", "hybrid"):
            show(f"{spec} {kind}", snap, kind=kind)

    snap = snapshots[args.base]
    print(f"\n### Ranking on {args.base} (one setting changed from the defaults)\n\n" + HEADER)
    show("hybrid (defaults)", snap)
    for kind, sw in itertools.product(("dense", "hybrid"), (0.0, 0.3, 0.5, 0.7, 1.0)):
        show(f"{kind} sentence_weight={sw}", snap, kind=kind, sentence_weight=sw)
    for norm, lw in itertools.product(("coverage", "minmax"), (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7)):
        show(f"hybrid {norm} lexical_weight={lw}", snap, lexical_norm=norm, lexical_weight=lw)
    for lw in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        show(f"hybrid english_lexical_weight={lw}", snap, english_lexical_weight=lw)
    for kind, yb in itertools.product(("dense", "hybrid"), (0.0, 0.05, 0.1, 0.2, 0.3)):
        show(f"{kind} year_boost={yb}", snap, kind=kind, year_boost=yb)


class _quiet:
    def __init__(self, **_: object) -> None: ...
    def update(self, _: int) -> None: ...
    def close(self) -> None: ...


if __name__ == "__main__":
    main()
