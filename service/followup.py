"""Follow-up questions: resolve one that leans on the conversation, without an LLM.

A question such as 「その時の日本側の出席者は？」 or "Who attended that meeting?" names neither
the meeting nor the year; asked alone it retrieves any meeting. When a question points back
(demonstratives, 同-words, ellipsis) or has no topic words of its own, the topic words and
years of the previous question (itself resolved the same way, so a chain of follow-ups keeps
its context) that it does not already say are carried into it. A question that stands alone
is left exactly as asked. Words come from the index's own Sudachi tokenizer: noun phrases as
written, so what the user is shown reads as their own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from kotae.index.search import Filters, Hit, Period
from kotae.ingest.dates import western_years
from kotae.ingest.records import Document
from kotae.ingest.text import ENGLISH_STOPWORDS, JAPANESE, nfkc
from kotae.service.sentences import content_free

MAX_HISTORY = 10  # earlier questions a request may send
SHORT = 10  # characters: a Japanese question this short with one topic word is an ellipsis

# Words that point back at something said before.
_JA_POINTERS = frozenset(
    "その この あの それ これ あれ そこ ここ そちら こちら 同じ その後 その時 その際 "
    "彼 彼女 彼ら 前回 上記 前述 同年 同月 同日 同社 同氏 同国 同市 同会合 同書".split()
)
# Nouns that after a pointing word only complete it (その時, その際, その後).
_JA_POINTED = frozenset("時 とき 際 後 頃 ころ 場 年 月 日 辺".split())
_JA_ELLIPSIS = re.compile(r"^(では|じゃあ|それでは|それで|ほかに|他に|一方)[、,]?")
_EN_POINTERS = re.compile(
    r"\b(then|it|its|they|them|their|he|she|his|her|him|there(?!\s+(?:is|are|was|were)\b)"
    r"|the same|(?:that|this)\s*\?"
    r"|(?:^|\b(?:at|in|on|of|from|for|to|during|about|with|by|after|before|and|did|does|was|is"
    r"|attend\w*|sign\w*|held|hold|join\w*|visit\w*)\s+)(?:that|this|these|those)\s+[a-z]+)",
    re.IGNORECASE,
)
_EN_ELLIPSIS = re.compile(r"^\s*(and|what about|how about|and what about|also)\b", re.IGNORECASE)
# Words that ask, not say what about: a question made only of these has no topic of its own.
_JA_GENERIC = frozenset(
    "何 誰 いつ どこ どれ どの なに 何年 何月 何日 何人 何回 時 とき 事 こと もの 人 方 名前 "
    "名称 場所 理由 目的 内容 年 月 日 ほか 他 側 結果 場合 どちら 一つ 最初 最後 概要 成果 "
    "考え 話 説明 様子 歴史 特徴 詳細 情報 何時間 いくら 都市 組織 会社 国 人物 概略".split()
)
# Words a follow-up uses to ask rather than to name its topic, beside the function words.
_EN_ASKING = frozenset(
    "him same also else other more most many much name named called year years time day date "
    "happen happened tell explain describe give list please come came out agree agreed discuss "
    "discussed decide decided say said talk talked know known".split()
)
_EN_STOP = ENGLISH_STOPWORDS | _EN_ASKING
_MONTH_NAMES = tuple(
    "january february march april may june july august september october november december".split()
)
_MONTHS = frozenset(_MONTH_NAMES)
# Month names in any case, but "may" only as "May": lower case it is the verb.
_EN_MONTH = re.compile(rf"\b((?i:{'|'.join(m for m in _MONTH_NAMES if m != 'may')})|May)\b")
CARRIED_YEARS = (1900, 2099)  # the years a follow-up carries over (西暦, written as four digits)
_JA_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月")
_NOUNISH = {"名詞", "接頭辞", "接尾辞"}
_EN_WORD = re.compile(r"\d\s*\+\s*\d|[A-Za-z][A-Za-z0-9+&'\-]*|\d{4}")
# する-verb forms (合意さ-れた, 確認し-た): the noun before one names what was done, not a topic.
_SURU = frozenset("さ し す する せ され させ しよ".split())


class Search(Protocol):
    def __call__(self, question: str, k: int, filters: Filters | None) -> list[Hit]: ...


class Morphemes(Protocol):
    def words(self, text: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Tuning:
    """How much a follow-up takes from the conversation; fitted by ``lab/followup_sweep.py``.

    The question's own words are repeated ``own_weight`` times in the search text so that
    carried words narrow the search without outweighing what is actually asked;
    ``english_own_weight`` times for a question without Japanese, whose words reach the
    Japanese text only through the glossary and say less than the carried ones (2+2, 2007).
    """

    own_weight: int = 2
    english_own_weight: int = 2
    context_passages: int = 3  # the earlier question's top passages whose documents are kept
    max_carried: int = 6  # topic phrases carried into one question
    drop_titles: bool = True  # leave out carried words naming every document searched
    drop_pointers: bool = True  # leave the pointing words (その時, 同年) out of the search text


@dataclass(frozen=True)
class Resolved:
    """The text retrieval searches for, and what the user is told (None: asked as is)."""

    question: str
    understood_as: str | None = None
    carried: tuple[str, ...] = ()
    context: str = ""  # the earlier question it was resolved against, itself resolved
    context_passages: int = Tuning.context_passages
    period: Period = Period()  # the carried year and/or month: passages dated in it rank first
    said: str = ""  # the question's own words as searched (pointing words left out)
    own_weight: int = Tuning.own_weight
    drop_titles: bool = Tuning.drop_titles

    def search_text(self, filters: Filters, title: Callable[[str], str | None]) -> str:
        """The text to search for within ``filters``.

        A carried word in the title of every document the search is narrowed to (下関市
        within 下関市) holds for all of it: it tells none of its passages apart and only
        pulls toward the opening ones, so it is left out of the search (not of the display).
        """
        if filters.doc_ids is None or not self.carried or not self.drop_titles:
            return self.question
        titles = [_key(title(d) or "") for d in filters.doc_ids]
        kept = [c for c in self.carried if not all(_key(c) in t for t in titles)]
        if len(kept) == len(self.carried):
            return self.question
        return _search_text(self.said, kept, self.own_weight)

    def filters(self, asked: Filters, search: Search) -> Filters:
        """``asked`` with the carried period preferred, else narrowed to the documents the
        earlier question found, for a follow-up.

        「その会場は？」 is about the meeting just discussed: passages dated in the period the
        earlier question named rank first, in any document (a passage is dated by the meeting
        it reports), and the rest still follow — an article dated by its publication, not by
        the meeting, is not lost. Without a period, or when no passage the user's own filter
        allows is dated in it, the search keeps to the earlier question's documents.
        """
        if self.understood_as is None or not self.context:
            return asked
        if self.period:
            dated = replace(asked, prefer=self.period)
            top = search(self.context, 1, dated)
            if top and top[0].preferred:
                return dated
        hits = search(self.context, self.context_passages, asked)
        found = frozenset(h.chunk.doc_id for h in hits)
        docs = found if asked.doc_ids is None else found & asked.doc_ids
        if not docs:
            return asked
        return replace(asked, doc_ids=docs)


def document_titles(documents: Mapping[str, Document]) -> Callable[[str], str | None]:
    """The title of a document id for ``Resolved.search_text``; None for an id the index does not
    hold (a filter naming a removed or mistyped document must not fail the question)."""
    return lambda doc_id: d.title if (d := documents.get(doc_id)) is not None else None


def period_of(carried: Sequence[str], question: str) -> Period:
    """The period the conversation is about: the carried year with the month the question or
    else the carried words name (a month alone is a month of any year); none when the
    question names its own year."""
    asked = nfkc(question).strip()
    if western_years(asked, *CARRIED_YEARS):
        return Period()
    text = nfkc(" ".join(carried))
    years = western_years(text, *CARRIED_YEARS)
    year = str(years[0]) if years else ""
    month = _month(asked, question=True) or _month(text, year)
    return Period(year, f"{month:02d}" if month else "")


def _month(text: str, year: str = "", question: bool = False) -> int:
    """The one month ``text`` names (the one after ``year`` in 2011年6月 when given), else 0.

    A question's opening "May" is the verb too."""
    if year and (m := re.search(rf"{year}年(\d{{1,2}})月", text)):
        return int(m.group(1)) if 1 <= int(m.group(1)) <= 12 else 0
    found = {int(n) for n in _JA_MONTH.findall(text)} & set(range(1, 13))
    for m in _EN_MONTH.finditer(text):
        if not (question and m.start() == 0 and m.group() == "May"):
            found.add(_MONTH_NAMES.index(m.group().lower()) + 1)
    return found.pop() if len(found) == 1 else 0


