"""The second stage: reorder the first stage's top passages with signals it cannot afford.

The first stage scores every passage of the collection with two numbers (a cosine mix and
BM25 coverage). Over its top ``depth`` passages there is time for more: how the question's
content words sit in each passage (IDF-weighted, in one sentence, close together), whether
its best sentences hold the kind of thing the question asks for (a date for いつ/when, a
person for 誰/who, a number), whether it is dated in a year the question names (by the dated
sections it overlaps, not only where it starts; a question's 「2007年」 is held by a passage
under a 平成19年 heading), and how much of it is page furniture. A linear score over these,
with weights fitted listwise on both dev collections by ``lab/fit_rerank.py``
(``service/data/rerank_weights.json``), reorders them.

Words are matched as substrings of the NFKC, lower-cased passage, not by tokenising it: a
passage seen for the first time costs no Sudachi call, so the stage stays within a few
milliseconds a query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from kotae.index.question import Question, as_question
from kotae.index.search import Hit
from kotae.index.snapshot import Snapshot
from kotae.ingest.chunker import spanned_dates
from kotae.ingest.dates import era_years, western_years
from kotae.ingest.records import Document
from kotae.ingest.text import nfkc
from kotae.service.fitted import fitted, ordered
from kotae.service.sentences import answer_kinds

WEIGHTS_FILE = Path(__file__).parent / "data" / "rerank_weights.json"
WINDOW = 100  # characters: "close together" for the proximity signal
FEATURES = (
    "score_rel",
    "inv_rank",
    "dense_rel",
    "own_rel",
    "sentence_rel",
    "coverage",
    "overlap",
    "overlap_rel",
    "sentence_overlap",
    "aligned",
    "proximity",
    "type_match",
    "type_miss",
    "year_match",
    "year_conflict",
    "furniture",
    "log_chars",
)


@dataclass(frozen=True)
class Query:
    """What the features need from the question, computed once per query."""

    terms: dict[str, float]  # content word → IDF weight
    qtype: str  # "who" | "when" | "where" | "number" | ""
    years: frozenset[int]

    @cached_property
    def year_terms(self) -> frozenset[str]:
        """The terms that are one of the question's years (「2007年」 → "2007"): a passage
        holds them when it is dated that year, or writes it in 和暦, not only when it
        writes the digits."""
        return frozenset(t for t in self.terms if t.isdigit() and int(t) in self.years)


def _fitted() -> dict[str, object]:
    return fitted(WEIGHTS_FILE)


def fitted_weights() -> np.ndarray:
    """The weights ``lab/fit_rerank.py`` wrote, in ``FEATURES`` order (missing ones: 0)."""
    return ordered(fitted(WEIGHTS_FILE), "features", FEATURES)


def read_query(question: str | Question, snapshot: Snapshot) -> Query:
    """What the features need, from the question as :mod:`index.question` reads it (the
    record the answering turn read once, or a string read here)."""
    q = as_question(question, snapshot.lexical)
    assert q.terms is not None  # read with the index
    return Query(dict(q.terms), q.kind, q.years)


def term_share(text: str, terms: dict[str, float], total: float | None = None) -> float:
    """IDF-weighted share of the question's terms that occur in ``text`` (already NFKC, lower);
    ``total`` is the weight of all the question's terms when ``terms`` is a subset of them."""
    total = sum(terms.values()) if total is None else total
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in text) / total


def proximity(
    text: str, terms: dict[str, float], window: int = WINDOW, total: float | None = None
) -> float:
    """The largest IDF-weighted share of the question's terms found together within
    ``window`` characters of ``text``: words scattered over a long passage count less than
    the same words in one phrase. ``total`` as for ``term_share``."""
    total = sum(terms.values()) if total is None else total
    if total <= 0:
        return 0.0
    events = sorted((pos, t) for t in terms for pos in _positions(text, t))
    count: dict[str, int] = {}
    inside = best = 0.0
    lo = 0
    for n, (pos, t) in enumerate(events):
        count[t] = count.get(t, 0) + 1
        if count[t] == 1:
            inside += terms[t]
        while lo < n and events[lo][0] < pos + len(t) - window:
            old = events[lo][1]
            count[old] -= 1
            if not count[old]:
                inside -= terms[old]
            lo += 1
        best = max(best, inside)
    return best / total


def _share(weights: list[float], total: float) -> float:
    return sum(weights) / total if total > 0 else 0.0


def _positions(text: str, term: str) -> list[int]:
    out, i = [], text.find(term)
    while i >= 0:
        out.append(i)
        i = text.find(term, i + 1)
    return out


def features(query: Query, qv: np.ndarray, hits: list[Hit], snapshot: Snapshot) -> np.ndarray:
    """One row of ``FEATURES`` per hit, in the first stage's order."""
    if not hits:
        return np.zeros((0, len(FEATURES)))
    ids = np.array([h.chunk_id for h in hits], dtype=np.int64)
    own = np.asarray(snapshot.vectors[ids]) @ qv
    rows = [_passage_row(query, qv, h, r, snapshot) for r, h in enumerate(hits)]
    x = np.array(rows, dtype=np.float64)
    x[:, FEATURES.index("own_rel")] = own - own.max()
    for name, col in (("sentence_rel", "sentence_rel"), ("overlap_rel", "overlap")):
        x[:, FEATURES.index(name)] = x[:, FEATURES.index(col)] - x[:, FEATURES.index(col)].max()
    x[:, FEATURES.index("score_rel")] -= x[0, FEATURES.index("score_rel")]
    x[:, FEATURES.index("dense_rel")] -= x[:, FEATURES.index("dense_rel")].max()
    return x


