"""A set fitted for the not-found decision only never moves the sentence scorer's weights."""

import numpy as np

from lab import fit_answers
from lab.fit_answers import Asked, fit_listwise


def _asked(collection: str, positive: int, rng: np.random.Generator) -> Asked:
    x = rng.normal(size=(4, 3))
    y = np.zeros(4, dtype=bool)
    y[positive] = True
    return Asked(collection, "q", "?", True, [], x, y, ["a"] * 4)


def test_english_set_is_left_out_of_the_sentence_fit() -> None:
    rng = np.random.default_rng(0)
    dev = [_asked(name, i % 4, rng) for name in ("twoplus", "jsquad") for i in range(6)]
    english = [_asked("english-jsquad", 3, rng) for _ in range(6)]
    assert "english-jsquad" in fit_answers.NOT_FOUND_ONLY
    saved = dict(fit_answers.COLLECTIONS)
    fit_answers.COLLECTIONS["english-jsquad"] = fit_answers.OPTIONAL["english-jsquad"]
    try:
        with_english = fit_listwise(dev + english)
    finally:
        fit_answers.COLLECTIONS.clear()
        fit_answers.COLLECTIONS.update(saved)
    np.testing.assert_allclose(with_english, fit_listwise(dev))
