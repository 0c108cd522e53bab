"""The one loss and the one fold rule every linear fit in the lab uses.

Four fits rank candidates per question — answer sentences (``lab.fit_answers``), FAQ pairs
(``lab.fit_faq``), passages (``lab.fit_rerank``), short-answer spans (``lab.fit_short``) — and two
decide yes/no ("not found": ``lab.fit_answers``, ``lab.fit_english``). They used to carry a
hand-written loss each; now they share :func:`fit_listwise` and :func:`fit_logistic`, whose
gradients a test checks against finite differences, and :func:`folds`.

A listwise fit maximises, per question, the softmax probability of its right candidates:
``positives="any"`` the probability that the top one is *some* right candidate (answer_first
rewards exactly that), ``positives="each"`` the cross-entropy to a target spread evenly over them
(when several spans are equally right, each should score alike). Each group carries a weight,
so that a collection with 500 questions does not drown one with 70 (:func:`balanced`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import minimize

Positives = Literal["any", "each"]


@dataclass(frozen=True)
class Group:
    """One question's candidates: features [n, d], which ones are right, and its weight."""

    x: np.ndarray
    y: np.ndarray  # bool [n]
    weight: float = 1.0


def balanced(keys: Sequence[Hashable]) -> list[float]:
    """A weight per item so that every key weighs the same in total (the mean weight is 1)."""
    sizes: dict[Hashable, int] = {}
    for k in keys:
        sizes[k] = sizes.get(k, 0) + 1
    return [len(keys) / (len(sizes) * sizes[k]) for k in keys]


def listwise_loss(
    w: np.ndarray, groups: Sequence[Group], positives: Positives = "any"
) -> tuple[float, np.ndarray]:
    """Mean weighted negative log-likelihood over the groups, and its gradient (no penalty)."""
    total, grad = 0.0, np.zeros_like(w)
    for g in groups:
        s = g.x @ w
        s = s - s.max()
        e = np.exp(s)
        z = e.sum()
        p = e / z
        if positives == "any":
            pos = p[g.y].sum()
            total -= g.weight * math.log(pos + 1e-12)
            target = np.where(g.y, p / (pos + 1e-12), 0.0)  # the posterior over the positives
        else:
            target = g.y / g.y.sum()
            total -= g.weight * float((target * (s - math.log(z))).sum())
        grad -= g.weight * (target - p) @ g.x
    n = max(len(groups), 1)
    return total / n, grad / n


def fit_listwise(
    groups: Sequence[Group],
    l2: float,
    positives: Positives = "any",
    method: str | None = "L-BFGS-B",
) -> np.ndarray:
    """Weights minimising :func:`listwise_loss` + ``l2``·|w|² (the penalty is added once, not per
    group: a fit that wants it per group passes ``l2 / len(groups)``). ``method`` is scipy's
    (``None``: its default, BFGS)."""
    d = groups[0].x.shape[1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = listwise_loss(w, groups, positives)
        return value + l2 * float(w @ w), grad + 2 * l2 * w

    return np.asarray(minimize(loss, np.zeros(d), jac=True, method=method).x)


def logistic_loss(
    w: np.ndarray, x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float
) -> tuple[float, np.ndarray]:
    """Weighted logistic loss (summed) + ``l2``·|w|² without the bias; the last weight is the
    bias."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    p = 1 / (1 + np.exp(-(xb @ w)))
    nll = -(weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
    grad = xb.T @ (weight * (p - y))
    grad[:-1] += 2 * l2 * w[:-1]
    return float(nll + l2 * float(w[:-1] @ w[:-1])), grad


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float) -> np.ndarray:
    """Weighted L2 logistic regression; the last weight is the bias."""
    start = np.zeros(x.shape[1] + 1)
    fitted = minimize(logistic_loss, start, args=(x, y, weight, l2), jac=True, method="L-BFGS-B")
    return np.asarray(fitted.x)


def predict_logistic(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(y = 1) under :func:`fit_logistic`'s weights."""
    return np.asarray(1 / (1 + np.exp(-(x @ w[:-1] + w[-1]))))


def folds(keys: Sequence[str], k: int, seed: int = 0) -> np.ndarray:
    """The fold of each item: a seeded permutation within each key (sorted), so every fold
    holds every key in proportion and the same folds come back in every run."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(keys), dtype=int)
    for key in sorted(set(keys)):
        idx = [i for i, kk in enumerate(keys) if kk == key]
        fold[idx] = rng.permutation(len(idx)) % k
    return fold
