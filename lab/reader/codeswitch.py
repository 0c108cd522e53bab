"""Code-switched training questions: some of a Japanese question's words put in English.

kotae is asked in English over Japanese text, and the reader is trained on Japanese questions
only (JaQuAD): it reads an English question far less well (its best logit on answerable
English questions over JSQuAD averages −4.0, on the Japanese ones +3.1). Replacing words of a
training question by their dictionary translation (code-switching, as in CoSDA-ML, Qin et al.
2020) teaches the model that 採択 and "adopt" ask the same thing, with no translated corpus: the
glosses come from JMdict/JMnedict, which kotae's glossary already reads (``jamdict-data``).

    switch = CodeSwitch.for_questions(questions)      # one dictionary pass over their words
    switch("手塚治虫の漫画家としてのデビュー作は何かな?", rng, words=1.0)
    # → "Tezuka Osamu の cartoonist としての debut 作は what かな?" (which: ``rng``, ``words``)
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from kotae.index.dictionary import shared_dictionary
from kotae.index.glossary import dictionary_path

CONTENT = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "代名詞"})  # 何 what, 誰 who
# A translation, not an explanation: at most three plain English words.
_GLOSS = re.compile(r"[A-Za-z][A-Za-z'.-]*(?: [A-Za-z][A-Za-z'.-]*){0,2}")
_PARENS = re.compile(r"\([^)]*\)")  # "(esp. …)" notes in a gloss
_KANA = re.compile(r"[ぁ-ゖ]+")  # a lone hiragana morpheme is grammar, whatever its tag
# First gloss of each word's first sense (JMdict), or of its first name reading (JMnedict).
_SQL = {
    "word": "select k.text, g.text from {t} k join Sense s on s.idseq = k.idseq "
    "join SenseGloss g on g.sid = s.ID where k.text in ({q}) order by s.ID, g.rowid",
    "name": "select k.text, g.text from {t} k join NETranslation t on t.idseq = k.idseq "
    "join NETransGloss g on g.tid = t.ID where k.text in ({q}) order by t.ID, g.rowid",
}
_TABLES = {"word": ("Kanji", "Kana"), "name": ("NEKanji", "NEKana")}


@dataclass(frozen=True)
class Word:
    surface: str
    english: str | None  # its gloss, None when it has none (particles, unknown words)


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import SplitMode

    return shared_dictionary().tokenizer(mode=SplitMode.C)


def words_of(text: str) -> list[tuple[str, str, str, bool]]:
    """(surface, dictionary form, part of speech, proper noun) of each morpheme."""
    out = []
    for m in _tokenizer().tokenize(text):
        pos = m.part_of_speech()
        out.append((m.surface(), m.dictionary_form(), pos[0], pos[1] == "固有名詞"))
    return out


def glosses(forms: Iterable[str], kind: str) -> dict[str, str]:
    """Each form's first short English gloss in JMdict (``word``) or JMnedict (``name``)."""
    path = dictionary_path()
    terms = sorted({f for f in forms if f and not f.isascii()})
    found: dict[str, str] = {}
    if path is None:
        raise SystemExit("code-switching needs JMdict: pip install jamdict-data")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for start in range(0, len(terms), 500):
            batch = terms[start : start + 500]
            marks = ",".join("?" * len(batch))
            for table in _TABLES[kind]:
                for term, gloss in db.execute(_SQL[kind].format(t=table, q=marks), batch):
                    text = " ".join(_PARENS.sub(" ", gloss).split()).removeprefix("to ")
                    if term not in found and _GLOSS.fullmatch(text):
                        found[term] = text
    return found


@dataclass(frozen=True)
class CodeSwitch:
    """Questions as words, each content word with its English gloss (read once, up front)."""

    parsed: dict[str, tuple[Word, ...]]

    @classmethod
    def for_questions(cls, questions: Iterable[str]) -> CodeSwitch:
        texts = sorted(set(questions))
        morphemes = {q: words_of(q) for q in texts}
        every = [w for ws in morphemes.values() for w in ws if w[2] in CONTENT]
        names = glosses((s for s, _, _, proper in every if proper), "name")
        plain = glosses({f for _, f, _, _ in every} | {s for s, _, _, _ in every}, "word")

        def english(w: tuple[str, str, str, bool]) -> str | None:
            surface, form, pos, proper = w
            if pos not in CONTENT or (pos != "代名詞" and _KANA.fullmatch(surface)):
                return None
            if proper and surface in names:
                return names[surface]
            return plain.get(surface) or plain.get(form)

        return cls({q: tuple(Word(w[0], english(w)) for w in ws) for q, ws in morphemes.items()})

    def switchable(self, question: str) -> int:
        return sum(w.english is not None for w in self.parsed.get(question, ()))

    def __call__(self, question: str, rng: random.Random, words: float) -> str:
        """``question`` with each word that has a gloss put in English with chance ``words``."""
        parts = []
        for w in self.parsed.get(question, ()):
            if w.english is not None and rng.random() < words:
                parts.append(f" {w.english} ")
            else:
                parts.append(w.surface)
        return " ".join("".join(parts).split()) if parts else question


def switched_questions(
    switch: CodeSwitch, questions: list[Any], rng: random.Random, share: float
) -> list[str]:
    """Per question (anything with ``.question``): itself, or with chance ``share`` a
    code-switched copy with a random share of its words in English (a whole English question
    is as useful as a word or two)."""
    out = []
    for g in questions:
        if share > 0 and rng.random() < share:
            out.append(switch(g.question, rng, words=rng.uniform(0.3, 1.0)))
        else:
            out.append(g.question)
    return out
