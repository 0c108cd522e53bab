"""Short answers: the name, date, place or number itself, as an exact span of the best sentence.

Extractive readers (SQuAD-style) find the span with a large model; kotae already knows which
sentence answers, so a cheap ranker over that one sentence's candidate spans is enough:

- candidates are runs of nominal Sudachi morphemes (nouns, numerals with counters, prefixes and
  suffixes, ・-joined names), their sub-runs, 「」/『』-quoted titles and ``A の B`` phrases;
- features say whether a candidate fits the kind of fact asked (:mod:`index.question_type`),
  and whether it sits where the question has its gap: not made of the question's own words, but
  next to them (the sentence holds the answer where the question holds 誰/いつ/…のは);
- a linear model, fitted on dev data by ``lab/fit_short.py`` (weights in
  ``short_weights.json``), ranks them; its softmax probability of the best one must clear a
  threshold fitted with it, or there is no short answer.

English questions align through the index's English→Japanese glossary (the same terms the
lexical search uses). The Sudachi tokenizer is the index's own: no second dictionary is loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kotae.index.lexical import JapaneseTokenizer, LexicalIndex
from kotae.index.question import Question, as_question
from kotae.index.question_type import AnswerType
from kotae.ingest.dates import TIME_WORD
from kotae.ingest.text import KATAKANA_RUN, nfkc
from kotae.service.fitted import fitted
from kotae.service.rerank import written_years

if TYPE_CHECKING:
    from kotae.service.answer import Answer

WEIGHTS = Path(__file__).with_name("short_weights.json")
MAX_RUN = 8  # morphemes in one candidate
_NOMINAL = {"名詞", "接頭辞", "接尾辞"}
_LINKS = {"から", "や", "と", "あるいは", "及び", "および", "または", "又は", "ないし"}
_JOINERS = set("・･-－‐ー〜~&＆.．")
_OPEN, _CLOSE = '「『（(〈《【"“', '」』）)〉》】"”'
_CASE = {
    "は": "ha",
    "が": "ga",
    "を": "wo",
    "に": "ni",
    "で": "de",
    "と": "to",
    "の": "no",
    "も": "mo",
}
_POST = re.compile(
    r"(大臣|長官|長|官|監督|社長|会長|委員|議員|代表|総裁|首相|大統領|知事|教授|選手|氏)$"
)
_GAP_END = re.compile(
    r"(?:のは|とは|は|が|を|に|で|の)?(?:何|なに|誰|だれ|どこ|いつ|どれ)?(?:です|でした)?(?:か)?[?？。.]*$"
)
_DIGIT = re.compile(r"[0-9０-９〇一二三四五六七八九十百千万億]")
_SIDE_PARTICLES = {"から", "は"}  # 「日本から」「アメリカは」: a place name before them is a side
# Country names written short (米側, 日米) or in kana: one party however it is written.
_PARTY = {
    "日": "日本",
    "我が国": "日本",
    "わが国": "日本",
    "米": "米国",
    "アメリカ": "米国",
    "アメリカ合衆国": "米国",
    "合衆国": "米国",
    "英": "英国",
    "イギリス": "英国",
    "中": "中国",
    "韓": "韓国",
    "豪": "豪州",
    "オーストラリア": "豪州",
    "露": "ロシア",
    "独": "ドイツ",
    "仏": "フランス",
}


@dataclass(frozen=True)
class ShortAnswer:
    """An exact span of the document inside the first quoted sentence: text == doc[start:end]."""

    text: str
    n: int
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    start: int  # offsets in the sentence
    end: int
    features: dict[str, float]


@dataclass(frozen=True)
class ShortModel:
    names: tuple[str, ...]
    weights: np.ndarray
    threshold: float

    def scores(self, candidates: Sequence[Candidate]) -> np.ndarray:
        """Linear scores; features are sparse, so sum over each candidate's own features."""
        w = dict(zip(self.names, self.weights.tolist(), strict=True))
        return np.array([sum(w.get(k, 0.0) * v for k, v in c.features.items()) for c in candidates])


@lru_cache(maxsize=1)
def default_model() -> ShortModel:
    data = fitted(WEIGHTS)  # the one loader of every fitted file
    names = tuple(data["weights"])
    return ShortModel(names, np.array([data["weights"][k] for k in names]), data["threshold"])


def _norm(text: str) -> str:
    return nfkc(text).lower()


@dataclass(frozen=True)
class _Morph:
    start: int
    end: int
    surface: str
    pos: tuple[str, ...]
    form: str  # normalised form, NFKC lower-cased, as the lexical index's terms

    @property
    def nominal(self) -> bool:
        return self.pos[0] in _NOMINAL or (self.pos[0] == "記号" and self.surface.isalnum())

    @property
    def content(self) -> bool:
        return self.pos[0] in _NOMINAL | {"動詞", "形容詞", "形状詞", "副詞", "記号"}


