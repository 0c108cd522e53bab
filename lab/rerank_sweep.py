"""Candidate reranker features, measured before any is added to ``service.rerank``.

    python -m lab.rerank_sweep                    # every candidate, one row each
    python -m lab.rerank_sweep --only year_density,title_terms

Each candidate is one or more columns added to ``service.rerank.FEATURES``; the reranker is
fitted as ``lab.fit_rerank`` fits it (same sets, loss, L2 0.01 and folds). The sets it is
fitted on are reported 5-fold cross-validated; FAQ, FAQ2 and English over JSQuAD are never
in the fit, so they are scored with the weights of all four (held out). The first stage's top
``fit_rerank.DEPTH`` of every question is searched once and cached (``--cache``). Results
and what they decided: ``git show b69ad21:eval/README.md``, branch rank5.
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.questions import load_questions
from kotae.index.search import Hit, normalise_query
from kotae.index.snapshot import Snapshot
from kotae.ingest.dates import western_years
from kotae.ingest.text import nfkc
from kotae.service import rerank
from kotae.service.engine import Engine
from kotae.settings import Settings
from lab import fit_rerank as fr

L2 = 0.01
HELD_OUT = (
    fr.QuestionSet(
        "faq",
        "faq",
        fr.ROOT / "eval/dev-sets/faq/corpus",
        fr.ROOT / "eval/dev-sets/faq/questions.jsonl",
        Path("/work/idx/faq/index"),
    ),
    fr.QuestionSet(
        "faq2",
        "faq2",
        fr.ROOT / "eval/dev-sets/faq2/corpus",
        fr.ROOT / "eval/dev-sets/faq2/questions.jsonl",
        Path("/work/idx/faq2/index"),
    ),
    fr.QuestionSet(
        "english-jsquad",
        "jsquad",
        fr.JSQUAD / "corpus",
        fr.ROOT / "eval/english-jsquad.jsonl",
        fr.JSQUAD_INDEX,
    ),
)


@dataclass
class Case:
    """One question's first-stage candidates and what the candidates' features need."""

    qset: str
    corpus: str
    lang: str
    question: str
    hits: list[Hit]
    x: np.ndarray  # service.rerank.features
    y: np.ndarray


def engines(sets: list[fr.QuestionSet]) -> dict[str, Engine]:
    """One loaded engine per set, reranker off; sets over one index share it."""
    by_index: dict[Path, Engine] = {}
    out: dict[str, Engine] = {}
    for qs in sets:
        if qs.index_dir not in by_index:
            settings = Settings(corpus_dir=qs.corpus_dir, index_dir=qs.index_dir, rerank=False)
            engine = by_index[qs.index_dir] = Engine(settings)
            engine.load()
        out[qs.name] = by_index[qs.index_dir]
    return out


def gather(sets: list[fr.QuestionSet], loaded: dict[str, Engine]) -> list[Case]:
    cases: list[Case] = []
    for qs in sets:
        engine = loaded[qs.name]
        encoder, snap = engine.encoder, engine.loaded.snapshot
        docs = {d: doc.text for d, doc in snap.documents.items()}
        for q in load_questions(qs.questions, docs):
            hits = engine.search(q.question, fr.DEPTH)
            query = normalise_query(q.question)
            x = rerank.features(rerank.read_query(query, snap), encoder(query), hits, snap)
            y = np.array([q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits], dtype=bool)
            cases.append(Case(qs.name, qs.corpus, q.lang, q.question, hits, x, y))
        print(f"{qs.name}: {sum(c.qset == qs.name for c in cases)} questions", flush=True)
    return cases


Feature = Callable[[Case, Snapshot], np.ndarray]  # (candidates, columns)


def _lead(hit: Hit, snap: Snapshot) -> float:
    c = hit.chunk_id
    return float(c == 0 or snap.chunks[c - 1].doc_id != hit.chunk.doc_id)


def _doc_mass(case: Case) -> dict[str, float]:
    mass: dict[str, float] = {}
    for h in case.hits:
        mass[h.chunk.doc_id] = mass.get(h.chunk.doc_id, 0.0) + max(h.score, 0.0)
    return mass


def log_rank(case: Case, snap: Snapshot) -> np.ndarray:
    return -np.log(np.arange(len(case.hits)) + 1.0)[:, None]


def rank_one_hot(case: Case, snap: Snapshot) -> np.ndarray:
    out = np.zeros((len(case.hits), 2))
    out[0, 0] = 1
    out[1:2, 1] = 1
    return out


def lead(case: Case, snap: Snapshot) -> np.ndarray:
    """The first passage of its document."""
    return np.array([[_lead(h, snap)] for h in case.hits])


def lead_other(case: Case, snap: Snapshot) -> np.ndarray:
    """A lead passage of a document other than the one holding most of the top's score."""
    mass = _doc_mass(case)
    top = max(mass, key=lambda d: mass[d])
    return np.array([[_lead(h, snap) * (h.chunk.doc_id != top)] for h in case.hits])


