"""Load and validate a question set (JSON Lines), reporting bad lines by number."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kotae.errors import KotaeError


class QuestionFileError(KotaeError):
    """A question file with bad lines; the message lists each by line number."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    relevant: dict[str, tuple[str, ...]]  # doc_id → answer strings, NFKC-normalised

    def is_relevant(self, doc_id: str, passage: str) -> bool:
        answers = self.relevant.get(doc_id)
        if not answers:
            return False
        text = nfkc(passage)
        return any(a in text for a in answers)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def load_questions(path: Path, documents: dict[str, str]) -> list[Question]:
    """Parse every line; raise one error listing every bad line instead of scoring any."""
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    normalised = {doc_id: nfkc(text) for doc_id, text in documents.items()}
    questions: list[Question] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            q = _parse(line, normalised)
        except ValueError as e:
            errors.append(f"line {number}: {e}")
            continue
        if q.id in seen:
            errors.append(f"line {number}: duplicate id {q.id!r}")
        seen.add(q.id)
        questions.append(q)
    if errors:
        raise QuestionFileError(f"{path} has {len(errors)} bad line(s):\n  " + "\n  ".join(errors))
    if not questions:
        raise QuestionFileError(f"{path} holds no questions")
    return questions


def parse_question(line: str, documents: dict[str, str]) -> Question:
    """One line of a question file; ``documents`` NFKC-normalised. ValueError says what is wrong."""
    return _parse(line, documents)


def _parse(line: str, documents: dict[str, str]) -> Question:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg})") from e
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    for key, kind in (
        ("id", str),
        ("question", str),
        ("lang", str),
        ("doc", str),
        ("answers", list),
    ):
        if not isinstance(data.get(key), kind) or not data[key]:
            raise ValueError(f"field {key!r} missing or not a non-empty {kind.__name__}")
    targets = [{"doc": data["doc"], "answers": data["answers"]}, *data.get("also", [])]
    relevant: dict[str, tuple[str, ...]] = {}
    for target in targets:
        doc, answers = target.get("doc"), target.get("answers")
        if doc not in documents:
            raise ValueError(f"doc {doc!r} is not in the corpus")
        if (
            not isinstance(answers, list)
            or not answers
            or not all(isinstance(a, str) and a for a in answers)
        ):
            raise ValueError(f"answers for {doc!r} must be a non-empty list of strings")
        for a in answers:
            if nfkc(a) not in documents[doc]:
                raise ValueError(f"answer {a!r} does not occur in {doc}")
        relevant[doc] = relevant.get(doc, ()) + tuple(nfkc(a) for a in answers)
    return Question(data["id"], data["question"], data["lang"], relevant)
