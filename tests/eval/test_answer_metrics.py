"""Answer-level metrics and the off-topic question loader, on hand-made inputs."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from kotae.eval.answers import first_line, holds_answer, median, normalise, share
from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import QuestionFileError
from kotae.eval.run import EvalResult, ask_offtopic
from kotae.service.sentences import content_free

OFFTOPIC_FILE = Path(__file__).resolve().parents[2] / "eval" / "offtopic.jsonl"


def test_normalise_drops_markers_width_case_and_spaces() -> None:
    assert (
        normalise("Ｓｅｃｕｒｉｔｙ  Consultative\nCommittee [2]")
        == "securityconsultativecommittee"
    )


def test_holds_answer_across_lines_and_markers() -> None:
    text = "日米安全保障 [1]\n協議委員会(SCC)と呼ばれる。 [2]"
    assert holds_answer(text, ["日米安全保障協議委員会"])  # markers and line breaks removed
    assert holds_answer("日米安全保障\n協議委員会 [1]", ["日米安全保障協議委員会"])
    assert holds_answer(text, ["ｓｃｃ"])
    assert not holds_answer(text, ["辺野古"])
    assert not holds_answer(text, [""])


def test_first_line_and_aggregates() -> None:
    assert first_line("\n一行目 [1]\n二行目 [2]") == "一行目 [1]"
    assert first_line("") == ""
    assert median([1, 3, 10]) == 3 and median([]) == 0.0
    assert share([True, False, False, True]) == 0.5 and share([]) == 0.0


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "off.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_offtopic_ignores_doc_and_answers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            json.dumps({"id": "a", "question": "明日の天気は？", "lang": "ja"}),
            json.dumps({"id": "b", "question": "x?", "lang": "en", "doc": "nowhere.txt"}),
            "",
        ],
    )
    qs = load_offtopic(path)
    assert [(q.id, q.lang, q.source) for q in qs] == [
        ("a", "ja", "off.jsonl"),
        ("b", "en", "off.jsonl"),
    ]


def test_offtopic_reports_every_bad_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "not json",
            json.dumps({"id": "a", "question": "", "lang": "ja"}),
            json.dumps({"id": "b", "question": "q", "lang": "fr"}),
            json.dumps({"id": "c", "question": "q", "lang": "ja"}),
            json.dumps({"id": "c", "question": "q", "lang": "ja"}),
            json.dumps(["a list"]),
        ],
    )
    with pytest.raises(QuestionFileError) as e:
        load_offtopic(path)
    message = str(e.value)
    for fragment in (
        "line 1",
        "line 2",
        "'question'",
        "line 3",
        "'fr'",
        "line 5",
        "duplicate",
        "line 6",
    ):
        assert fragment in message


def test_offtopic_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="not found"):
        load_offtopic(tmp_path / "missing.jsonl")
    with pytest.raises(QuestionFileError, match="no questions"):
        load_offtopic(_write(tmp_path, ["", "  "]))


def test_the_offtopic_dev_file() -> None:
    qs = load_offtopic(OFFTOPIC_FILE)
    assert len(qs) >= 60
    assert {q.lang for q in qs} == {"ja", "en"}
    free = [q.question for q in qs if content_free(q.question)]
    assert {"？！。、…", "あああああ", "1234567890", "\u200b\u200b\u200b", "水"} <= set(free)


class _Answering:
    """Answers every question with the answer given (what ask_offtopic reads of a turn)."""

    def __init__(self, answers: list[SimpleNamespace]) -> None:
        self.answers = iter(answers)

    def answer(self, turn: object) -> SimpleNamespace:
        return SimpleNamespace(result=SimpleNamespace(answer=next(self.answers)))


def test_offtopic_chips_are_counted_apart_from_found(tmp_path: Path) -> None:
    """A found answer with a short answer is a chip on a question nothing answers; a found
    answer without one is not, and neither is a refusal."""
    lines = [json.dumps({"id": i, "question": f"{i}の天気は？", "lang": "ja"}) for i in "abcd"]
    questions = load_offtopic(_write(tmp_path, lines))
    chip = SimpleNamespace(text="国防長官")
    answers = [
        SimpleNamespace(found=True, confidence=0.2, short=chip),
        SimpleNamespace(found=True, confidence=0.3, short=None),
        SimpleNamespace(found=False, confidence=0.01, short=None),
        SimpleNamespace(found=False, confidence=0.02, short=chip),  # refused: no chip shown
    ]
    got = ask_offtopic(_Answering(answers), questions)  # type: ignore[arg-type]
    assert [o.chip for o in got] == [True, False, False, False]
    result = EvalResult("hybrid", [1], offtopic=got)
    metrics = result.metrics()
    assert metrics["abstain_rate"] == 0.5 and metrics["offtopic_chip_rate"] == 0.25
