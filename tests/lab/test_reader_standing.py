"""lab/reader/standing.py: the rankings it compares are the ones it names."""

import numpy as np

from kotae.service.sentences import FEATURES
from lab.reader.standing import SIM, Question, first_holds, out_of_fold, reader_alone, with_reader


def question(collection: str, x: np.ndarray, y: np.ndarray, logit: np.ndarray) -> Question:
    return Question(collection, "q", "ja", x, x[:, 0], y, logit)


def features(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(size=(n, len(FEATURES)))


def test_the_reader_reorders_only_the_best_sentences_it_read() -> None:
    x = features(4, np.random.default_rng(0))
    q = question("a", x, np.array([False, False, False, True]), np.array([0.0, 5.0, np.nan, 9.0]))
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    # the answering sentence is fourth by score: reading the best two cannot bring it up
    assert not first_holds(q, with_reader(q, scores, 2, 100.0))
    assert int(np.argmax(with_reader(q, scores, 2, 100.0))) == 1
    assert int(np.argmax(with_reader(q, scores, 4, 100.0))) == 3
    assert first_holds(q, with_reader(q, scores, 4, 100.0))
    assert int(np.argmax(with_reader(q, scores, 4, 0.0))) == 0


def test_the_reader_alone_ranks_cosines_best_by_its_logit() -> None:
    x = features(3, np.random.default_rng(1))
    x[:, SIM] = [0.9, 0.8, 0.1]
    q = question("a", x, np.array([False, True, False]), np.array([1.0, 2.0, 50.0]))
    ranked = reader_alone(q, 2)
    assert ranked[2] == -np.inf  # third by cosine: not read, however high its logit
    assert first_holds(q, ranked)


def test_out_of_fold_scores_come_from_fits_that_did_not_see_the_question() -> None:
    rng = np.random.default_rng(2)
    k = FEATURES.index("overlap")
    data = []
    for i in range(30):
        x = features(5, rng)
        y = np.arange(5) == i % 5
        x[:, k] = y * 3.0  # the answering sentence holds the question's words
        data.append(question("fit", x, y, np.zeros(5)))
    held = features(5, rng)
    held[:, k] = np.arange(5) == 2
    data.append(question("held", held, np.arange(5) == 2, np.zeros(5)))
    scores = out_of_fold(data, {"fit"})
    assert len(scores) == len(data)
    assert np.mean([first_holds(q, s) for q, s in zip(data, scores, strict=True)]) > 0.9
