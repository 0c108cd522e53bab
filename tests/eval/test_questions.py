import json
from pathlib import Path

import pytest

from kotae.eval import QUESTIONS_FILE
from kotae.eval.questions import Question, QuestionFileError, load_questions
from kotae.ingest import read_corpus
from kotae.ingest.text import nfkc
from tests.conftest import CORPUS

PARAPHRASE = QUESTIONS_FILE.parent / "paraphrase.jsonl"
PARAPHRASE_JSQUAD = QUESTIONS_FILE.parent / "paraphrase-jsquad.jsonl"
JSQUAD = Path("/work/shared/dev-sets/jsquad-test/corpus")

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


def _longest_copied_run(question: str, text: str) -> int:
    """Length of the longest run of the question's characters found verbatim in the text."""
    best = 0
    for i in range(len(question)):
        while i + best < len(question) and question[i : i + best + 1] in text:
            best += 1
    return best


def _check_paraphrase_set(qs: list[Question], docs: dict[str, str]) -> None:
    """Everyday wording: no question copies a stretch of its document, and every answer string
    is specific (at most twice in its document), so the passage holding it is the relevant one."""
    normalised = {doc_id: nfkc(text) for doc_id, text in docs.items()}
    for q in qs:
        for doc_id, answers in q.relevant.items():
            assert all(normalised[doc_id].count(a) <= 2 for a in answers), q.id
        assert _longest_copied_run(nfkc(q.question), normalised[next(iter(q.relevant))]) <= 10, q.id


def test_the_paraphrase_set_loads_and_spans_the_corpus() -> None:
    docs = {d.doc_id: d.text for d in read_corpus(CORPUS)[0]}
    qs = load_questions(PARAPHRASE, docs)  # raises if any answer string is not in its doc
    assert len(qs) >= 45
    assert sum(q.lang == "ja" for q in qs) >= 30 and sum(q.lang == "en" for q in qs) >= 15
    assert {d for q in qs for d in q.relevant} == set(docs)
    dev = {nfkc(q.question) for q in load_questions(QUESTIONS_FILE, docs)}
    assert not dev & {nfkc(q.question) for q in qs}
    _check_paraphrase_set(qs, docs)


@pytest.mark.skipif(not JSQUAD.is_dir(), reason="the JSQuAD dev set is not on this machine")
def test_the_jsquad_paraphrase_set_loads_and_spreads() -> None:
    docs = {d.doc_id: d.text for d in read_corpus(JSQUAD)[0]}
    qs = load_questions(PARAPHRASE_JSQUAD, docs)
    assert len(qs) >= 30 and all(q.lang == "ja" for q in qs)
    assert len({next(iter(q.relevant)) for q in qs}) >= 20
    _check_paraphrase_set(qs, docs)


def test_the_copy_check_finds_a_copied_question() -> None:
    assert _longest_copied_run("普天間飛行場の移設先は？", "普天間飛行場の移設先は辺野古。") == 11
    assert _longest_copied_run("飛行場はどこに引っ越す？", "普天間飛行場の移設先は辺野古。") == 3
