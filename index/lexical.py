"""Lexical search for Japanese: Sudachi content words scored with BM25 (bm25s).

Character n-grams match fragments of unrelated words and lose to dense retrieval on
paraphrases; a morphological analyser gives real words, and Sudachi's normalised form folds
spelling variants (e.g. 引っ越し/引越し) together. Matching runs on NFKC, lower-cased text so
full-width and half-width forms (２＋２ / 2+2) produce the same tokens.

Some spellings keep their own normalised form (ゴミ/ごみ, PC/パソコン, 外相/外務大臣): the
dictionary still puts them in one synonym group. The index records each term's groups, and a
question word also matches the corpus terms it shares a group (or, for words in kana, the same
letters in the other kana script) with: query side only, tokens stay the words as written.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from kotae.index.dictionary import shared_dictionary
from kotae.index.glossary import build_glossary, dictionary_version, expand
from kotae.index.sudachi_input import pieces
from kotae.ingest.dates import era_years
from kotae.ingest.text import ENGLISH_STOPWORDS, JAPANESE, nfkc

SPLIT_MODE = "C"
GLOSSARY = "glossary.json"
VARIANTS = "variants.json"
VARIANT_WEIGHT = 0.5  # another spelling of the word counts half of the word as asked
# A synonym group the collection spells more than two ways is a broad notion (決まり/規則/規定/
# ルール…, 給料/給与/賃金…), not one word's spellings: matching it moved paraphrase questions over
# an encyclopedia to the wrong passage (git show b69ad21:eval/README.md, words5). Kana keys
# always count.
MAX_GROUP_TERMS = 2
_DROPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_KANA_WORD = re.compile(r"[\u3041-\u3096\u30a1-\u30f6\u30fc]{2,}")
_KATA_TO_HIRA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}
Unit = dict[str, float]  # the corpus terms one question word stands for, with their weights


def variant_keys(form: str, groups: tuple[int, ...]) -> tuple[str, ...]:
    """What spellings of one word share: Sudachi synonym groups (PC/パソコン, 外相/外務大臣,
    ゴミ/ごみ) and, for a word written in kana alone, its letters in hiragana (リンゴ/りんご).
    Matching keys only: the text shown and cited is never folded."""
    keys = [f"g{g}" for g in groups]
    if _KANA_WORD.fullmatch(form):
        keys.append("k" + form.translate(_KATA_TO_HIRA))
    return tuple(keys)


class JapaneseTokenizer:
    """Content-word tokens; one Sudachi tokenizer per thread over one shared dictionary.

    A Sudachi tokenizer refuses concurrent use, but tokenizers made from the same
    ``Dictionary`` share its ~190 MiB memory map: one dictionary per process, not per thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        # A question is read by every stage of /api/ask (retrieval, feedback, the reranker,
        # the answer): tokenise it once. Bounded, so indexing passages through it stays cheap.
        self._words = lru_cache(maxsize=4096)(self._analyse)

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
        out: list[Any] = []
        for offset, piece in pieces(text):
            read = self._tokenizer().tokenize(piece)
            out.extend([_Shifted(m, offset) for m in read] if offset else read)
        return out

    def tokens(self, text: str) -> list[str]:
        return [form for form, _ in self.keyed_tokens(text)]

    def keyed_tokens(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each index token with its variant keys (``variant_keys``; none for era years)."""
        out = [(form, variant_keys(form, groups)) for form, _, groups in self._words(text)]
        # 平成19年 and 2007年 are the same year: give era years their western token too, so
        # a question in either calendar (or in English) matches a text in the other.
        out.extend((str(year), ()) for year in era_years(nfkc(text).lower()))
        return out

    def content_words(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(normalised form, part of speech) of each content word, as the index tokenises."""
        return [(form, pos) for form, pos, _ in self._words(text)]

    def _analyse(self, text: str) -> tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...]:
        """(normalised form, part of speech, synonym groups) of each content word."""
        text = nfkc(text).lower()
        words = [w for w in text.split() if w not in ENGLISH_STOPWORDS]
        out: list[tuple[str, tuple[str, ...], tuple[int, ...]]] = []
        read = (m for _, p in pieces(" ".join(words)) for m in self._tokenizer().tokenize(p))
        for m in read:
            pos = m.part_of_speech()
            if pos[0] in _DROPPED_POS:
                continue
            form = m.normalized_form().strip()
            if form:
                out.append((form, pos, tuple(m.synonym_group_ids())))
        return tuple(out)


class _Shifted:
    """A morpheme of a later piece of a long text, its offsets moved into the whole text."""

    def __init__(self, morpheme: Any, offset: int) -> None:
        self._morpheme, self._offset = morpheme, offset

    def begin(self) -> int:
        return int(self._morpheme.begin()) + self._offset

    def end(self) -> int:
        return int(self._morpheme.end()) + self._offset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._morpheme, name)


