"""Q&A structure of FAQ pages: the lines that ask a question the lines below them answer.

FAQ pages restate the resident's question in their own question lines (「Q．収集日の当日は
どうすればいいですか。」), so a sentence scorer that rewards similarity to the question quotes
the question back instead of the answer below it. Sites mark the pairs in many ways —
``Q．/A．``, ``Q1``, ``問：/答：``, ``質問：/回答：``, ``【質問】/【回答】``, bare 「質問」/「回答」
label lines, or no label at all (a line that is itself a question, then its answer), and some
put both on one line (「Ｑ　…ですか。　Ａ　…です。」, a table row 「…ですか。｜…です。」) — so
this reads the structure from line shapes, not from one site's markup. Offsets are the
original text's (matching runs on NFKC keys only).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from kotae.ingest.furniture import Line, line_kind, lines_of
from kotae.ingest.text import nfkc

_ASK = r"q|question|質問|問い?|設問"
_REPLY = r"a|answer|回答|答え?"


def _label(words: str) -> str:
    """A label opening a line: bracketed (【質問】), or followed by a number, a separator or
    a space (Q1, 問：, Q. ) — never a word that merely starts with it (問題, answering)."""
    return (
        rf"^(?:[【\[〔(]\s*(?:{words})\s*\d*\s*[】\]〕)]"
        rf"|(?:{words})\s*\d+\s*[.:：、)]?|(?:{words})\s*[.:：、)]|(?:{words})(?=\s))"
    )


_ASK_LABEL = re.compile(_label(_ASK))
_REPLY_LABEL = re.compile(_label(_REPLY))
_BARE = re.compile(rf"^[【\[〔(]?\s*(?:{_ASK}|{_REPLY})\s*\d*\s*[】\]〕)]?\s*[.:：]?$")
_BARE_ASK = re.compile(rf"^[【\[〔(]?\s*(?:{_ASK})\s*\d*\s*[】\]〕)]?\s*[.:：]?$")
# A line that is one question: ends in a question mark, in ですか/ますか/でしょうか/のか, or
# asks to be told (教えてください, 知りたい) (with or without 。), and holds no other sentence
# end before that.
_QUESTION_END = re.compile(
    r"(?:[?？]|(?:(?:です|ます|でしょう|ません|の|んです)か|教えて(?:ください|下さい)|知りたい(?:です)?)[。.]?)"
    r"[」』)]*$"
)
_SENTENCE_END = re.compile(r"[。!?！？](?!$)")
_MAX_QUESTION = 150
# A reply label inside a question line, after the question's sentence end: 「…ですか。　Ａ　…」.
_INLINE_REPLY = re.compile(
    rf"(?<=[。.!?！？])\s*((?:{_REPLY})\s*\d*\s*[.:：、)]?\s+|(?:{_REPLY})\s*\d*\s*[.:：、)])"
)
_CELL = re.compile(r"[^|｜\t]+")
# A bullet or number opening a heading line: 「■」「◆」「●」「・」「#」, 「3.」「(3)」.
_LIST_BULLETS = {"・", "*"}
_MARKER = re.compile(r"^([■□◆◇●○◎★☆▼▽▶▷►・*#]+|\(?\d+[.、)])\s*\S")


@dataclass(frozen=True)
class Asked:
    """A question line ``[start, end)`` whose answer paragraph is ``[answer, answer_end)`` (to
    the next blank line or question); ``labels`` are the bare 「質問」/「回答」 lines around
    it, never an answer either."""

    start: int
    end: int
    answer: int
    answer_end: int
    labels: tuple[tuple[int, int], ...] = ()


@lru_cache(maxsize=1024)
def question_lines(text: str) -> tuple[Asked, ...]:
    """Every question line of ``text`` that is followed by an answer, in text order."""
    every = lines_of(text)
    kept = [i for i, ln in enumerate(every) if not ln.blank]
    lines = [every[i] for i in kept]
    joined = [b - a == 1 for a, b in zip(kept, kept[1:], strict=False)]  # no blank line between
    headed = _under_header(every)
    found = [
        _one_line(text, ln, ln.start in headed) or _asked_at(lines, joined, i)
        for i, ln in enumerate(lines)
    ]
    shared = _shared_markers([lines[i] for i, a in enumerate(found) if a is not None])
    for i, ln in enumerate(lines):
        mark = _marker(ln.key)
        opens = not (i and joined[i - 1]) or mark not in _LIST_BULLETS  # 「・」 lists answers too
        if found[i] is None and mark in shared and opens:
            found[i] = _asked_at(lines, joined, i, marked=True)
    return _clipped(text, [a for a in found if a is not None])


def _clipped(text: str, asked: list[Asked]) -> tuple[Asked, ...]:
    """Each answer ends before the next question line: pages that put no blank line between
    pairs (「■…？\n答え\n■…？\n答え」) would otherwise give the first question every answer."""
    starts = sorted(a.start for a in asked)
    out = []
    for a in asked:
        nxt = next((s for s in starts if a.answer < s < a.answer_end), None)
        if nxt is not None:
            a = replace(a, answer_end=len(text[:nxt].rstrip()))
        out.append(a)
    return tuple(out)


def _marker(key: str) -> str:
    """The bullet a line opens with (「■」, 「◆」, 「##」, a number 「3．」 as 「0.」), or ""."""
    m = _MARKER.match(key)
    return re.sub(r"\d+", "0", m.group(1)) if m else ""


def _shared_markers(questions: list[Line]) -> set[str]:
    """Bullets at least two question lines of the page open with: on such a page a line with
    the same bullet is a question too, though it reads as a statement (「■収集日がわかりま
    せん。」, 「■申込について」) — the page's layout, not the sentence, says so."""
    seen = Counter(_marker(ln.key) for ln in questions)
    return {m for m, n in seen.items() if m and n >= 2}


def _one_line(text: str, line: Line, headed: bool) -> Asked | None:
    """A question and its answer on one line: a table row (question cell, answer cell; the
    question cell need not be a question under a 「質問｜回答」 header), or a labelled question
    with its reply label after it (「Ｑ　…ですか。　Ａ　…です。」)."""
    raw = text[line.start : line.end]
    cells = [m for m in _CELL.finditer(raw) if m.group().strip()]
    if len(cells) == 2 and len(cells[0].group()) <= _MAX_QUESTION:
        left, right = (nfkc(m.group()).strip().lower() for m in cells)
        if (is_question(left) or headed) and not _BARE.match(left) and not _BARE.match(right):
            q, a = (_trimmed(m.start(), m.end(), raw) for m in cells)
            return Asked(
                line.start + q[0], line.start + q[1], line.start + cells[0].end(), line.start + a[1]
            )
    if not _asks(line.key):
        return None
    folded = "".join(nfkc(ch).lower() if len(nfkc(ch)) == 1 else "\0" for ch in raw)
    reply = _INLINE_REPLY.search(folded)  # one character per raw character: offsets hold
    if reply is None or not folded[reply.end() :].strip():
        return None
    end = len(raw[: reply.start()].rstrip())
    return Asked(
        line.start + len(raw) - len(raw.lstrip()),
        line.start + end,
        line.start + reply.start(1),
        line.end,
    )


def _trimmed(start: int, end: int, raw: str) -> tuple[int, int]:
    cell = raw[start:end]
    return start + len(cell) - len(cell.lstrip()), end - len(cell) + len(cell.rstrip())


def _under_header(lines: list[Line]) -> set[int]:
    """Starts of the table rows below a 「質問｜回答」 header row, to the next blank line."""
    out: set[int] = set()
    headed = False
    for ln in lines:
        cells = [c.strip() for c in re.split(r"[|\t]", ln.key) if c.strip()]
        if ln.blank:
            headed = False
        elif len(cells) == 2 and _BARE_ASK.match(cells[0]) and _BARE.match(cells[1]):
            headed = True
        elif headed:
            out.add(ln.start)
    return out


@lru_cache(maxsize=1024)
def bare_labels(text: str) -> tuple[tuple[int, int], ...]:
    """The lines that are only a Q/A label (「質問」, 「【回答】」, 「A.」): never an answer."""
    return tuple(
        (ln.start, ln.end)
        for ln in lines_of(text)
        if not ln.blank
        and all(_BARE.match(c.strip()) for c in re.split(r"[|\t]", ln.key) if c.strip())
    )


def _asked_at(lines: list[Line], joined: list[bool], i: int, marked: bool = False) -> Asked | None:
    """The question at ``lines[i]`` and its answer; ``marked``: the line opens with the bullet
    the page's questions share (``_shared_markers``), so it need not read as a question."""
    line, labels = lines[i], []
    if _BARE.match(line.key):
        return None
    after = i + 1
    labelled = bool(_ASK_LABEL.match(line.key)) and not _REPLY_LABEL.match(line.key)
    if i and _BARE_ASK.match(lines[i - 1].key):
        labelled = True  # 「質問」 on its own line, then the question
        labels.append((lines[i - 1].start, lines[i - 1].end))
    if not labelled and not marked and not is_question(line.key):
        return None
    if marked and len(line.key) > _MAX_QUESTION:
        return None
    # 「ページ番号：…」, 「更新日：…」 between a page's titled question and its answer
    after = _past_furniture(lines, after)
    if (
        after < len(lines)
        and _BARE.match(lines[after].key)
        and not _BARE_ASK.match(lines[after].key)
    ):
        labels.append((lines[after].start, lines[after].end))  # 「回答」 on its own line
        after = _past_furniture(lines, after + 1)
    if after >= len(lines):
        return None
    nxt = lines[after].key
    if _BARE.match(nxt) or (_ASK_LABEL.match(nxt) and not _REPLY_LABEL.match(nxt)):
        return None  # a list of questions (a table of contents), not a question and its answer
    if not labelled and not (_REPLY_LABEL.match(nxt) or _prose(nxt)):
        return None  # an unlabelled question is one only when an answer, not a heading, follows
    end = after
    while end + 1 < len(lines) and joined[end]:
        if _BARE.match(lines[end + 1].key) or _asks(lines[end + 1].key):
            break
        end += 1  # the answer paragraph runs to a blank line or the next question
    return Asked(line.start, line.end, lines[after].start, lines[end].end, tuple(labels))


def _past_furniture(lines: list[Line], i: int) -> int:
    """The first line from ``i`` that is not page furniture on its own (a date, a page id)."""
    while i < len(lines) and line_kind(lines[i].key) is not None:
        i += 1
    return i


def _asks(key: str) -> bool:
    return bool(_ASK_LABEL.match(key)) and not _REPLY_LABEL.match(key)


def _prose(key: str) -> bool:
    """A line that reads as an answer: it states something (ends a sentence), not a heading."""
    return not is_question(key) and bool(re.search(r"[。.!！]\S{0,2}$", key))


def is_question(key: str) -> bool:
    """A line (NFKC key) that is a single question sentence."""
    body = key.strip()
    if not body or len(body) > _MAX_QUESTION or not _QUESTION_END.search(body):
        return False
    stem = _QUESTION_END.sub("", body)
    return not _SENTENCE_END.search(stem + "。")
