"""Off-topic question sets: questions the collection does not answer (JSON Lines).

One question a line: ``{"id", "question", "lang": "ja"|"en"}``. ``doc``, ``answers`` and any
other field are ignored, so another collection's question file can be asked as it is.
Every bad line is reported by number, and nothing is scored, as for question files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kotae.eval.questions import QuestionFileError, json_object, parse_lines

LANGS = ("ja", "en")


@dataclass(frozen=True)
class OffTopic:
    id: str
    question: str
    lang: str
    source: str  # the file it came from, to report each file apart


def load_offtopic(path: Path) -> list[OffTopic]:
    if not path.is_file():
        raise QuestionFileError(f"off-topic question file not found: {path}")
    return parse_lines(path, lambda line: _parse(line, path.name))


def _parse(line: str, source: str) -> OffTopic:
    data = json_object(line)
    for key in ("id", "question", "lang"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"field {key!r} missing or not a non-empty string")
    if data["lang"] not in LANGS:
        raise ValueError(f"lang {data['lang']!r} is not one of {', '.join(LANGS)}")
    # The question itself may be content-free (punctuation, zero-width characters): those are
    # exactly the cases to test, so only emptiness is refused.
    return OffTopic(data["id"], data["question"], data["lang"], source)
