"""Lexical search for Japanese: Sudachi content words scored with BM25 (bm25s).

Character n-grams match fragments of unrelated words and lose to dense retrieval on
paraphrases; a morphological analyser gives real words, and Sudachi's normalised form folds
spelling variants (e.g. 引っ越し/引越し) together. Matching runs on NFKC, lower-cased text so
full-width and half-width forms (２＋２ / 2+2) produce the same tokens.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from index.dictionary import shared_dictionary
from index.glossary import build_glossary, dictionary_version, expand
from ingest.dates import era_years
from ingest.text import ENGLISH_STOPWORDS, nfkc

SPLIT_MODE = "C"
SUDACHI_MAX_BYTES = 49_149  # "Input is too long, it can't be more than 49149 bytes"
GLOSSARY = "glossary.json"
_DROPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


def fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form has at most ``limit`` bytes.

    Sudachi's limit is in bytes, and NFKC can make a text far longer than it was (ﷺ becomes
    18 characters): cutting by characters let a 2,000-character question through as 66 KB.
    """
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


class JapaneseTokenizer:
    """Content-word tokens; one Sudachi tokenizer per thread over one shared dictionary.

    A Sudachi tokenizer refuses concurrent use, but tokenizers made from the same
    ``Dictionary`` share its ~190 MiB memory map: one dictionary per process, not per thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        # A question is read by every stage of /api/ask (retrieval, feedback, the reranker,
        # the answer): tokenise it once. Bounded, so indexing passages through it stays cheap.
        self._words = lru_cache(maxsize=4096)(self._content_words)

    def _tokenizer(self):  # type: ignore[no-untyped-def]
        tok = getattr(self._local, "tok", None)
        if tok is None:
            from sudachipy import SplitMode

            tok = shared_dictionary().tokenizer(mode=getattr(SplitMode, SPLIT_MODE))
            self._local.tok = tok
        return tok

    def clear_cache(self) -> None:
        """Forget the texts read so far (the bench measures the cold path with it)."""
        self._words.cache_clear()

    def words(self, text: str) -> list[tuple[str, str]]:
        """(surface, part of speech) of every word of ``text`` as written, for reading it back."""
        return [(m.surface(), m.part_of_speech()[0]) for m in self.morphemes(text)]

    def morphemes(self, text: str) -> list[Any]:
        """Sudachi morphemes of ``text`` as written (offsets index ``text``), for span finding."""
        return list(self._tokenizer().tokenize(fit_bytes(text, SUDACHI_MAX_BYTES)))

    def tokens(self, text: str) -> list[str]:
        out = [form for form, _ in self.content_words(text)]
        # 平成19年 and 2007年 are the same year: give era years their western token too, so
        # a question in either calendar (or in English) matches a text in the other.
        out.extend(str(year) for year in era_years(nfkc(text).lower()))
        return out

    def content_words(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(normalised form, part of speech) of each content word, as the index tokenises."""
        return list(self._words(text))

    def _content_words(self, text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        text = nfkc(text).lower()
        words = [w for w in text.split() if w not in ENGLISH_STOPWORDS]
        out: list[tuple[str, tuple[str, ...]]] = []
        for m in self._tokenizer().tokenize(fit_bytes(" ".join(words), SUDACHI_MAX_BYTES)):
            pos = m.part_of_speech()
            if pos[0] in _DROPPED_POS:
                continue
            form = m.normalized_form().strip()
            if form:
                out.append((form, pos))
        return tuple(out)


class LexicalIndex:
    """BM25 over the content-word tokens of every passage, plus the English glossary."""

    def __init__(
        self, bm25: bm25s.BM25, tokenizer: JapaneseTokenizer, glossary: dict[str, dict[str, float]]
    ) -> None:
        self._bm25 = bm25
        self._tokenizer = tokenizer
        self.glossary = glossary
        self.size = int(bm25.scores["num_docs"])
        self._idf: np.ndarray | None = None
        self._rows: Any = None  # passage × term BM25 weights (CSR), built on first feedback
        self._terms: list[str] = []

    def has_term(self, term: str) -> bool:
        return term in self._bm25.vocab_dict

    def idf(self, term: str) -> float:
        """Inverse document frequency over passages (unknown terms: the rarest)."""
        if self._idf is None:
            df = np.diff(np.asarray(self._bm25.scores["indptr"])).astype(np.float64)
            self._idf = np.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
        i = self._bm25.vocab_dict.get(term)
        return float(self._idf[i] if i is not None else np.log(1.0 + (self.size + 0.5) / 0.5))

    @property
    def tokenizer(self) -> JapaneseTokenizer:
        """The index's tokenizer: other readers of the text (follow-ups) share its dictionary."""
        return self._tokenizer

    @classmethod
    def build(cls, texts: list[str], tokenizer: JapaneseTokenizer | None = None) -> LexicalIndex:
        tokenizer = tokenizer or JapaneseTokenizer()
        bm25 = bm25s.BM25()
        bm25.index([tokenizer.tokens(t) for t in texts], show_progress=False)
        return cls(bm25, tokenizer, build_glossary(bm25.vocab_dict))

    def weighted_terms(self, query: str) -> list[tuple[str, float]]:
        """Query terms found in the corpus, with weights.

        Japanese tokens count once each; English words add the corpus terms the glossary
        maps them to, each English word worth one token split across its terms.
        """
        vocab = self._bm25.vocab_dict
        weights: dict[str, float] = {}
        for t in self._tokenizer.tokens(query):
            if t in vocab:
                weights[t] = weights.get(t, 0.0) + 1.0
        for t, w in expand(query, self.glossary):
            if t in vocab:
                weights[t] = weights.get(t, 0.0) + w
        return list(weights.items())

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every passage, and the best score any passage could reach.

        The second value (each term's best single-passage score, summed) turns scores into
        query coverage in [0, 1]: a weak match stays weak instead of being stretched to 1.
        """
        return self.score_terms(self.weighted_terms(query))

    def score_terms(self, terms: list[tuple[str, float]]) -> tuple[np.ndarray, float]:
        """As ``scores``, for weighted corpus terms (each must be in the vocabulary)."""
        total = np.zeros(self.size, np.float32)
        ideal = 0.0
        for term, weight in terms:
            s = np.asarray(self._bm25.get_scores([term]), dtype=np.float32)
            total += weight * s
            ideal += weight * float(s.max())
        return total, ideal

    def passage_terms(self, passages: np.ndarray) -> list[tuple[str, float]]:
        """Every term of the given passages with its BM25 weight summed over them, strongest
        first: what pseudo-relevance feedback reads back from the top passages."""
        if self._rows is None:
            from scipy.sparse import csc_matrix

            sc = self._bm25.scores
            n_terms = len(sc["indptr"]) - 1
            shape = (self.size, n_terms)
            self._rows = csc_matrix((sc["data"], sc["indices"], sc["indptr"]), shape=shape).tocsr()
            names = [""] * n_terms
            for term, i in self._bm25.vocab_dict.items():
                if i < n_terms:
                    names[i] = term
            self._terms = names
        weights = np.asarray(self._rows[passages].sum(axis=0)).ravel()
        found = np.flatnonzero(weights > 0)
        order = found[np.argsort(-weights[found], kind="stable")]
        return [(self._terms[i], float(weights[i])) for i in order]

    def save(self, path: Path) -> None:
        self._bm25.save(str(path), show_progress=False)
        with open(path / GLOSSARY, "w", encoding="utf-8") as f:
            json.dump(self.glossary, f, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path, tokenizer: JapaneseTokenizer | None = None) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(path), show_progress=False, verbosity=0)
        with open(path / GLOSSARY, encoding="utf-8") as f:
            glossary = json.load(f)
        return cls(bm25, tokenizer or JapaneseTokenizer(), glossary)

    @staticmethod
    def identity() -> dict[str, str]:
        import sudachidict_core
        import sudachipy

        return {
            "tokenizer": f"sudachipy-{sudachipy.__version__}-mode{SPLIT_MODE}",
            "dictionary": f"core-{getattr(sudachidict_core, '__version__', 'unknown')}",
            "scorer": f"bm25s-{bm25s.__version__}",
            "glossary": f"jmdict-{dictionary_version()}-senses-folded",
            "era_years": "western",
        }