def resolve(
    question: str, history: Sequence[str], tokenizer: Morphemes, tuning: Tuning | None = None
) -> Resolved:
    """``question`` resolved against ``history`` (earlier questions, oldest first)."""
    tuning = tuning or Tuning()
    context = ""
    for earlier in history[-MAX_HISTORY:]:
        if earlier.strip():
            before = _resolve_one(earlier, context, tokenizer, tuning)
            context = before.understood_as or earlier
    return _resolve_one(question, context, tokenizer, tuning)


def _resolve_one(question: str, context: str, tokenizer: Morphemes, tuning: Tuning) -> Resolved:
    if not context or content_free(question) or not depends_on_context(question, tokenizer):
        return Resolved(question)  # 「？？？」 after a question is still no question
    said = _key(question)
    carried: list[str] = []
    for phrase in topics(context, tokenizer, predicates=False):
        key = _key(phrase)
        if key not in said and all(key not in _key(c) for c in carried):
            carried.append(phrase)
    carried = carried[: tuning.max_carried]
    if not carried:
        return Resolved(question)
    text = question.strip()
    own = unpointed(text, tokenizer) if tuning.drop_pointers else text
    weight = tuning.own_weight if JAPANESE.search(text) else tuning.english_own_weight
    return Resolved(
        _search_text(own, carried, weight),
        text + _about(text, carried),
        tuple(carried),
        context,
        tuning.context_passages,
        period_of(carried, text),
        own,
        weight,
        tuning.drop_titles,
    )