def _passage_row(query: Query, qv: np.ndarray, hit: Hit, rank: int, snap: Snapshot) -> list[float]:
    """A hit's features; the relative ones hold raw values until ``features`` subtracts."""
    text = _matching_form(hit.chunk.text)
    total = sum(query.terms.values())
    present = {t: w for t, w in query.terms.items() if t in text}  # sentences hold no others
    best_sim, best_share, aligned, kinds = _sentences(query, qv, hit, snap, present, total)
    dated, implied = set(), 0.0
    if query.years:
        dated = section_years(snap.documents[hit.chunk.doc_id], hit.chunk.start, hit.chunk.end)
        # A question's year the passage does not write but is dated, or written in 和暦:
        # present, and as close to every word as the heading that dates it.
        years = dated | written_years(hit.chunk.text)
        held = [t for t in query.year_terms - present.keys() if int(t) in years]
        implied = _share([query.terms[t] for t in held], total)
    overlap = term_share(text, present, total) + implied
    near = proximity(text, present, total=total) + implied
    match = bool(query.qtype) and query.qtype in kinds
    return [
        hit.score,
        1.0 / (rank + 1),
        hit.dense,
        0.0,  # own cosine, relative: filled by ``features``
        best_sim,
        hit.coverage,
        overlap,
        overlap,
        best_share,
        aligned,
        near,
        float(match),
        float(bool(query.qtype) and not match),
        float(bool(query.years & dated)),
        float(bool(query.years) and bool(dated) and not query.years & dated),
        float(snap.chunk_furniture[hit.chunk_id]),
        math.log(max(len(hit.chunk.text), 1)),
    ]


def _sentences(
    query: Query, qv: np.ndarray, hit: Hit, snap: Snapshot, present: dict[str, float], total: float
) -> tuple[float, float, float, set[str]]:
    """The passage's best sentence cosine, its best sentence term share, the term share of
    the most similar sentence (do the question's meaning and its words meet in one sentence),
    and the answer kinds (date, number, person) of those two sentences — chrome left out."""
    lo, hi = (int(v) for v in snap.sentence_ranges[hit.chunk_id])
    if hi <= lo:
        return hit.dense, 0.0, 0.0, set()
    doc = snap.documents[hit.chunk.doc_id].text
    sims = np.asarray(snap.sentence_vectors[lo:hi]) @ qv
    spans = [(int(s), int(e)) for s, e in snap.sentences[lo:hi]]
    texts = [doc[s:e] for s, e in spans]
    shares = [term_share(_matching_form(t), present, total) if present else 0.0 for t in texts]
    if query.year_terms:  # a sentence holds the year of its section, or the one it writes in 和暦
        document = snap.documents[hit.chunk.doc_id]
        for i, (start, _) in enumerate(spans):
            years = section_years(document, start, start + 1) | written_years(texts[i])
            norm = _matching_form(texts[i])
            held = [t for t in query.year_terms if t not in norm and int(t) in years]
            shares[i] += _share([query.terms[t] for t in held], total)
    real = [i for i in range(hi - lo) if not snap.sentence_furniture[lo + i]] or list(
        range(hi - lo)
    )
    best_sim = max(real, key=lambda i: sims[i])
    best_share = max(real, key=lambda i: shares[i])
    kinds: set[str] = set()
    if query.qtype:
        for i in {best_sim, best_share}:
            kinds |= answer_kinds(texts[i], ())
    return float(sims[best_sim]), shares[best_share], shares[best_sim], kinds


def section_years(document: Document, start: int, end: int) -> set[int]:
    """The years of the dated sections ``[start, end)`` overlaps: a passage that runs from
    the 2007 section into the 2011 one is about both (the chunk keeps only the date where
    it starts)."""
    return {int(d[:4]) for d in spanned_dates(document, start, end) if d}


PASSAGE_YEARS = (1500, 2099)  # the 西暦 years a passage or sentence is read as writing


@lru_cache(maxsize=65536)
def written_years(text: str) -> frozenset[int]:
    """Years a text writes, 西暦 or 和暦 (平成19年 → 2007)."""
    western = set(western_years(nfkc(text), *PASSAGE_YEARS))
    return frozenset(western | set(era_years(text)))


@lru_cache(maxsize=65536)
def _matching_form(text: str) -> str:
    """NFKC, lower-cased (cached: the same passages and sentences come back query after query)."""
    return nfkc(text).lower()


def rescore(hits: list[Hit], scores: np.ndarray) -> list[Hit]:
    """``hits`` by descending ``scores``, the hit at rank r given the first stage's r-th best
    score: the sentence scorer and the not-found decision downstream were fitted on
    first-stage scores and their gaps, so those values stay; only who holds them changes."""
    order = np.argsort(-scores, kind="stable")
    values = sorted((h.score for h in hits), reverse=True)
    return [replace(hits[i], score=v) for i, v in zip(order, values, strict=True)]


@dataclass(frozen=True)
class Rerank:
    """The fitted second stage for one loaded index (a ``index.search.Reranker``)."""

    snapshot: Snapshot
    weights: np.ndarray
    depth: int = 20

    def __call__(self, question: str | Question, qv: np.ndarray, hits: list[Hit]) -> list[Hit]:
        if len(hits) < 2:
            return hits
        query = read_query(question, self.snapshot)
        return rescore(hits, features(query, qv, hits, self.snapshot) @ self.weights)


def reranker_for(snapshot: Snapshot, depth: int) -> Rerank:
    return Rerank(snapshot, fitted_weights(), depth)
