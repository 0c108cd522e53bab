"""The lab's one loss and fold helper (issue 26, item 4): its gradients are the losses'
derivatives, a fit ranks the right candidates first, and folds are stratified and repeatable."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lab import fitting


def _groups(seed: int, n: int = 30, d: int = 5) -> list[fitting.Group]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(2, 9))
        y = rng.random(k) < 0.3
        y[int(rng.integers(k))] = True
        out.append(fitting.Group(rng.normal(size=(k, d)), y, weight=1.0 + (i % 3)))
    return out


def _numeric_grad(f: Callable[[np.ndarray], float], w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(w)
    for j in range(len(w)):
        e = np.zeros_like(w)
        e[j] = eps
        grad[j] = (f(w + e) - f(w - e)) / (2 * eps)
    return grad


@pytest.mark.parametrize("positives", ["any", "each"])
def test_listwise_gradient_is_the_loss_derivative(positives: fitting.Positives) -> None:
    groups = _groups(1)
    w = np.random.default_rng(2).normal(size=5)
    _, grad = fitting.listwise_loss(w, groups, positives)
    numeric = _numeric_grad(lambda v: fitting.listwise_loss(v, groups, positives)[0], w)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_logistic_gradient_is_the_loss_derivative() -> None:
    rng = np.random.default_rng(3)
    x, y, weight = rng.normal(size=(40, 4)), (rng.random(40) < 0.5) * 1.0, rng.random(40) + 0.5
    w = rng.normal(size=5)
    _, grad = fitting.logistic_loss(w, x, y, weight, 0.3)
    numeric = _numeric_grad(lambda v: fitting.logistic_loss(v, x, y, weight, 0.3)[0], w)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("positives", ["any", "each"])
def test_a_listwise_fit_learns_which_feature_marks_the_right_candidate(
    positives: fitting.Positives,
) -> None:
    rng = np.random.default_rng(4)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(6, 3))
        right = int(rng.integers(6))
        x[right, 1] += 3.0  # feature 1 marks the right candidate; the others are noise
        groups.append(fitting.Group(x, np.arange(6) == right))
    w = fitting.fit_listwise(groups, l2=0.001, positives=positives)
    assert int(np.argmax(np.abs(w))) == 1 and w[1] > 0
    first = np.mean([g.y[int(np.argmax(g.x @ w))] for g in groups])
    assert first > 0.9


def test_the_penalty_shrinks_the_weights() -> None:
    groups = _groups(5)
    loose, tight = fitting.fit_listwise(groups, 1e-4), fitting.fit_listwise(groups, 10.0)
    assert np.linalg.norm(tight) < 0.2 * np.linalg.norm(loose)


def test_a_logistic_fit_separates_and_predicts_probabilities() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(300, 2))
    y = (2 * x[:, 0] - 1 + 0.5 * rng.normal(size=300) > 0).astype(float)
    w = fitting.fit_logistic(x, y, np.ones(300), l2=0.01)
    p = fitting.predict_logistic(w, x)
    assert ((p > 0.5) == (y > 0.5)).mean() > 0.85
    assert w[0] > 1.0 and w[-1] < 0  # the bias is the last weight


def test_balanced_weights_give_every_key_the_same_total() -> None:
    keys = ["a"] * 6 + ["b"] * 2
    weights = fitting.balanced(keys)
    assert sum(w for w, k in zip(weights, keys, strict=True) if k == "a") == pytest.approx(4.0)
    assert sum(w for w, k in zip(weights, keys, strict=True) if k == "b") == pytest.approx(4.0)


def test_folds_are_stratified_and_repeatable() -> None:
    keys = ["x"] * 23 + ["y"] * 12
    fold = fitting.folds(keys, 5, seed=7)
    assert (fold == fitting.folds(keys, 5, seed=7)).all()
    assert not (fold == fitting.folds(keys, 5, seed=8)).all()
    for key in ("x", "y"):
        counts = np.bincount(fold[np.array(keys) == key], minlength=5)
        assert counts.max() - counts.min() <= 1
