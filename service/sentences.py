"""Which sentence of the retrieved passages answers the question: features and a fitted score.

Cosine similarity alone rewards headings and bylines that restate the question, so each
candidate sentence is described by several signals — its similarity relative to the other
candidates, the IDF-weighted share of the question's content words it holds, how much it says
beyond the question, its passage's rank, whether it holds the kind of thing the question asks
for (a person for 誰/who, a date for いつ/when, a place, a number), and whether it is a
sentence at all — and scored with weights fitted on the dev sets by ``lab/fit_answers.py``
(stored in ``service/data/sentence_weights.json``). Site chrome is never a candidate.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from kotae.index.lexical import JapaneseTokenizer
from kotae.index.question import YEARS_WRITTEN, Question, as_question
from kotae.index.question import clear_caches as clear_question_caches
from kotae.index.question_type import question_type
from kotae.index.search import Hit
from kotae.index.snapshot import Snapshot
from kotae.ingest.chunker import spanned_dates
from kotae.ingest.dates import DATE_WORD, western_years
from kotae.ingest.qa import bare_labels
from kotae.ingest.text import nfkc
from kotae.service.faq import Pair, pairs, roles
from kotae.service.fitted import fitted, ordered

WEIGHTS_FILE = Path(__file__).parent / "data" / "sentence_weights.json"
BEFORE_CHARS = 96  # of the text before a sentence kept for the reader (it reads at most half)
FEATURES = (
    "sim",
    "sim_rel",
    "sim_z",
    "overlap",
    "overlap_rel",
    "novelty",
    "inv_rank",
    "type_match",
    "type_miss",
    "log_chars",
    "ends_sentence",
    "has_predicate",
    "symbol_share",
    "short",
    "has_date",
    "has_number",
    "has_person",
    "focus",
    "top_sim",
    "top_overlap",
    "passage_dense_rel",
    "passage_coverage",
    "prev_sim_rel",
    "prev_overlap",
    "word_cover",
    "word_cover_rel",
    "year_match",
    "year_conflict",
    "list_line",
    "list_who",
    "en_sim_z",
    "no_novel",
    "prev_top_overlap",
    "prev_top_sim",
    "char_cover",
    "char_cover_rel",
    "name_match",
    "word_share",
)
# A reason: ～ため(に), ～ので, ～から(だ/です), 理由, 狙い, 背景.
_REASON = re.compile(r"ため|ので|から(?:だ|です|で|。)|理由|狙い|背景|目的")
_NUMBER = re.compile(
    r"[\d０-９一二三四五六七八九十百千万億]+\s*(?:人|回|件|個|本|名|社|台|倍|割|%|％|キロ|メートル|円|ドル|万|億|機|隻|か国|カ国|ヶ国)"
)
_POSTS = re.compile(
    r"長官|大臣|首相|大統領|総理|大使|司令官|議員|知事|市長|社長|会長|教授|氏|さん|天皇|皇后|将軍|王"
)
# A labelled line — 「日本側参加者：麻生外務大臣　久間防衛大臣」, 「（米国側）ゲイツ国防長官」 —
# answers who/what-list questions though it is not a sentence.
_LABEL = re.compile(r"^\s*(?:[^：:。、\d]{1,15}[：:]|[（(][^）)\d０-９]{1,8}[）)])\s*\S")
# "What is it called": the answer is a name a sentence gives in （…）, 「…」 or with と呼ぶ.
_ASKS_NAME = re.compile(r"何と(?:いう|言う|呼|称)|名前|名称|呼び名|略称|\bcalled\b|\bname\b", re.I)
_NAMING = re.compile(r"\([^)]+\)|「[^」]+」|と呼|という|と称|と言う")
_ENDS = re.compile(r"[。．.!?！？][」』）)\"']*$")
_FURNITURE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日(?:掲載|更新|公開)?|.*トップページへ|印刷用|.*@\w+.*|#\S+|https?://\S+"
    r"|.*(?:ページの(?:先頭|トップ)へ|シェア|ツイート|いいね).*)$"
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of a cited passage; ``text == document[start:end]``."""

    n: int
    row: int
    start: int
    end: int
    text: str
    title: str = ""  # its document's title (the reader reads it before the sentence)
    before: str = ""  # the document's text just before it (a context reader reads its end)


@dataclass(frozen=True)
class Scored:
    candidates: list[Candidate]
    features: np.ndarray  # (len(candidates), len(FEATURES))
    scores: np.ndarray  # fitted linear score per candidate, higher is better
    # which candidates may be quoted (None: all); FAQ question lines inform, never answer
    quotable: np.ndarray | None = None
    raw: np.ndarray | None = None  # the fitted scores before FAQ answers inherit their question's
    pairs: tuple[Pair, ...] = ()  # FAQ question lines and their answers among the candidates
    asks: str = ""  # the kind of fact the question asks for (question_type)
    fitted: np.ndarray | None = None  # the scores before the reader reordered them (reading.py)