def doc_share(case: Case, snap: Snapshot) -> np.ndarray:
    mass = _doc_mass(case)
    total = sum(mass.values()) or 1.0
    return np.array([[mass[h.chunk.doc_id] / total] for h in case.hits])


def title_terms(case: Case, snap: Snapshot) -> np.ndarray:
    """The question's term share in the document title, and in the passage but not the title."""
    q = rerank.read_query(normalise_query(case.question), snap)
    total = sum(q.terms.values()) or 1.0
    rows = []
    for h in case.hits:
        title = nfkc(snap.documents[h.chunk.doc_id].title or "").lower()
        text = nfkc(h.chunk.text).lower()
        in_title = sum(w for t, w in q.terms.items() if t in title)
        only_text = sum(w for t, w in q.terms.items() if t in text and t not in title)
        rows.append([in_title / total, only_text / total])
    return np.array(rows)


def _years(hit: Hit) -> set[int]:
    return set(western_years(nfkc(hit.chunk.text), *rerank.PASSAGE_YEARS))


def year_passing(case: Case, snap: Snapshot) -> np.ndarray:
    """The question's year is written among two or more others, and no section dates it."""
    years = rerank.read_query(normalise_query(case.question), snap).years
    rows = []
    for h in case.hits:
        written = _years(h)
        dated = rerank.section_years(snap.documents[h.chunk.doc_id], h.chunk.start, h.chunk.end)
        rows.append(
            [float(bool(years & written) and len(written - years) >= 2 and not years & dated)]
        )
    return np.array(rows)


def many_years(case: Case, snap: Snapshot) -> np.ndarray:
    return np.array([[float(len(_years(h)) >= 4)] for h in case.hits])


def year_density(case: Case, snap: Snapshot) -> np.ndarray:
    """Distinct years written per 100 characters: a survey names many in passing."""
    return np.array([[len(_years(h)) * 100 / max(len(h.chunk.text), 1)] for h in case.hits])


CANDIDATES: dict[str, Feature] = {
    "log_rank": log_rank,
    "rank_one_hot": rank_one_hot,
    "lead": lead,
    "lead_other": lead_other,
    "doc_share": doc_share,
    "title_terms": title_terms,
    "year_passing": year_passing,
    "many_years": many_years,
    "year_density": year_density,
}


def report(cases: list[Case], xs: list[np.ndarray], fitted: set[str]) -> dict[str, float]:
    asked = [fr.Asked(c.qset, c.corpus, c.lang, x, c.y) for c, x in zip(cases, xs, strict=True)]
    train = [a for a in asked if a.qset in fitted]
    held = [a for a in asked if a.qset not in fitted]
    w = fr.fit(train, L2)
    out = fr.by_set(train, fr.cross_validated(train, L2))
    out |= fr.by_set(held, [a.x @ w for a in held])
    return {k: m["MRR@10"] for k, m in out.items() if "/" not in k}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="Comma-separated candidate names.")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/rerank_sweep.pkl"))
    args = parser.parse_args()
    fitted_sets = fr.question_sets()
    loaded = engines(fitted_sets + list(HELD_OUT))
    snaps = {name: engine.loaded.snapshot for name, engine in loaded.items()}
    if args.cache.is_file():
        cases = pickle.loads(args.cache.read_bytes())
    else:
        cases = gather(fitted_sets + list(HELD_OUT), loaded)
        args.cache.write_bytes(pickle.dumps(cases))
    fitted = {s.name for s in fitted_sets}
    names = [n for n in args.only.split(",") if n] or list(CANDIDATES)
    base = report(cases, [c.x for c in cases], fitted)
    print("candidate", *base, sep="\t")
    print("(none)", *(f"{v:.3f}" for v in base.values()), sep="\t", flush=True)
    for name in names:
        xs = [np.hstack([c.x, CANDIDATES[name](c, snaps[c.qset])]) for c in cases]
        row = report(cases, xs, fitted)
        print(name, *(f"{row[k]:.3f}" for k in base), sep="\t", flush=True)


if __name__ == "__main__":
    main()
