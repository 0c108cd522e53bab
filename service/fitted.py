"""Weights the scripts in lab/ fit and write as JSON in service/data, read once per process."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np


@cache
def fitted(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def ordered(data: dict[str, Any], key: str, names: Sequence[str]) -> np.ndarray:
    """``data["weights"]`` (paired with the names in ``data[key]``) in ``names`` order, so a
    feature the fit did not know weighs 0 instead of shifting the others."""
    w = dict(zip(data[key], data["weights"], strict=True))
    return np.array([w.get(n, 0.0) for n in names], dtype=np.float64)
