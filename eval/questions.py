"""Load and validate a question set (JSON Lines), reporting bad lines by number."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kotae.errors import KotaeError
from kotae.ingest.records import Chunk
from kotae.ingest.text import nfkc

Text = Annotated[str, StringConstraints(min_length=1)]
Answers = Annotated[list[Text], Field(min_length=1)]


class QuestionFileError(KotaeError):
    """A question file with bad lines; the message lists each by line number."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    relevant: dict[str, tuple[str, ...]]  # doc_id → answer strings, NFKC-normalised

    @property
    def golds(self) -> list[str]:
        """Every answer string, whatever document holds it (what a short answer is scored on)."""
        return [a for answers in self.relevant.values() for a in answers]

    def is_relevant(self, doc_id: str, passage: str) -> bool:
        answers = self.relevant.get(doc_id)
        if not answers:
            return False
        text = nfkc(passage)
        return any(a in text for a in answers)

    def judged(self, passages: Iterable[Chunk]) -> int:
        """How many of ``passages`` (every passage of the index) are relevant: the ideal
        ranking's length for nDCG."""
        return sum(self.is_relevant(p.doc_id, p.text) for p in passages)


def load_questions(path: Path, documents: dict[str, str]) -> list[Question]:
    """Parse every line; raise one error listing every bad line instead of scoring any."""
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    normalised = {doc_id: nfkc(text) for doc_id, text in documents.items()}
    return parse_lines(path, lambda line: _parse(line, normalised))


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


Parsed = TypeVar("Parsed", bound=_HasId)


def parse_lines(
    path: Path, parse: Callable[[str], Parsed], what: str = "questions"
) -> list[Parsed]:
    """Parse every non-blank line of a JSON Lines file; raise one error listing every bad line
    (ValueError from ``parse``, or a duplicate id) by number, instead of keeping any, or saying
    the file holds no ``what``."""
    parsed: list[Parsed] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = parse(line)
        except ValueError as e:
            errors.append(f"line {number}: {e}")
            continue
        if item.id in seen:
            errors.append(f"line {number}: duplicate id {item.id!r}")
        seen.add(item.id)
        parsed.append(item)
    if errors:
        raise QuestionFileError(f"{path} has {len(errors)} bad line(s):\n  " + "\n  ".join(errors))
    if not parsed:
        raise QuestionFileError(f"{path} holds no {what}")
    return parsed


def json_object(line: str) -> dict[str, Any]:
    """One line of a JSON Lines file as an object; ValueError says what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg})") from e
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def parse_question(line: str, documents: dict[str, str]) -> Question:
    """One line of a question file; ``documents`` NFKC-normalised. ValueError says what is wrong."""
    return _parse(line, documents)


class _Target(BaseModel):
    """One document a question is answered in, and the answer strings found there."""

    model_config = ConfigDict(strict=True, extra="ignore")
    doc: Text
    answers: Answers


class _Line(BaseModel):
    """One line of a question file: the question, its main target and any ``also`` targets."""

    model_config = ConfigDict(strict=True, extra="ignore")
    id: Text
    question: Text
    lang: Text
    doc: Text
    answers: Answers
    also: list[_Target] = []


_KINDS = {"answers": "list of strings"}


def _parse(line: str, documents: dict[str, str]) -> Question:
    try:
        parsed = _Line.model_validate(json_object(line))
    except ValidationError as e:
        raise ValueError(_first_problem(e)) from None
    relevant: dict[str, tuple[str, ...]] = {}
    for doc, answers in [(parsed.doc, parsed.answers), *((t.doc, t.answers) for t in parsed.also)]:
        if doc not in documents:
            raise ValueError(f"doc {doc!r} is not in the corpus")
        for a in answers:
            if nfkc(a) not in documents[doc]:
                raise ValueError(f"answer {a!r} does not occur in {doc}")
        relevant[doc] = relevant.get(doc, ()) + tuple(nfkc(a) for a in answers)
    return Question(parsed.id, parsed.question, parsed.lang, relevant)


def _first_problem(error: ValidationError) -> str:
    """The first invalid field, named as the file spells it."""
    loc = error.errors()[0]["loc"]
    if loc[0] == "also" and len(loc) > 2:
        field = str(loc[2])
        kind = _KINDS.get(field, "string")
        return f"'also' entry {loc[1]}: field {field!r} missing or not a non-empty {kind}"
    field = str(loc[0])
    if field == "also":
        return 'field \'also\' must be a list of {"doc": …, "answers": […]} objects'
    return f"field {field!r} missing or not a non-empty {_KINDS.get(field, 'string')}"