def fitted_weights() -> np.ndarray:
    """The weights ``lab/fit_answers.py`` wrote, in ``FEATURES`` order."""
    return ordered(fitted(WEIGHTS_FILE), "features", FEATURES)


def selection_margin() -> float:
    """How far behind the best sentence another may score and still be quoted (fitted)."""
    return float(fitted(WEIGHTS_FILE)["margin"])


def candidates(hits: list[Hit], snapshot: Snapshot) -> list[Candidate]:
    """Every sentence of the passages, in citation order, except site chrome: the lines ingest
    marked (``snapshot.sentence_furniture``), and for indexes built before those marks, lines
    that look like it."""
    furniture = getattr(snapshot, "sentence_furniture", None)
    out: list[Candidate] = []
    for n, hit in enumerate(hits, start=1):
        doc = snapshot.documents[hit.chunk.doc_id]
        lo, hi = snapshot.sentence_ranges[hit.chunk_id]
        for row in range(int(lo), int(hi)):
            start, end = (int(x) for x in snapshot.sentences[row])
            text = doc.text[start:end]
            marked = furniture is not None and bool(furniture[row])
            chrome = marked or looks_like_furniture(text) or _is_label(doc.text, start)
            if not chrome:
                before = doc.text[max(0, start - BEFORE_CHARS) : start]
                out.append(Candidate(n, row, start, end, text, doc.title or "", before))
    return out


def _is_label(text: str, start: int) -> bool:
    """A bare 「質問」/「回答」/「Q.」 line of an FAQ page: a label, never an answer."""
    return any(lo <= start < hi for lo, hi in bare_labels(text))


def faq_pairs(
    hits: list[Hit], cands: list[Candidate], snapshot: Snapshot
) -> tuple[np.ndarray, np.ndarray]:
    """FAQ structure among the candidates (``service.faq.roles`` of ``service.faq.pairs``):
    which may be quoted, and per candidate the question line it answers (-1: none)."""
    return roles(pairs(hits, cands, snapshot), len(cands))


def looks_like_furniture(text: str) -> bool:
    """Fallback for indexes without ingest's furniture marks: bare dates, banners, handles."""
    return bool(_FURNITURE.match(nfkc(text).strip()))


def score_candidates(
    question: str | Question, hits: list[Hit], snapshot: Snapshot, qv: np.ndarray
) -> Scored:
    """The candidate sentences of ``hits``, described and scored; ``question`` as read once by
    ``compose_answer`` (a string is read here)."""
    q = as_question(question, snapshot.lexical)
    cands = candidates(hits, snapshot)
    feats = features(q, hits, cands, snapshot, qv)
    scores = feats @ fitted_weights() if len(cands) else np.zeros(0)
    faq = pairs(hits, cands, snapshot, question_type)  # reads the FAQ's question lines
    keep, asker = roles(faq, len(cands))
    keep = not_headings(headings(hits, cands, snapshot), not_questions(cands, keep))
    return Scored(cands, feats, paired(scores, asker), keep, scores, faq, q.kind)


def not_questions(cands: list[Candidate], keep: np.ndarray) -> np.ndarray:
    """``keep`` without the candidates that are themselves questions: a heading such as
    「「2+2」会合とは?」 restates what was asked and answers nothing, wherever it stands (FAQ
    question lines are handled with their answers by ``faq_pairs``). Unchanged when nothing
    else could be quoted."""
    asks = np.array([_QUESTION_END.search(c.text) is not None for c in cands], dtype=bool)
    kept = keep & ~asks
    return kept if kept.any() else keep


_QUESTION_END = re.compile(r"[?？][\s」』)）\]]*$")
HEADING_CHARS = 50  # a heading or caption is short; a longer line without 。 is prose


def headings(hits: list[Hit], cands: list[Candidate], snapshot: Snapshot) -> np.ndarray:
    """Which candidates are headings or captions: a short line of its own that does not end
    like a sentence (「日米防衛協力のメカニズムにおける「2+2」会合」, 「「2+2」会合風景」). A
    labelled list line (「米側参加者：ライス国務長官…」) is not one: it answers who-questions."""
    out = np.zeros(len(cands), dtype=bool)
    for i, c in enumerate(cands):
        text = snapshot.documents[hits[c.n - 1].chunk.doc_id].text
        stripped = c.text.strip()
        out[i] = (
            len(stripped) <= HEADING_CHARS
            and _whole_line(text, c.start, c.end)
            and not _ENDS.search(stripped)
            and not _LABEL.match(c.text)
        )
    return out