class LexicalIndex:
    """BM25 over the content-word tokens of every passage, plus the English glossary."""

    def __init__(
        self,
        bm25: bm25s.BM25,
        tokenizer: JapaneseTokenizer,
        glossary: dict[str, dict[str, float]],
        variants: dict[str, list[str]] | None = None,
    ) -> None:
        self._bm25 = bm25
        self._tokenizer = tokenizer
        self.glossary = glossary
        self.variants = variants or {}  # corpus term → its variant keys
        self._by_key: dict[str, list[str]] = {}
        for term, keys in sorted(self.variants.items()):
            for key in keys:
                self._by_key.setdefault(key, []).append(term)
        self.size = int(bm25.scores["num_docs"])
        self._idf: np.ndarray | None = None
        self._columns: np.ndarray | None = None  # the term of each stored BM25 score
        self._terms: list[str] = []
        self._term_order = np.zeros(0, np.int64)  # each term's place in alphabetical order

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
        keyed = [tokenizer.keyed_tokens(t) for t in texts]
        bm25.index([[form for form, _ in k] for k in keyed], show_progress=False)
        variants: dict[str, set[str]] = {}
        for form, keys in (pair for k in keyed for pair in k):
            if keys:
                variants.setdefault(form, set()).update(keys)
        found = {t: sorted(k) for t, k in sorted(variants.items())}
        return cls(bm25, tokenizer, build_glossary(bm25.vocab_dict), found)

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

    def spellings(self, form: str, keys: tuple[str, ...]) -> Unit:
        """The corpus terms that spell one word: its own normalised form (weight 1) and the
        terms sharing a variant key with it (``VARIANT_WEIGHT``; a synonym group only while
        the corpus spells it at most ``MAX_GROUP_TERMS`` ways); empty when the corpus spells
        it no way."""
        unit = {form: 1.0} if form in self._bm25.vocab_dict else {}
        for key in keys:
            terms = self._by_key.get(key, ())
            if key.startswith("g") and len(terms) > MAX_GROUP_TERMS:
                continue
            for term in terms:
                unit.setdefault(term, VARIANT_WEIGHT)
        return unit

    def units(self, query: str) -> list[Unit]:
        """The question's words the corpus spells some way, each once, as ``spellings``:
        「PCを捨てたい」 finds パソコン and 「外相」 a list of 外務大臣."""
        return [u for u, _ in self._counted_units(query)]

    def spelled_words(self, query: str) -> list[tuple[str, Unit]]:
        """Each token of the question with its spellings in the corpus. Only a question in
        Japanese script gets other spellings: Sudachi reads an English word as katakana
        (reserve → リザーブ), and English words have the glossary instead."""
        japanese = bool(JAPANESE.search(query))
        return [
            (form, self.spellings(form, keys if japanese else ()))
            for form, keys in self._tokenizer.keyed_tokens(query)
        ]

    def _counted_units(self, query: str) -> list[tuple[Unit, int]]:
        units: dict[str, Unit] = {}
        uses: dict[str, int] = {}
        for form, unit in self.spelled_words(query):
            if unit:
                units.setdefault(form, unit)
                uses[form] = uses.get(form, 0) + 1
        return [(u, uses[f]) for f, u in units.items()]

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every passage, and the best score any passage could reach.

        A question word scores by the best of its spellings (``units``); English words add
        the glossary's terms. The second value (each word's best single-passage score, summed)
        turns scores into query coverage in [0, 1]: a weak match stays weak instead of being
        stretched to 1.
        """
        # a repeated word counts once per use, as in ``weighted_terms``
        units = [{t: w * n for t, w in u.items()} for u, n in self._counted_units(query)]
        units.extend({t: w} for t, w in expand(query, self.glossary) if self.has_term(t))
        return self.score_units(units)

    def score_units(self, units: list[Unit]) -> tuple[np.ndarray, float]:
        """As ``score_terms``, a unit scoring by its best term in each passage."""
        total = np.zeros(self.size, np.float32)
        ideal = 0.0
        for unit in units:
            best = np.zeros(self.size, np.float32)
            for term, weight in unit.items():
                s = np.asarray(self._bm25.get_scores([term]), dtype=np.float32)
                np.maximum(best, weight * s, out=best)
            total += best
            ideal += float(best.max())
        return total, ideal

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
        if self._columns is None:
            sc = self._bm25.scores
            self._columns = np.repeat(np.arange(len(sc["indptr"]) - 1), np.diff(sc["indptr"]))
            names = [""] * (len(sc["indptr"]) - 1)
            for term, i in self._bm25.vocab_dict.items():
                if i < len(names):
                    names[i] = term
            self._terms = names
            self._term_order = np.argsort(np.argsort(np.array(names, dtype=object)))
        # bm25s keeps scores column by column (term → passages): weight each stored score by
        # how often its passage is asked for and sum per term, as a sparse row sum would.
        sc = self._bm25.scores
        counts = np.bincount(np.asarray(passages, dtype=np.int64), minlength=self.size)
        picked = np.asarray(sc["data"], dtype=np.float64) * counts[sc["indices"]]
        weights = np.bincount(self._columns, weights=picked, minlength=len(self._terms))
        found = np.flatnonzero(weights > 0)
        # Ties by the term itself: bm25s numbers terms in hash order, which differs from one
        # process to the next, and a tie broken by that number made feedback, and so rankings,
        # differ between two builds of the same corpus.
        order = found[np.lexsort((self._term_order[found], -weights[found]))]
        return [(self._terms[i], float(weights[i])) for i in order]

    def save(self, path: Path) -> None:
        self._bm25.save(str(path), show_progress=False)
        with open(path / GLOSSARY, "w", encoding="utf-8") as f:
            json.dump(self.glossary, f, ensure_ascii=False)
        with open(path / VARIANTS, "w", encoding="utf-8") as f:
            json.dump(self.variants, f, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path, tokenizer: JapaneseTokenizer | None = None) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(path), show_progress=False, verbosity=0)
        with open(path / GLOSSARY, encoding="utf-8") as f:
            glossary = json.load(f)
        variants = None
        if (path / VARIANTS).is_file():
            with open(path / VARIANTS, encoding="utf-8") as f:
                variants = json.load(f)
        return cls(bm25, tokenizer or JapaneseTokenizer(), glossary, variants)

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
            "variants": "synonym-groups+kana",
        }