def _morphs(tokenizer: JapaneseTokenizer, text: str) -> list[_Morph]:
    return list(_read_morphs(tokenizer, text))


@lru_cache(maxsize=4096)
def _read_morphs(tokenizer: JapaneseTokenizer, text: str) -> tuple[_Morph, ...]:
    """Cached: the question is read twice a request, and first sentences recur."""
    return tuple(
        _Morph(
            m.begin(), m.end(), m.surface(), tuple(m.part_of_speech()), _norm(m.normalized_form())
        )
        for m in tokenizer.morphemes(text)
        if m.part_of_speech()[0] != "空白"
    )


def _runs(ms: list[_Morph]) -> list[tuple[int, int]]:
    """Maximal runs [i, j) of nominal morphemes, joiners such as ・ allowed inside."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(ms):
        if not ms[i].nominal:
            i += 1
            continue
        j = i + 1
        while j < len(ms) and (
            ms[j].nominal or (ms[j].surface in _JOINERS and j + 1 < len(ms) and ms[j + 1].nominal)
        ):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _spans(ms: list[_Morph], text: str) -> dict[tuple[int, int], str]:
    """Candidate morpheme ranges [i, j) with how they were made."""
    out: dict[tuple[int, int], str] = {}
    runs = _runs(ms)
    for i, j in runs:
        for a in range(i, j):
            for b in range(a + 1, min(j, a + MAX_RUN) + 1):
                if ms[a].surface in _JOINERS or ms[b - 1].surface in _JOINERS:
                    continue
                out.setdefault((a, b), "full" if (a, b) == (i, j) else "sub")
    for (i, j), (k, end) in zip(runs, runs[1:], strict=False):  # A の B, A から B, A（B）C
        link = "".join(m.surface for m in ms[j:k])
        if end - i > MAX_RUN + 4:
            continue
        if link == "の":
            out.setdefault((i, end), "no")
        elif link in _LINKS:
            out.setdefault((i, end), "join")
        elif link[:1] in "（(" and link[-1:] in "）)" and k - j <= 8:
            out.setdefault((i, end), "paren")
        if link[:1] in "（(" and ms[k - 1].surface in "）)" and k - j <= 8:
            out.setdefault((i, k), "paren")
    for i, j in runs:  # A（B） at the end of a run with nothing nominal after
        if j < len(ms) and ms[j].surface in "（(":
            for b in range(j + 1, min(len(ms), j + 8)):
                if ms[b].surface in "）)":
                    out.setdefault((i, b + 1), "paren")
                    break
    for a, m in enumerate(ms):  # 「quoted」 titles
        if m.surface in _OPEN and m.surface not in "（(":
            for b in range(a + 1, min(len(ms), a + 30)):
                if ms[b].surface in _CLOSE:
                    if b > a + 1:
                        out.setdefault((a + 1, b), "quoted")
                    break
    return out


def _features(
    ms: list[_Morph],
    i: int,
    j: int,
    kind: str,
    aligned: list[bool],
    qtype: AnswerType,
    gap_end: bool,
    at: list[int] | None = None,
    sides: list[tuple[int, bool]] | None = None,
) -> dict[str, float]:
    """``at``: the positions of ``aligned`` morphemes, when the caller has them already;
    ``sides``: the sentence's side markers (:func:`side_markers`) when the question names one."""
    span = ms[i:j]
    text = "".join(m.surface for m in span)
    content = [k for k in range(i, j) if ms[k].content]
    overlap = sum(aligned[k] for k in content) / max(1, len(content))
    prev = ms[i - 1] if i > 0 else None
    nxt = ms[j] if j < len(ms) else None
    if at is None:
        at = [k for k, a in enumerate(aligned) if a]
    positions = [k for k in at if not i <= k < j]
    dist = min((i - k if k < i else k - j + 1 for k in positions), default=len(ms))
    near = sum(1 for k in positions if i - 6 <= k < j + 6)
    f: dict[str, float] = {
        "overlap": overlap,
        "all_overlap": float(overlap == 1.0),
        "any_overlap": float(overlap > 0),
        "log_dist": math.log1p(dist),
        "near_aligned": near / 4,
        "prev_aligned": float(_adjacent_aligned(ms, aligned, i - 1, -1)),
        "next_aligned": float(_adjacent_aligned(ms, aligned, j, 1)),
        "n_morphs": (j - i) / 4,
        "log_chars": math.log1p(len(text)),
        "single": float(j - i == 1),
        "rel_pos": i / max(1, len(ms)),
        "kind_" + kind: 1.0,
        "next_end": float(nxt is None or nxt.surface in "。．." or _copula(ms, j)),
        "next_comma": float(nxt is not None and nxt.surface in "、，,"),
        "prev_open": float(prev is not None and prev.surface in _OPEN),
        "next_close": float(nxt is not None and nxt.surface in _CLOSE),
        "prev_no": float(prev is not None and prev.surface == "の"),
        "only_suffix": float(all(m.pos[0] == "接尾辞" for m in span)),
        "starts_suffix": float(span[0].pos[0] == "接尾辞"),
        "ends_prefix": float(span[-1].pos[0] == "接頭辞"),
    }
    if nxt is not None and nxt.pos[0] == "助詞" and nxt.surface in _CASE:
        f["next_" + _CASE[nxt.surface]] = 1.0
    cls = _classes(span, text)
    for name, value in cls.items():
        f["is_" + name] = value
    f["q_" + qtype.value] = 1.0
    for name in ("date", "number", "person", "place", "propn", "post", "quoted", "latin"):
        f[f"q_{qtype.value}*{name}"] = cls[name]
    if sides is not None:
        side = _nearest_side(sides, i)
        if side is not None:
            f["side_same" if side[1] else "side_other"] = 1.0
    if gap_end:
        f["gap_end*next_end"] = f["next_end"]
        f["gap_end*next_ha"] = f.get("next_ha", 0.0) + f.get("next_ga", 0.0)
    return f


