"""The citation check every generated answer goes through before a user sees it.

An LLM may cite passages that were never given to it, leave claims uncited, or put words in a
source's mouth. This module only reads text: markers to passages that do not exist are removed,
sentences with no valid marker and quotations (「…」, “…”, "…") that the cited passage does not
contain are reported. Quotations are compared after NFKC and without whitespace, so ２＋２ matches
2+2 and a line break inside the passage does not hide a faithful quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kotae.ingest.text import nfkc
from kotae.ingest.text import split_sentences as sentence_spans

# [1], ［１］, [1, 2], [1、2]: what LLMs write; rewritten as [1][2] so every reader sees one form.
_MARKER = re.compile(r"([ \t]*)[\[［]\s*([0-9０-９]+(?:\s*[,，、]\s*[0-9０-９]+)*)\s*[\]］]")
_CLEAN_MARKER = re.compile(r"\[(\d+)\]")
_MARKER_RUN = re.compile(r"\[\d+\](?:[ \t]*\[\d+\])*")
_QUOTE = re.compile(r"「([^「」]+)」|“([^“”]+)”|\"([^\"\n]+)\"")
_WORDY = re.compile(r"\w")
SNIPPET = 40


@dataclass(frozen=True)
class CheckedAnswer:
    """A generated answer after the check: ``text`` holds only markers to real passages."""

    text: str
    passages: int
    cited: tuple[int, ...]
    invalid_markers: tuple[int, ...]
    uncited_sentences: tuple[str, ...]
    unsupported_quotes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """At least one claim points to a real passage."""
        return bool(self.cited)

    @property
    def marker_warnings(self) -> list[str]:
        return [
            f"removed citation [{n}]: no passage [{n}] was given (there are {self.passages})"
            for n in self.invalid_markers
        ]

    @property
    def warnings(self) -> list[str]:
        """Everything the check found, one line each, for the user."""
        uncited = [f"sentence without a citation: {_snippet(s)}" for s in self.uncited_sentences]
        return self.marker_warnings + uncited + list(self.unsupported_quotes)


def check_citations(answer: str, passages: Sequence[str]) -> CheckedAnswer:
    """Check ``answer`` against ``passages``, where ``passages[i]`` is the one cited as [i+1]."""
    invalid: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        numbers = [int(nfkc(n)) for n in re.split(r"[,，、]", match[2])]
        good = [n for n in numbers if 1 <= n <= len(passages)]
        invalid.extend(n for n in numbers if n not in good and n not in invalid)
        # A marker that goes takes the space before it along; kept ones keep it.
        return match[1] + "".join(f"[{n}]" for n in good) if good else ""

    text = _MARKER.sub(rewrite, answer).strip()
    cited: list[int] = []
    uncited: list[str] = []
    bad_quotes: list[str] = []
    for sentence in split_sentences(text):
        markers = [int(n) for n in _CLEAN_MARKER.findall(sentence)]
        cited.extend(n for n in markers if n not in cited)
        content = _CLEAN_MARKER.sub("", sentence).strip()
        if not markers and _WORDY.search(content):
            uncited.append(content)
        sources = markers or range(1, len(passages) + 1)
        for quote in quotations(content):
            if not any(_contains(passages[n - 1], quote) for n in sources):
                bad_quotes.append(_quote_warning(quote, markers))
    return CheckedAnswer(
        text, len(passages), tuple(cited), tuple(invalid), tuple(uncited), tuple(bad_quotes)
    )


def split_sentences(text: str) -> list[str]:
    """The index's sentences (``ingest.text``), each with the markers written after its full
    stop on the same line: "東京です。[1][2]" is one sentence. Line breaks end one too."""
    spans: list[list[int]] = []
    for s, e in sentence_spans(text, min_chars=1):
        run = _MARKER_RUN.match(text, s)
        if run and spans and "\n" not in text[spans[-1][1] : s]:
            spans[-1][1] = run.end()
            s = run.end()
        if text[s:e].strip():
            spans.append([s, e])
    return [text[s:e].strip() for s, e in spans]


def quotations(sentence: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _QUOTE.finditer(sentence)]


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", nfkc(text))


def _contains(passage: str, quote: str) -> bool:
    return normalise(quote) in normalise(passage)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return f"«{text[:SNIPPET]}…»" if len(text) > SNIPPET else f"«{text}»"


def _quote_warning(quote: str, markers: list[int]) -> str:
    where = "".join(f"[{n}]" for n in markers) if markers else "any passage"
    return f"quotation not found in {where}: {_snippet(quote)}"
