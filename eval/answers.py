"""Answer-level metrics: does the text a person reads hold the answer? Pure functions.

The answer text is compared as a reader sees it, minus the ``[n]`` markers: NFKC,
lower-cased, whitespace removed, so 日米安全保障協議委員会 matches across line breaks and
full-width forms. The gold strings are normalised the same way.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence

from kotae.ingest.text import nfkc

_MARKER = re.compile(r"\s*\[\d+\]")


def normalise(text: str) -> str:
    """Markers removed, NFKC, lower-cased, no whitespace."""
    text = nfkc(_MARKER.sub("", text)).lower()
    return "".join(text.split())


def holds_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether ``text`` contains one of the gold ``answers`` after normalisation."""
    norm = normalise(text)
    return any((a := normalise(answer)) and a in norm for answer in answers)


def first_line(text: str) -> str:
    """The first quoted sentence of an extractive answer."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else 0.0


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0
