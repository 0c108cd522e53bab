"""lab/fit_faq.py: the listwise pair fit learns what tells the answering pair apart."""

import numpy as np

from lab.fit_faq import Pairs, fit, top1


def test_the_fit_weighs_the_feature_that_marks_the_answering_pair() -> None:
    rng = np.random.default_rng(0)
    groups = []
    for i in range(40):
        x = rng.normal(size=(4, 3))
        x[:, 2] = 0.0
        x[i % 4, 2] = 1.0  # the answering pair asks the same kind; the scores are noise
        groups.append(Pairs(str(i), x, np.arange(4) == i % 4))
    w = fit(groups)
    assert w[2] > abs(w[0]) and w[2] > abs(w[1])
    assert top1(groups, w) == 1.0
    assert top1(groups, np.array([1.0, 1.0, 0.0])) < 1.0