def _whole_line(text: str, start: int, end: int) -> bool:
    head = text[text.rfind("\n", 0, start) + 1 : start]
    stop = text.find("\n", end)
    return not head.strip() and not text[end : len(text) if stop < 0 else stop].strip()


def not_headings(heading: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``keep`` without headings and captions: they name a topic and answer nothing a sentence
    of the passages could not say better. Unchanged when nothing else could be quoted."""
    kept = keep & ~heading
    return kept if kept.any() else keep


def paired(scores: np.ndarray, asker: np.ndarray) -> np.ndarray:
    """An FAQ answer scores at least what the question line it answers scores: a question line
    matching the user's question points at the answer below it."""
    scores = scores.copy()
    has = asker >= 0
    scores[has] = np.maximum(scores[has], scores[asker[has]])
    return scores


def _sentence_year(snapshot: Snapshot, hit: Hit, start: int) -> set[int]:
    """The year of the dated section the sentence lies in: a sentence that names no year is
    about it (「1月12日…出席した」 under a 2023 heading does not answer a question about 2007,
    nor does a 2011 attendee line in a passage that began in the 2007 section)."""
    date = spanned_dates(snapshot.documents[hit.chunk.doc_id], start, start + 1)[0]
    return {int(date[:4])} if date else set()


def features(
    question: str | Question,
    hits: list[Hit],
    cands: list[Candidate],
    snapshot: Snapshot,
    qv: np.ndarray,
) -> np.ndarray:
    """One row of ``FEATURES`` per candidate; ``question`` as for ``score_candidates``."""
    if not cands:
        return np.zeros((0, len(FEATURES)))
    lexical = snapshot.lexical
    q = as_question(question, lexical)
    assert q.terms is not None and q.units is not None  # read with the index
    terms = q.terms
    total = sum(terms.values()) or 1.0
    qtype = q.kind
    units = q.units
    years = q.written_years
    english = float(q.language == "en")
    grams = _bigrams(q.normalized.lower()) if not english else set()
    asks_name = bool(_ASKS_NAME.search(q.normalized))
    focus = q.focus
    best_dense = max(h.dense for h in hits)
    sims = np.asarray(snapshot.sentence_vectors[[c.row for c in cands]]) @ qv
    sd = float(sims.std()) or 1.0
    mean, top_sim = float(sims.mean()), float(sims.max())
    rows = []
    for c, sim in zip(cands, sims, strict=True):
        words = sentence_words(lexical.tokenizer, c.text)
        forms = {f for f, _ in words}
        overlap = sum(w for t, w in terms.items() if t in forms) / total
        novelty = len(forms - terms.keys()) / len(forms) if forms else 0.0
        shape, kinds, norm = _sentence_shape(c.text)
        match = bool(qtype) and qtype in kinds
        said = set(western_years(norm, *YEARS_WRITTEN))
        said = said or _sentence_year(snapshot, hits[c.n - 1], c.start)
        listed = bool(_LABEL.match(c.text))
        rows.append(
            [
                float(sim),
                float(sim) - top_sim,
                (float(sim) - mean) / sd,
                overlap,
                0.0,  # overlap relative to the best candidate, filled below
                novelty,
                1.0 / c.n,
                float(match),
                float(bool(qtype) and not match),
                *shape,
                float("when" in kinds),
                float("number" in kinds),
                float("who" in kinds),
                float(any(f in norm for f in focus)),
                0.0,  # is the most similar candidate, filled below
                0.0,  # has the most question words, filled below
                hits[c.n - 1].dense - best_dense,
                hits[c.n - 1].coverage,
                0.0,  # the previous sentence's similarity and overlap, filled below:
                0.0,  # an answer often follows the line that restates the question
                word_cover(units, forms),
                0.0,  # word cover relative to the best candidate, filled below
                float(bool(years & said)),
                float(bool(years) and bool(said) and not years & said),
                float(listed),
                float(listed and qtype == "who"),
                0.0,  # English question × sim_z, filled below
                float(novelty < 0.15),
                0.0,  # the previous sentence is the one closest to the question: filled below
                0.0,
                len(grams & _bigrams(norm)) / len(grams) if grams else 0.0,
                0.0,  # relative to the best candidate, filled below
                float(asks_name and bool(_NAMING.search(norm))),
                word_share(units, forms),
            ]
        )
    x = np.array(rows, dtype=np.float64)
    col = {name: x[:, i] for i, name in enumerate(FEATURES)}  # views: named columns of x
    for name in ("overlap", "word_cover", "char_cover"):  # relative to the best candidate's
        col[f"{name}_rel"][:] = col[name] - col[name].max()
    prev = [i - 1 if i and cands[i - 1].n == c.n else -1 for i, c in enumerate(cands)]
    has_prev = np.array([p >= 0 for p in prev])
    col["prev_sim_rel"][:] = np.where(has_prev, col["sim_rel"][prev], -0.1)
    col["prev_overlap"][:] = np.where(has_prev, col["overlap"][prev], 0.0)
    col["en_sim_z"][:] = english * col["sim_z"]
    col["top_sim"][:] = col["sim_rel"] == 0
    col["top_overlap"][:] = (col["overlap_rel"] == 0) & (col["overlap"] > 0)
    for name in ("top_overlap", "top_sim"):
        col[f"prev_{name}"][:] = np.where(has_prev, col[name][prev], 0)
    return x


def word_cover(units: Sequence[Mapping[str, float]], forms: set[str]) -> float:
    """IDF-weighted share of the question's units a sentence expresses, each unit weighing its
    heaviest term: a sentence with the question's rarest wording scores highest, which is what
    ranks the sentences of one question."""
    return _cover(units, forms, [max(u.values()) for u in units])


def word_share(units: Sequence[Mapping[str, float]], forms: set[str]) -> float:
    """The same share, a unit weighing the mean of its terms and any one of them covering it up
    to that: the glossary's rare secondary senses (attend → しん) must not make a common
    translation (出席) look partial, which matters when judging whether anything answers."""
    return _cover(units, forms, [sum(u.values()) / len(u) for u in units])


def _cover(units: Sequence[Mapping[str, float]], forms: set[str], bars: list[float]) -> float:
    total = sum(bars)
    if not total:
        return 0.0
    got = sum(
        min(bar, max((w for t, w in u.items() if t in forms), default=0.0))
        for u, bar in zip(units, bars, strict=True)
    )
    return got / total


def content_free(question: str) -> bool:
    """No content at all: punctuation, symbols, digits, invisible characters, or one repeated
    character (あああああ, a single kanji) — nothing a document could answer."""
    text = nfkc(question)
    kept = [ch for ch in text if unicodedata.category(ch)[0] in "LN" and ch != "ー"]
    letters = [ch for ch in kept if unicodedata.category(ch)[0] == "L"]
    return len(set(letters)) <= 1


@lru_cache(maxsize=65536)
def _cached_words(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(_TOKENIZER.content_words(text))


_TOKENIZER = JapaneseTokenizer()


def clear_caches() -> None:
    """Forget cached sentence tokens (the bench measures the cold path with it)."""
    _cached_words.cache_clear()
    _TOKENIZER.clear_cache()
    clear_question_caches()
    _sentence_shape.cache_clear()
    _bigrams.cache_clear()


def sentence_words(
    tokenizer: JapaneseTokenizer, text: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Content words of a sentence, cached: the same sentences come back query after query."""
    del tokenizer  # one shared, thread-local Sudachi tokenizer with the index's settings
    return _cached_words(text)


@lru_cache(maxsize=65536)
def _sentence_shape(text: str) -> tuple[tuple[float, ...], frozenset[str], str]:
    """What a sentence is regardless of the question (cached: sentences recur): log length,
    ends like a sentence, has a predicate, symbol share, short; its answer kinds; its NFKC
    lower-cased text."""
    words = _cached_words(text)
    stripped = text.strip()
    shape = (
        math.log(len(text)),
        float(bool(_ENDS.search(stripped))),
        float(any(p[0] in ("動詞", "助動詞") for _, p in words) or stripped[-1:] in "。."),
        _symbol_share(text),
        float(len(stripped) < 15),
    )
    return shape, frozenset(answer_kinds(text, words)), nfkc(text).lower()


def answer_kinds(text: str, words: tuple[tuple[str, tuple[str, ...]], ...]) -> set[str]:
    """What kinds of answer a sentence holds: a date, a number, a person or post, a place."""
    norm = nfkc(text)
    kinds = set()
    if DATE_WORD.search(norm):
        kinds.add("when")
    if _NUMBER.search(norm):
        kinds.add("number")
    if _POSTS.search(norm) or any(p[1:3] == ("固有名詞", "人名") for _, p in words):
        kinds.add("who")
    if any(p[1:3] == ("固有名詞", "地名") for _, p in words):
        kinds.add("where")
    if _REASON.search(norm):
        kinds.add("why")
    return kinds


@lru_cache(maxsize=65536)
def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the letters and digits of an NFKC text: a sentence that restates
    the question's wording contiguously shares many (cached: sentences recur)."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return frozenset(kept[i : i + 2] for i in range(len(kept) - 1))


def _symbol_share(text: str) -> float:
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return 1.0
    return sum(unicodedata.category(ch)[0] not in "LN" for ch in chars) / len(chars)
