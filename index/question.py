"""The question, read once: what every answering stage needs to know about what was asked.

Its language, the kind of fact and of span it asks for, the years it names and its content
words used to be re-read from the string by each stage that needed them (the sentence scorer
twice, the short-answer finder twice, the not-found decision, the message of a not-found
answer …). :func:`read_question` reads them once per answer, in ``compose_answer``, and the
stages take the :class:`Question` it returns. Each reading is the very rule its stage applied
before, on the same text — the sentence scorer's written years and the question's years stay
two readings, as fitted — so no score moves.

The index layer (first-stage retrieval) keeps its own reading: it sits below this module. The
reranker reads the query it is handed, retrieval's normalised form of the question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from kotae.index.glossary import english_words
from kotae.index.lexical import JapaneseTokenizer, LexicalIndex
from kotae.index.question_type import (
    WH_WORDS,
    AnswerType,
    QuestionType,
    answer_type,
    question_type,
)
from kotae.ingest.dates import western_years, years_in_question
from kotae.ingest.text import JAPANESE, nfkc

Language = Literal["ja", "en"]
YEARS_WRITTEN = (1000, 2099)  # the 西暦 years a question or sentence is read as naming


@dataclass(frozen=True)
class Question:
    """One question as read (by :func:`read_question`).

    The words (``terms``, ``units``) depend on the index that weighs them; they are ``None``
    when the question was read without one, and left out of equality: they follow from the
    text and the index.
    """

    text: str  # as asked
    normalized: str  # NFKC: the matching form of the text
    language: Language  # "ja" when it holds any kana or kanji
    kind: QuestionType  # the fact an answering sentence holds (question_type.question_type)
    answer_kind: AnswerType  # the span a short answer is (question_type.answer_type)
    years: frozenset[int]  # 西暦 (1900–2100) or 和暦 years it names (dates.years_in_question)
    written_years: frozenset[int]  # the 4-digit 西暦 years it writes, 1000–2099 (the scorer's)
    english: tuple[str, ...]  # its English content words, stemmed (glossary.english_words)
    focus: tuple[str, ...]  # what it asks about (:func:`question_focus`)
    terms: Mapping[str, float] | None = field(default=None, compare=False)
    units: tuple[Mapping[str, float], ...] | None = field(default=None, compare=False)


def read_question(text: str, lexical: LexicalIndex | None = None) -> Question:
    """Every reading of ``text`` the answering stages use; its words too given the index
    (``lexical``) that weighs them."""
    normalized = nfkc(text)
    read = Question(
        text=text,
        normalized=normalized,
        language=language(text),
        kind=question_type(text),
        answer_kind=answer_type(text),
        years=frozenset(years_in_question(text)),
        written_years=frozenset(western_years(normalized, *YEARS_WRITTEN)),
        english=tuple(english_words(text)),
        focus=question_focus(text),
    )
    return read if lexical is None else with_words(read, lexical)


def with_words(question: Question, lexical: LexicalIndex) -> Question:
    """``question`` with its words weighed by ``lexical`` (the record itself if it has them)."""
    if question.terms is not None and question.units is not None:
        return question
    text = question.text
    units = tuple(MappingProxyType(u) for u in question_units(text, lexical))
    return replace(question, terms=MappingProxyType(question_terms(text, lexical)), units=units)


def as_question(question: str | Question, lexical: LexicalIndex | None = None) -> Question:
    """``question`` read, for the functions that take the string or the record: a string is
    read here, and given ``lexical`` the words are weighed too if the record lacks them."""
    read = read_question(question) if isinstance(question, str) else question
    return read if lexical is None else with_words(read, lexical)


def language(text: str) -> Language:
    """The language of a text: "ja" when it holds any kana or kanji, else "en"."""
    return "ja" if JAPANESE.search(text) else "en"


def question_terms(question: str, lexical: LexicalIndex) -> dict[str, float]:
    """The question's content words (with the glossary's terms for English words), IDF-weighted."""
    return {t: w * lexical.idf(t) for t, w in lexical.weighted_terms(question)}


def question_units(question: str, lexical: LexicalIndex) -> list[dict[str, float]]:
    """The question's words as units of meaning, each with the corpus terms that express it
    and their weights (IDF × sense weight): a Japanese word is its own term; an English word
    is the glossary's terms for it. A unit is covered by its best term a sentence holds, so a
    noisy secondary sense (side → 面, 付く) cannot dilute the words that matter, as it does
    when all the glossary's terms are pooled."""
    units = [
        {t: lexical.idf(t)}
        for t in dict.fromkeys(lexical.tokenizer.tokens(question))
        if lexical.has_term(t)
    ]
    for word in english_words(question):
        terms = {t: w * lexical.idf(t) for t, w in lexical.glossary.get(word, {}).items()}
        if terms:
            units.append(terms)
    return units


def question_focus(question: str, tokenizer: JapaneseTokenizer | None = None) -> tuple[str, ...]:
    """What the question asks about: the noun just before its question word (本部はどこ → 本部),
    the counter of 何X (何色 → 色), or the last noun of a question without one (特色は？)."""
    del tokenizer  # one shared, thread-local Sudachi tokenizer with the index's settings
    if not JAPANESE.search(question):
        return ()
    words = _TOKENIZER.content_words(question)
    out: list[str] = []
    for i, (form, _) in enumerate(words):
        wh = next((w for w in WH_WORDS if form.startswith(w)), None)
        if wh is None:
            continue
        if len(form) > len(wh):
            out.append(form[len(wh) :])
        elif i + 1 < len(words) and words[i + 1][1][0] in ("名詞", "接尾辞"):
            out.append(words[i + 1][0])  # 何 年 → 年
        nouns = [f for f, p in words[:i] if p[0] == "名詞" and p[1] != "数詞"]
        if nouns:
            out.append(nouns[-1])
        return tuple(out)
    nouns = [f for f, p in words if p[0] == "名詞" and p[1] != "数詞"]
    return (nouns[-1],) if nouns else ()


_TOKENIZER = JapaneseTokenizer()


def clear_caches() -> None:
    """Forget the questions tokenised so far (the bench measures the cold path with it)."""
    _TOKENIZER.clear_cache()