def _classes(span: list[_Morph], text: str) -> dict[str, float]:
    nums = any(m.pos[1] == "数詞" for m in span) or bool(_DIGIT.search(text))
    return {
        "date": float(bool(TIME_WORD.search(_norm(text)))),
        "number": float(nums),
        "digits": float(bool(re.search(r"[0-9０-９]", text))),
        "counter": float(nums and not _DIGIT.search(text[-1])),
        "person": float(any(m.pos[2] == "人名" for m in span)),
        "place": float(any(m.pos[2] == "地名" for m in span)),
        "propn": float(any(m.pos[1] == "固有名詞" for m in span)),
        "post": float(bool(_POST.search(text))),
        "quoted": 0.0,
        "latin": float(bool(re.search(r"[A-Za-zＡ-Ｚａ-ｚ]", text))),
        "katakana": float(bool(KATAKANA_RUN.fullmatch(text))),
    }


def fits_type(features: dict[str, float]) -> bool:
    """A date or number question is not answered by a span without a date or a number in it,
    nor a question naming a side by a name the sentence puts on another side (「米側からは、C」
    for 「日本から出席したのは誰」)."""
    if features.get("side_other"):
        return False
    if features.get("q_date"):
        return bool(features.get("is_date") or features.get("is_digits"))
    if features.get("q_number"):
        return bool(features.get("is_number"))
    return True


def about_other_years(question: str | Question, sentence: str) -> bool:
    """Whether a who/where question names years and the sentence writes only others (西暦 or
    和暦): its name or place belongs to another meeting, another season. Dates and numbers are
    left alone — 「何年に決められた」「何年以来」 are answered by a sentence writing other years —
    and so are sentences that write no year (a section's date is too loose a guide)."""
    q = as_question(question)
    if q.answer_kind not in (AnswerType.PERSON, AnswerType.PLACE):
        return False
    asked = q.years
    said = written_years(sentence)
    return bool(asked) and bool(said) and not asked & said


def _party(word: str) -> str:
    return _PARTY.get(word, word)


def _side_word(ms: list[_Morph], k: int) -> str | None:
    """The party a side marker at morpheme ``k`` names: 「日本側からは」「米側の」「（日本側）」
    「日本から」「アメリカは」 (a place name before から/は), or None. A marker ends its noun
    phrase: 「日本海側気候」 is a climate, not a side."""
    m = ms[k]
    if m.surface.endswith("側") and len(m.surface) > 1:
        return m.form.removesuffix("側") if _ends_phrase(ms, k + 1) else None
    if not m.nominal or k + 1 >= len(ms):
        return None
    after = ms[k + 1]
    if after.surface == "側":
        return m.form if _ends_phrase(ms, k + 2) else None
    if m.pos[2] == "地名" and after.surface in _SIDE_PARTICLES:
        return m.form
    return None


def _ends_phrase(ms: list[_Morph], k: int) -> bool:
    return k >= len(ms) or not ms[k].nominal


