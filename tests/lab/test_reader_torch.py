"""The torch module of lab/reader computes what the torch-free runtime computes (issue 27)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kotae.service.reader.e5file import bundled
from kotae.service.reader.encoder import Encoder, pad_batch
from kotae.service.reader.tokenizer import bundled_tokenizer
from lab.reader.to_torch import E5Torch, mean_pool, to_overrides

TEXTS = [
    "東京タワーの高さは何メートルですか？",
    "Tokyo Tower is a communications and observation tower in Minato, Tokyo.",
    "日米安全保障協議委員会（「2+2」）は2011年6月21日にワシントンD.C.で開かれた。",
    "",
    "emoji 😀 と ＡＢＣ１２３",
]


@pytest.fixture(scope="module")
def model() -> E5Torch:
    return E5Torch.from_file(bundled()).eval()


def batch() -> tuple[list[list[int]], torch.Tensor, torch.Tensor]:
    seqs = [bundled_tokenizer().encode(t) for t in TEXTS]
    ids, mask = pad_batch(seqs, bundled_tokenizer().pad)
    return seqs, torch.from_numpy(ids), torch.from_numpy(mask)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    return (a * (b / np.linalg.norm(b, axis=-1, keepdims=True))).sum(-1)


def test_torch_matches_numpy(model: E5Torch) -> None:
    seqs, ids, mask = batch()
    with torch.no_grad():
        hidden = model(ids, mask).numpy()
        pooled = mean_pool(model(ids, mask), mask).numpy()
    ours, _ = Encoder().hidden_states(seqs)
    m = mask.numpy()
    assert cosines(hidden[m], ours[m]).min() >= 0.9999
    assert np.abs(hidden[m] - ours[m]).max() < 1e-4
    assert cosines(pooled, Encoder().embed(TEXTS)).min() >= 0.9999


def test_trained_layers_go_back_as_overrides(model: E5Torch) -> None:
    seqs, ids, mask = batch()
    tuned = E5Torch.from_file(bundled())
    tuned.freeze(below=11)
    assert {n for n, p in tuned.file_parameters().items() if p.requires_grad} == {
        f"l11.{part}" for part in ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b")
    } | {f"l11.{p}" for p in ("aln.w", "aln.b", "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")}
    opt = torch.optim.SGD([p for p in tuned.parameters() if p.requires_grad], lr=0.5)
    loss = mean_pool(tuned(ids, mask), mask)[:, :8].sum()  # any loss will do
    loss.backward()
    opt.step()
    overrides = to_overrides(tuned, trained_only=True)
    assert set(overrides) == {n for n in overrides if n.startswith("l11.")} and len(overrides) == 16
    with torch.no_grad():
        want = mean_pool(tuned(ids, mask), mask).numpy()
        base = mean_pool(model(ids, mask), mask).numpy()
    got = Encoder(overrides=overrides).embed(TEXTS)
    assert cosines(got, want).min() >= 0.9999
    assert cosines(base, want).min() < 0.999  # the step moved it: the check can fail