def unpointed(question: str, tokenizer: Morphemes) -> str:
    """``question`` without the words that point back (その時, 同年, この): once the carried
    words say what they pointed at, they only match passages that happen to write 時 or その."""
    if not JAPANESE.search(question):
        return question
    out: list[str] = []
    pointing = False
    for surface, pos in tokenizer.words(question):
        if surface in _JA_POINTERS:
            pointing = True
            continue
        if pointing and (surface in _JA_POINTED or pos in ("助詞", "補助記号", "空白")):
            continue  # その時の日本側 → 日本側, その時、米国は → 米国は
        pointing = False
        out.append(surface)
    kept = "".join(out)
    return kept if kept.strip("？?。、 ") else question


def _search_text(question: str, carried: Sequence[str], own_weight: int) -> str:
    """The question's own words ``own_weight`` times, then the carried ones."""
    return " ".join([question] * max(1, own_weight)) + _about(question, carried)


def _about(question: str, carried: Sequence[str]) -> str:
    if not carried:
        return ""
    if JAPANESE.search(question):
        return f"（{'・'.join(carried)}）"
    return f" ({', '.join(carried)})"


def depends_on_context(question: str, tokenizer: Morphemes) -> bool:
    """Whether ``question`` points back (その時, that meeting) or names no topic of its own."""
    text = nfkc(question).strip()
    if JAPANESE.search(text):
        words = [w for w, _ in tokenizer.words(text)]
        if any(w in _JA_POINTERS for w in words) or _JA_ELLIPSIS.match(text):
            return True
    elif _EN_POINTERS.search(text) or _EN_ELLIPSIS.match(text):
        return True
    found = topics(text, tokenizer)
    if JAPANESE.search(text) and len(found) == 1 and len(text) <= SHORT and "とは" not in text:
        return True  # 「設立は何年？」「アメリカ側は？」: one word, the rest left to the context
    return not found


def topics(text: str, tokenizer: Morphemes, predicates: bool = True) -> list[str]:
    """Topic phrases of ``text`` in order, as written: noun runs (2007年, 日本側, ジェイ・キャスト)
    for Japanese, content words for English; words that only ask (何, いつ, who) are dropped.

    ``predicates=False`` also drops a noun used as a する-verb (何が合意された → 合意): it is
    what the question asked about that topic, so a follow-up on another aspect of the same
    topic (その時の出席者は？) must not carry it.
    """
    if not JAPANESE.search(text):
        return _english_topics(text)
    out: list[str] = []
    for phrase, verbal in _noun_phrases(text, tokenizer):
        if verbal and not predicates:
            continue
        if phrase in _JA_POINTERS or phrase in _JA_GENERIC or phrase.startswith(("その", "この")):
            continue
        if JAPANESE.search(phrase) or re.search(r"\d", phrase):
            out.append(phrase)
        else:
            out.extend(_english_topics(phrase))
    return _unique(out)


def _noun_phrases(text: str, tokenizer: Morphemes) -> list[tuple[str, bool]]:
    """Runs of nouns, prefixes and suffixes, joined across a middle dot (ジェイ・キャスト), each
    with whether a する-verb follows it (合意された: the run is used as a verb)."""
    phrases: list[tuple[str, bool]] = []
    run = ""
    pending_dot = ""
    for surface, pos in tokenizer.words(text):
        if pos in _NOUNISH and surface.strip():
            run += pending_dot + surface
            pending_dot = ""
        elif surface in ("・", "･", "+", "＋") and run:
            pending_dot = surface
        else:
            if run:
                phrases.append((run, pos == "動詞" and surface in _SURU))
            run, pending_dot = "", ""
    if run:
        phrases.append((run, False))
    return phrases


def _english_topics(text: str) -> list[str]:
    words = []
    for w in _EN_WORD.findall(text):
        low = w.lower()
        if low in _MONTHS or (low not in _EN_STOP and len(low) > 1):
            words.append(w)
    return _unique(words)


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out


def _key(text: str) -> str:
    return nfkc(text).lower()
