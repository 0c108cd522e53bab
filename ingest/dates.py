"""Find dates written the ways Japanese documents write them, as ISO ``YYYY-MM-DD``.

Matching runs on NFKC text so full-width digits count; NFKC keeps string length for the
characters that matter here only approximately, so callers needing offsets use
:func:`dates_with_offsets`, which works on the original text with width-tolerant patterns.
"""

from __future__ import annotations

import re
from datetime import date

ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
# 明治|大正|昭和|平成|令和: every pattern that names an era takes the names from here
ERA_NAMES = "|".join(ERAS)
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_D = r"[0-9０-９]"
_DAY = rf"(?:\s*({_D}{{1,2}})\s*日)?"  # optional: 平成23年6月 dates a section too
_WESTERN = re.compile(rf"({_D}{{4}})\s*年\s*({_D}{{1,2}})\s*月{_DAY}")
_ERA = re.compile(rf"({ERA_NAMES})\s*({_D}{{1,2}}|元)\s*年\s*({_D}{{1,2}})\s*月{_DAY}")
_ENGLISH = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),\s*(\d{4})\b"
)
_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_ERA_YEAR = re.compile(rf"({ERA_NAMES})\s*({_D}{{1,2}}|元)\s*年")
_WESTERN_YEAR = re.compile(r"(?<!\d)([0-9]{4})(?!\d)")
_YEAR_IN_QUESTION = re.compile(rf"({_D}{{4}})\s*年?|(平成|令和|昭和)\s*({_D}{{1,2}}|元)\s*年")

# A date as a line writes it, valid or not, with or without its year (「6月1日」): what a page's
# furniture (「更新日：2024年6月1日」) is made of. For NFKC, lower-cased text.
DATE_MENTION = re.compile(
    r"\d{4}年\d{1,2}月(\d{1,2}日)?|(" + ERA_NAMES + r")(\d{1,2}|元)年\d{1,2}月(\d{1,2}日)?"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}月\d{1,2}日"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},\s*\d{4}"
)
# A sentence that holds a date (an answer to いつ / 何年): a year, a month (and day), a 和暦 year,
# a bare 西暦 year. For NFKC text; a feature of the fitted sentence scorer.
DATE_WORD = re.compile(rf"\d+年|\d+月\d*日?|(?:{ERA_NAMES})[\d元]+年?|\b(?:1[89]|20)\d\d\b")
# A span that names a time, a date or a period, relative ones included (同年, 当時, 晩年): a
# feature of the fitted short-answer ranker. For NFKC text.
TIME_WORD = re.compile(
    rf"\d+年|\d+月|\d+日|\d+世紀|\d+年代|(?:{ERA_NAMES}|同)\s*(?:\d+|元)年|"
    r"[一二三四五六七八九十〇元]+年|同年|翌年|前年|当時|時代|時期|頃|末期|初期|前期|後期|中期|晩年|以降|当初"
)


def _int(s: str) -> int:
    return int(s.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def _iso(y: int, m: int, d: int | None) -> str | None:
    """ISO ``YYYY-MM-DD``, or ``YYYY-MM`` when the text names no day; None if invalid."""
    try:
        full = date(y, m, d or 1).isoformat()
    except ValueError:
        return None
    return full if d else full[:7]


def dates_with_offsets(text: str) -> list[tuple[int, str]]:
    """Every valid date (or year-month) in ``text`` as ``(offset, iso)``, in text order."""
    found: list[tuple[int, str]] = []
    for m in _WESTERN.finditer(text):
        day = _int(m[3]) if m[3] else None
        found.append((m.start(), _iso(_int(m[1]), _int(m[2]), day) or ""))
    for m in _ERA.finditer(text):
        year = ERAS[m[1]] + (1 if m[2] == "元" else _int(m[2]))
        day = _int(m[4]) if m[4] else None
        found.append((m.start(), _iso(year, _int(m[3]), day) or ""))
    for m in _ENGLISH.finditer(text):
        found.append((m.start(), _iso(int(m[3]), MONTHS[m[1].lower()], int(m[2])) or ""))
    for m in _ISO.finditer(text):
        found.append((m.start(), _iso(int(m[1]), int(m[2]), int(m[3])) or ""))
    return sorted((o, d) for o, d in found if d)


_DATE_LABEL = re.compile(
    r"^[^\S\n]*[【\[(（]?(?:最終)?(?:更新|掲載|公開|作成|発行)日(?:時)?[】\])）]?[^\S\n]*[:：]?"
    r"|^[^\S\n]*(?:last\s+)?(?:updated|modified|published)(?:\s+on)?\s*:?",
    re.I | re.M,
)


def publication_date(text: str, head_chars: int = 400) -> str | None:
    """The date the document states for itself: the first date in its opening lines, else a
    line labelled as the page's date wherever it stands (「更新日：…」 at a page's foot)."""
    head = dates_with_offsets(text[:head_chars])
    return head[0][1] if head else labelled_date(text)


def labelled_date(text: str) -> str | None:
    """The date right after the first 「更新日」/「掲載日」/"Last updated" label opening a line."""
    for m in _DATE_LABEL.finditer(text):
        found = dates_with_offsets(text[m.end() : m.end() + 40].split("\n", 1)[0])
        if found and found[0][0] <= 2:
            return found[0][1]
    return None


def western_years(text: str, first: int, last: int) -> list[int]:
    """The 西暦 years ``text`` writes as four digits (ASCII: pass NFKC text), in order, from
    ``first`` to ``last``: the one rule for written years, each use choosing its span (a
    sentence's years 1000–2099, a carried year 1900–2099, a passage's years 1500–2099)."""
    return [y for y in map(int, _WESTERN_YEAR.findall(text)) if first <= y <= last]


def era_years(text: str) -> list[int]:
    """Western years of the 和暦 years a text names (平成19年 → 2007), in order."""
    return [ERAS[m[1]] + (1 if m[2] == "元" else _int(m[2])) for m in _ERA_YEAR.finditer(text)]


def years_in_question(question: str) -> set[int]:
    """Years a question names, 西暦 or 和暦 (平成19年 → 2007)."""
    years: set[int] = set()
    for m in _YEAR_IN_QUESTION.finditer(question):
        if m[1]:
            y = _int(m[1])
            if 1900 <= y <= 2100:
                years.add(y)
        else:
            years.add(ERAS[m[2]] + (1 if m[3] == "元" else _int(m[3])))
    return years