def side_markers(ms: list[_Morph], parties: set[str]) -> list[tuple[int, bool]] | None:
    """The sentence's side markers as (position, names a party the question names), or None
    unless the sentence names both the question's side and another: 「日本側からは A、米側からは B」
    puts A on one side and B on the other, and a question about one side wants only its names."""
    found = [(k, w) for k in range(len(ms)) if (w := _side_word(ms, k)) is not None]
    marks = [(k, _party(w) in parties) for k, w in found]
    if not any(same for _, same in marks) or all(same for _, same in marks):
        return None
    return marks


def _nearest_side(sides: list[tuple[int, bool]], i: int) -> tuple[int, bool] | None:
    """The last side marker before morpheme ``i`` (the side a name after it is on)."""
    before = [s for s in sides if s[0] < i]
    return before[-1] if before else None


def _copula(ms: list[_Morph], j: int) -> bool:
    """である / だ / です / となる… right after the span: the sentence's predicate noun."""
    nxt = ms[j] if j < len(ms) else None
    return (
        nxt is not None
        and nxt.form in {"だ", "です"}
        and (
            j + 1 >= len(ms)
            or ms[j + 1].surface in {"ある", "あっ", "。", "、", "す", "した", "あり"}
            or ms[j + 1].pos[0] in {"補助記号", "動詞", "助動詞"}
        )
    )


def _adjacent_aligned(ms: list[_Morph], aligned: list[bool], k: int, step: int) -> bool:
    """Whether the nearest content morpheme from ``k`` (past particles) is a question word."""
    for _ in range(3):
        if not 0 <= k < len(ms):
            return False
        if ms[k].content:
            return aligned[k]
        k += step
    return False


class ShortAnswerFinder:
    """Finds the short answer in one sentence; shares the index's tokenizer and glossary."""

    def __init__(self, lexical: LexicalIndex, model: ShortModel | None = None) -> None:
        self.lexical = lexical
        self.model = model or default_model()

    def candidates(self, question: str | Question, sentence: str) -> list[Candidate]:
        """Every candidate span of ``sentence`` with its features; [] for non-factoid questions.
        ``question`` as read once by ``compose_answer`` (a string is read here)."""
        q = as_question(question)
        qtype = q.answer_kind
        if qtype is AnswerType.NONE or not sentence.strip():
            return []
        terms = self._question_terms(q)
        ms = _morphs(self.lexical.tokenizer, sentence)
        aligned = [m.content and (m.form in terms or _norm(m.surface) in terms) for m in ms]
        gap_end = bool(_GAP_END.search(q.normalized.lower().strip())) and qtype is AnswerType.THING
        at = [k for k, a in enumerate(aligned) if a]
        sides = side_markers(ms, {_party(t) for t in terms})
        out = []
        for (i, j), kind in _spans(ms, sentence).items():
            feats = _features(ms, i, j, kind, aligned, qtype, gap_end, at, sides)
            out.append(Candidate(ms[i].start, ms[j - 1].end, feats))
        return out

    def _question_terms(self, question: str | Question) -> set[str]:
        """The question's words as the index weighs them (``Question.terms``, read with this
        index unless the record has them already) and as Sudachi reads the question itself."""
        q = as_question(question, self.lexical)
        assert q.terms is not None  # read with the index
        terms = set(q.terms)
        ms = _morphs(self.lexical.tokenizer, q.text)
        terms |= {m.form for m in ms if m.content} | {_norm(m.surface) for m in ms if m.content}
        return terms

    def find(
        self, question: str | Question, n: int, doc_id: str, document: str, start: int, end: int
    ) -> ShortAnswer | None:
        """The best span of ``document[start:end]`` for ``question``, or None if not confident."""
        sentence = document[start:end]
        cands = [
            c for c in self.candidates(question, sentence) if sentence[c.start : c.end].strip()
        ]
        if not cands:
            return None
        scores = self.model.scores(cands)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(scores))
        c = cands[best]
        if probs[best] < self.model.threshold or not fits_type(c.features):
            return None
        return ShortAnswer(sentence[c.start : c.end], n, doc_id, start + c.start, start + c.end)


def short_answer_of(
    answer: Answer, finder: ShortAnswerFinder, documents: dict[str, Any]
) -> ShortAnswer | None:
    """The short answer from an :class:`~service.answer.Answer`'s first quote, if any."""
    if not answer.found or not answer.quotes:
        return None
    q = answer.quotes[0]
    hit = next(c.hit for c in answer.citations if c.n == q.n)
    doc = documents[hit.chunk.doc_id]
    asked = answer.read or answer.question  # as compose_answer read it
    if about_other_years(asked, doc.text[q.start : q.end]):
        return None
    return finder.find(asked, q.n, doc.doc_id, doc.text, q.start, q.end)
