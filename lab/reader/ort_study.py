"""How fast the reader runs in ONNX Runtime, fp32 and dynamic int8, against the numpy runtime.

    pip install onnx onnxruntime          # not kotae dependencies: this study only
    python -m lab.reader.ort_study

The shipped reader (service/reader/model/) is rebuilt in torch (``lab.reader.to_torch``), its
body from the embeddings up exported to ONNX (the word-table lookup stays in numpy, as in the
product), and dynamic int8 made with ``onnxruntime.quantization``. The four (question, sentence)
pairs below are read by each runtime as one padded batch and one pair at a time (no padding,
as the numpy runtime packs them); the table gives the mean time over 30 reads and the largest
difference of the relevance logits from the numpy runtime's. Session 8 measured, on 2 idle
cores, two runs: numpy packed 62 / 44 ms; ORT fp32 one at a time 27 / 30 ms (logits equal to
6e-6); ORT int8 one at a time 16 / 15 ms (logits off by up to 0.70, so its ranking and spans
would need measuring); the fp32 graph is 43.5 MB (all six layers), int8 11.7 MB.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from kotae.service.reader.e5file import bundled
from kotae.service.reader.encoder import pad_batch
from kotae.service.reader.model import MODEL_DIR, Reader
from lab.reader.to_torch import E5Torch

QUESTION = "2023年の2+2はどこで開かれた？"
SENTENCES = (
    "2023年1月11日、ワシントンD.C.において日米安全保障協議委員会が開催された。",
    "閣僚は、インド太平洋地域における安全保障環境が一層厳しさを増していることを確認した。",
    "日本側からは林外務大臣及び浜田防衛大臣が、米側からはブリンケン国務長官及びオースティン"
    "国防長官が出席した。",
    "閣僚は、普天間飛行場の代替施設をキャンプ・シュワブ辺野古崎地区及びこれに隣接する水域に"
    "建設することが、運用上、政治上、財政上及び戦略上の懸念に対処し、普天間飛行場の継続的な"
    "使用を回避するための唯一の解決策であることを再確認した。",
)


class ReaderBody(nn.Module):
    """The shipped reader from its word embeddings [B, T, H] and mask [B, T] to its logits."""

    def __init__(self, layers: int) -> None:
        super().__init__()
        with np.load(MODEL_DIR / "weights.npz") as npz:
            weights = {k: npz[k].astype(np.float32) for k in npz.files}
        heads = {k: weights.pop(k) for k in list(weights) if k.startswith("head.")}
        self.e5 = E5Torch.from_file(bundled(), overrides=weights)
        self.e5.layers = self.e5.layers[:layers]
        hidden = self.e5.config.hidden
        self.rel, self.span = nn.Linear(hidden, 1), nn.Linear(hidden, 2)
        with torch.no_grad():
            self.rel.weight.copy_(torch.from_numpy(heads["head.rel.w"].reshape(1, -1)))
            self.rel.bias.copy_(torch.from_numpy(heads["head.rel.b"].reshape(1)))
            self.span.weight.copy_(torch.from_numpy(heads["head.span.w"]))
            self.span.bias.copy_(torch.from_numpy(heads["head.span.b"]))

    def forward(self, words: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        e5, T = self.e5, words.shape[1]
        x = e5.eln(words + e5.pos[:T] + e5.token_type[0])
        keep = mask[:, None, None, :] > 0
        for layer in e5.layers:
            x = layer(x, keep)
        m = mask.unsqueeze(-1).to(x.dtype)
        return self.rel((x * m).sum(1) / m.sum(1)).squeeze(-1), self.span(x)


def mean_ms(fn: Callable[[], object], n: int = 30) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    torch.set_num_threads(2)
    reader = Reader()
    pairs = [reader.encode(QUESTION, s) for s in SENTENCES]
    ids, mask = pad_batch([p.ids for p in pairs], reader.tokenizer.pad)
    words = reader.encoder.word_embeddings(ids).astype(np.float32)
    keep = mask.astype(np.float32)
    singles = [
        (
            reader.encoder.word_embeddings(np.array([p.ids])).astype(np.float32),
            np.ones((1, len(p.ids)), np.float32),
        )
        for p in pairs
    ]
    want, _ = reader.logits(pairs)
    body = ReaderBody(reader.config.layers).eval()
    folder = Path(tempfile.mkdtemp(prefix="kotae-ort-"))
    fp32, int8 = folder / "reader.onnx", folder / "reader.int8.onnx"
    axes = {0: "b", 1: "t"}
    torch.onnx.export(
        body,
        (torch.from_numpy(words), torch.from_numpy(keep)),
        str(fp32),
        input_names=["words", "mask"],
        output_names=["rel", "span"],
        dynamic_axes={"words": axes, "mask": axes, "rel": {0: "b"}, "span": axes},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    print(f"{'runtime':<24}{'batch ms':>10}{'one at a time ms':>18}{'max |Δ logit|':>15}{'MB':>7}")
    numpy_ms = mean_ms(lambda: reader.logits(pairs))
    print(f"{'numpy (packed)':<24}{'':>10}{numpy_ms:>18.1f}{0.0:>15.2g}{'':>7}")
    for name, path in (("onnxruntime fp32", fp32), ("onnxruntime int8", int8)):
        s = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        got = s.run(None, {"words": words, "mask": keep})[0]

        def batched(s: ort.InferenceSession = s) -> object:
            return s.run(None, {"words": words, "mask": keep})

        def one_by_one(s: ort.InferenceSession = s) -> object:
            return [s.run(None, {"words": w, "mask": m}) for w, m in singles]

        batch, one = mean_ms(batched), mean_ms(one_by_one)
        diff = float(np.abs(got - want).max())
        size = path.stat().st_size / 1e6
        print(f"{name:<24}{batch:>10.1f}{one:>18.1f}{diff:>15.2g}{size:>7.1f}")


if __name__ == "__main__":
    main()
