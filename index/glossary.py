"""English → Japanese bridge for the lexical side, built from JMdict/JMnedict at index time.

An English question shares no tokens with a Japanese corpus, so BM25 alone cannot help it.
For every word of the corpus vocabulary the dictionaries give English glosses (移設 →
"relocation", 普天間 → "Futenma", 国務長官 → "Secretary of State"); inverting them gives, per
English word, the corpus terms it can stand for. Only terms that occur in the corpus are kept,
so the map is small, persisted with the index, and a query lookup is a dict access.

The dictionary data comes from the optional ``jamdict-data`` package (an SQLite file); without
it the glossary is empty and English questions rely on dense retrieval alone.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from kotae.ingest.text import ENGLISH_STOPWORDS

# Words a gloss or a request carries besides the function words ("esp." in JMdict glosses).
GLOSS_STOPWORDS = frozenset("etc esp one someone something tell give please also".split())
STOPWORDS = ENGLISH_STOPWORDS | GLOSS_STOPWORDS
MAX_GLOSS_WORDS = 4
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
SECONDARY_SENSE = 0.25
_PARENS = re.compile(r"\([^)]*\)")
# JMnedict romanises long vowels as written in kana (Taiyou, Shouwa, Oohira); English text
# drops them (Taiyo, Showa, Ohira). A name's gloss is indexed both ways.
_LONG_VOWEL = re.compile(r"(?<=[OoUu])[Uu]|(?<=[Oo])[Oo]")


_local = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """One stemmer per thread: a snowball stemmer keeps the word it is stemming in itself, so
    request threads sharing one corrupted each other's words (500s under concurrent load)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def fold_marks(text: str) -> str:
    """Latin letters without their diacritics: JMdict romanises with macrons (Shōwa, Heijō,
    Sōtō) and a reader types none (Showa), so both sides are read without them."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def english_words(text: str) -> list[str]:
    """Content words of an English text: stemmed, or kept as written when an acronym (US, EU),
    so that "US" is not mistaken for the pronoun "us"; diacritics dropped (Shōwa → showa)."""
    out = []
    for w in _WORD.findall(fold_marks(text)):
        if len(w) > 1 and w.isupper():
            out.append(w)
        elif (lower := w.lower()) not in STOPWORDS and len(lower) > 1:
            out.append(stem(lower))
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The snowball stem of a lower-cased English word (cached: a question's words are stemmed
    by every reader of the question — retrieval, feedback, the reranker, the answer — and
    snowball is pure Python, ~0.3 ms a word)."""
    return str(_stemmer().stemWord(word))


def dictionary_path() -> Path | None:
    try:
        import jamdict_data
    except ImportError:
        return None
    path = Path(jamdict_data.__file__).parent / "jamdict.db"
    return path if path.is_file() else None


def dictionary_version() -> str:
    try:
        import jamdict_data
    except ImportError:
        return "none"
    return str(getattr(jamdict_data, "__version__", "unknown"))


# (term, gloss, 1 when the gloss belongs to the entry's first sense): the first sense is the
# word's main meaning (出席 "attendance"), later ones are rarer uses (付く "to attend on").
_FIRST_SENSE = "s.ID = (select min(ID) from Sense where idseq = k.idseq)"
_QUERIES = (
    f"select k.text, g.text, {_FIRST_SENSE} from Kanji k join Sense s on s.idseq = k.idseq "
    "join SenseGloss g on g.sid = s.ID where k.text in ({})",
    f"select k.text, g.text, {_FIRST_SENSE} from Kana k join Sense s on s.idseq = k.idseq "
    "join SenseGloss g on g.sid = s.ID where k.text in ({})",
    "select k.text, g.text, 1 from NEKanji k join NETranslation t on t.idseq = k.idseq "
    "join NETransGloss g on g.tid = t.ID where k.text in ({})",
    "select k.text, g.text, 1 from NEKana k join NETranslation t on t.idseq = k.idseq "
    "join NETransGloss g on g.tid = t.ID where k.text in ({})",
)


_NAMES = 2  # _QUERIES from this one on read JMnedict (names)


def build_glossary(vocabulary: Iterable[str]) -> dict[str, dict[str, float]]:
    """English stem → {corpus term: weight}; 1 for a term's main sense, less for others."""
    path = dictionary_path()
    terms = sorted({t for t in vocabulary if t and not t.isascii()})
    if path is None or not terms:
        return {}
    mapping: dict[str, dict[str, float]] = defaultdict(dict)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for start in range(0, len(terms), 500):
            batch = terms[start : start + 500]
            marks = ",".join("?" * len(batch))
            for n, sql in enumerate(_QUERIES):
                for term, gloss, first in db.execute(sql.format(marks), batch):
                    text = _PARENS.sub(" ", gloss)
                    words = english_words(text)
                    if 0 < len(words) <= MAX_GLOSS_WORDS:
                        if n >= _NAMES:
                            words += english_words(_LONG_VOWEL.sub("", text))
                        weight = 1.0 if first else SECONDARY_SENSE
                        for w in words:
                            mapping[w][term] = max(mapping[w].get(term, 0.0), weight)
    return {w: dict(sorted(ts.items())) for w, ts in sorted(mapping.items())}


def expand(question: str, glossary: dict[str, dict[str, float]]) -> list[tuple[str, float]]:
    """Corpus terms an English question stands for, each English word worth one token."""
    weights: dict[str, float] = defaultdict(float)
    for word in english_words(question):
        terms = glossary.get(word, {})
        total = sum(terms.values())
        for t, w in terms.items():
            weights[t] += w / total
    return list(weights.items())
