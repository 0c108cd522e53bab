import json
from pathlib import Path

import pytest

from eval import QUESTIONS_FILE
from eval.questions import QuestionFileError, load_questions
from ingest import read_corpus
from tests.conftest import CORPUS

DOCS = {"a.txt": "普天間飛行場の移設先は辺野古。", "b.txt": "２＋２は日米安全保障協議委員会。"}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _q(**kw: object) -> str:
    base = {
        "id": "q1",
        "question": "移設先は？",
        "lang": "ja",
        "doc": "a.txt",
        "answers": ["辺野古"],
    }
    return json.dumps({**base, **kw}, ensure_ascii=False)


def test_valid_file_loads_and_matches_after_nfkc(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _q(),
            _q(
                id="q2",
                doc="b.txt",
                answers=["2+2"],
                also=[{"doc": "a.txt", "answers": ["辺野古"]}],
            ),
        ],
    )
    qs = load_questions(path, DOCS)
    assert [q.id for q in qs] == ["q1", "q2"]
    assert qs[1].is_relevant("b.txt", "２＋２は")
    assert qs[1].is_relevant("a.txt", "辺野古へ")
    assert not qs[0].is_relevant("b.txt", "辺野古")


def test_every_bad_line_is_reported_by_number(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _q(),
            "{not json",
            _q(id="q3", doc="missing.txt"),
            _q(id="q4", answers=["存在しない答え"]),
            json.dumps({"id": "q5", "question": "x", "lang": "ja", "doc": "a.txt"}),
            _q(),
        ],
    )
    with pytest.raises(QuestionFileError) as e:
        load_questions(path, DOCS)
    message = str(e.value)
    assert "5 bad line(s)" in message
    assert "line 2: not valid JSON" in message
    assert "line 3: doc 'missing.txt' is not in the corpus" in message
    assert "line 4: answer '存在しない答え' does not occur in a.txt" in message
    assert "line 5: field 'answers' missing" in message
    assert "line 6: duplicate id 'q1'" in message


def test_the_dev_set_is_valid_and_balanced() -> None:
    docs = {d.doc_id: d.text for d in read_corpus(CORPUS)[0]}
    qs = load_questions(QUESTIONS_FILE, docs)
    assert len(qs) >= 60
    en = sum(q.lang == "en" for q in qs)
    assert 0.25 <= en / len(qs) <= 0.45
    assert {d for q in qs for d in q.relevant} == set(docs)


def test_wrong_types_are_refused_not_coerced(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _q(id=7),
            _q(id="q2", answers=["辺野古", ""]),
            _q(id="q3", also=[{"doc": "b.txt"}]),
            _q(id="q4", also="b.txt"),
        ],
    )
    with pytest.raises(QuestionFileError) as e:
        load_questions(path, DOCS)
    message = str(e.value)
    assert "4 bad line(s)" in message
    assert "line 1: field 'id' missing or not a non-empty string" in message
    assert "line 2: field 'answers' missing or not a non-empty list of strings" in message
    assert "line 3: 'also' entry 0: field 'answers' missing" in message
    assert "line 4: field 'also' must be a list" in message
