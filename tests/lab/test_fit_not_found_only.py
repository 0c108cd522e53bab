"""A set fitted for the not-found decision only never moves the sentence scorer's weights."""

import json

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


def _signals(found: bool, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(loc=1.0 if found else -1.0, size=len(fit_answers.abstain.SIGNALS))


def test_fit_on_one_collection_rates_the_other_as_held_out(capsys) -> None:  # type: ignore[no-untyped-def]
    """--fit-on: the not-found model learns from the named collection only (its hand-written
    near-topic questions judge, never teach), and every collection is rated with it."""
    rng = np.random.default_rng(1)
    asked = []
    for name in ("twoplus", "jsquad"):
        for i in range(12):
            a = _asked(name, i % 4, rng)
            a.signals = _signals(True, rng)
            off = Asked(name, "o", "?", False, [], a.x, np.zeros(4, dtype=bool), a.texts)
            off.signals = _signals(False, rng)
            asked += [a, off]
    near = []
    for _ in range(10):
        n = Asked("twoplus", "n", "?", False, [], asked[0].x, asked[1].y, asked[0].texts)
        n.source, n.signals = fit_answers.NEAR_OFFTOPIC["twoplus"], _signals(True, rng)
        near.append(n)

    def fitted(questions: list[Asked]) -> dict:
        fit_answers.fitted_on(questions, ["twoplus"])
        out = capsys.readouterr().out
        return json.loads(out[out.index('{\n "fit_on_abstain"') :])

    alone, judged = fitted(asked), fitted(asked + near)
    assert judged["weights"] == alone["weights"]  # the near-topic file judges, never teaches
    rated = judged["fit_on_abstain"]
    assert rated["jsquad_found_rate"] > 0.9 and rated["jsquad_abstain_rate"] > 0.9
    assert rated["twoplus_abstain_eval/offtopic-twoplus.jsonl"] == 0.0
