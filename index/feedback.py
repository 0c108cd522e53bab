"""Pseudo-relevance feedback: the top passage's strongest terms back into the lexical query.

A question in everyday words often shares few terms with the passage that answers it, while
the passage ranked first usually shares many with its neighbours on the same topic (the
overlapping passage that holds the answer, the next paragraph of the same section). Reading
the first passage's strongest terms back as a light extra lexical query lifts those
neighbours. Measured in lab/firststage_sweep.py (issue 19): one passage and a small weight
help; three or more passages pull in off-topic terms and lower the top-1 rate.
"""

from __future__ import annotations


def feedback_terms(
    passage_terms: list[tuple[str, float]], known: set[str], n: int
) -> list[tuple[str, float]]:
    """The ``n`` strongest of ``passage_terms`` (strongest first) the query does not already
    hold, each weighted by its share of the strongest kept term, so the weights lie in (0, 1]."""
    kept: list[tuple[str, float]] = []
    for term, weight in passage_terms:
        if len(kept) >= n:
            break
        if term and weight > 0 and term not in known:
            kept.append((term, weight))
    if not kept:
        return []
    best = kept[0][1]
    return [(t, w / best) for t, w in kept]
