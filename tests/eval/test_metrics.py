"""The ranking metrics: hand-made rankings, and random runs scored by ir-measures (trec_eval)."""

import math
import random

import ir_measures
import pytest
from ir_measures import RR, Qrel, ScoredDoc, Success, nDCG

from kotae.eval.metrics import mrr_at, ndcg_at, recall_at


def test_recall_is_a_hit_rate() -> None:
    ranks = [False, False, True, False]
    assert recall_at(ranks, 1) == 0.0
    assert recall_at(ranks, 2) == 0.0
    assert recall_at(ranks, 3) == 1.0
    assert recall_at([False] * 10, 10) == 0.0


def test_mrr_uses_the_first_relevant_rank() -> None:
    assert mrr_at([True, True], 10) == 1.0
    assert mrr_at([False, False, True, True], 10) == pytest.approx(1 / 3)
    assert mrr_at([False] * 10 + [True], 10) == 0.0


def test_ndcg_by_hand() -> None:
    assert ndcg_at([True, False, False], judged=1) == 1.0
    # one relevant at rank 2: (1/log2(3)) / (1/log2(2))
    assert ndcg_at([False, True, False], judged=1) == pytest.approx(1 / math.log2(3))
    # relevant at ranks 1 and 3; ideal has them at 1 and 2
    dcg = 1 + 1 / math.log2(4)
    assert ndcg_at([True, False, True], judged=2) == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    assert ndcg_at([False, False], judged=1) == 0.0
    assert ndcg_at([False, False], judged=0) == 0.0


def test_ndcg_ideal_counts_relevant_passages_never_retrieved() -> None:
    """Three passages answer; the ranking finds one, first. The ideal holds all three, so the
    score is 1 / (1 + 1/log2(3) + 1/log2(4)), not 1 (the old ideal counted only the one)."""
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at([True, False, False, False], judged=3) == pytest.approx(1 / ideal)
    # more judged than the cut-off: the ideal fills the top k and no more
    assert ndcg_at([True] * 10, judged=25, k=10) == 1.0


def random_runs(seed: int, n: int = 200) -> tuple[dict[str, list[bool]], dict[str, int]]:
    """Random rankings of 10–20 passages, each question with 1–12 relevant passages in the
    index, some of them not retrieved."""
    rng = random.Random(seed)
    runs, judged = {}, {}
    for q in range(n):
        ranking = [rng.random() < 0.2 for _ in range(rng.randint(10, 20))]
        runs[f"q{q}"] = ranking
        judged[f"q{q}"] = max(1, sum(ranking)) + rng.randint(0, 6)
    return runs, judged


def library_scores(runs: dict[str, list[bool]], judged: dict[str, int]) -> dict[str, dict]:
    """The same runs through ir-measures: passage i of question q is ``q/p{i}``; relevant
    passages that were not retrieved are ``q/u{j}``."""
    qrels, scored = [], []
    for q, ranking in runs.items():
        for i, rel in enumerate(ranking):
            scored.append(ScoredDoc(q, f"{q}/p{i}", float(len(ranking) - i)))
            if rel:
                qrels.append(Qrel(q, f"{q}/p{i}", 1))
        qrels += [Qrel(q, f"{q}/u{j}", 1) for j in range(judged[q] - sum(ranking))]
    out: dict[str, dict] = {q: {} for q in runs}
    measures = [nDCG @ 10, RR @ 10, RR @ 3, Success @ 1, Success @ 3, Success @ 5, Success @ 10]
    for m in ir_measures.iter_calc(measures, qrels, scored):
        out[m.query_id][str(m.measure)] = m.value
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_trec_eval_on_random_runs(seed: int) -> None:
    runs, judged = random_runs(seed)
    library = library_scores(runs, judged)
    for q, ranking in runs.items():
        lib = library[q]
        assert ndcg_at(ranking, judged[q], 10) == pytest.approx(lib["nDCG@10"], abs=1e-9)
        assert mrr_at(ranking, 10) == pytest.approx(lib["RR@10"], abs=1e-9)
        assert mrr_at(ranking, 3) == pytest.approx(lib["RR@3"], abs=1e-9)
        for k in (1, 3, 5, 10):
            assert recall_at(ranking, k) == lib[f"Success@{k}"]
