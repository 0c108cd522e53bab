"""The follow-up set: the loader's checks, the shipped sets, and the summary arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kotae.eval.followups import FollowUp, FollowUpResult, load_followups, summary
from kotae.eval.questions import Question, QuestionFileError
from kotae.ingest import read_corpus
from tests.conftest import CORPUS

DOCS = {"a.txt": "普天間飛行場の移設先は辺野古。", "b.txt": "２＋２は日米安全保障協議委員会。"}
ROOT = Path(__file__).resolve().parents[2]
JSQUAD = Path("/work/shared/dev-sets/jsquad-test/corpus")


def _line(**kw: object) -> str:
    base = {
        "id": "f1",
        "history": ["普天間について教えて"],
        "question": "その移設先は？",
        "lang": "ja",
        "doc": "a.txt",
        "answers": ["辺野古"],
        "depends": True,
        "explicit": "普天間飛行場の移設先は？",
    }
    return json.dumps({**base, **kw}, ensure_ascii=False)


def test_a_good_line_loads(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(_line() + "\n\n" + _line(id="f2", depends=False, explicit=None), "utf-8")
    first, second = load_followups(path, DOCS)
    assert first.history == ("普天間について教えて",) and first.depends
    assert first.explicit == "普天間飛行場の移設先は？" and second.explicit is None
    assert first.question.is_relevant("a.txt", "移設先は辺野古。")


def test_every_bad_line_is_reported_by_number(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    bad = [
        _line(history=[]),
        _line(history="普天間"),
        _line(depends="yes"),
        _line(answers=["那覇"]),
        _line(explicit=" "),
        _line(history=["a"] * 11),
    ]
    path.write_text("\n".join(bad), "utf-8")
    with pytest.raises(QuestionFileError) as e:
        load_followups(path, DOCS)
    for n in range(1, len(bad) + 1):
        assert f"line {n}:" in str(e.value)


def test_a_repeated_id_and_an_empty_file_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(_line() + "\n" + _line(), "utf-8")
    with pytest.raises(QuestionFileError, match="line 2: duplicate id 'f1'"):
        load_followups(path, DOCS)
    path.write_text("\n", "utf-8")
    with pytest.raises(QuestionFileError, match="holds no follow-ups"):
        load_followups(path, DOCS)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="nope.jsonl"):
        load_followups(tmp_path / "nope.jsonl", DOCS)


def test_the_shipped_sets_load_and_are_big_enough() -> None:
    twoplus = {d.doc_id: d.text for d in read_corpus(CORPUS)[0]}
    sets = [load_followups(ROOT / "eval/followups.jsonl", twoplus)]
    if JSQUAD.is_dir():  # the second dev collection lives beside the repo, not in it
        jsquad = {d.doc_id: d.text for d in read_corpus(JSQUAD)[0]}
        sets.append(load_followups(ROOT / "eval/followups-jsquad.jsonl", jsquad))
    pairs = [f for s in sets for f in s]
    assert len(pairs) >= 28 * len(sets)
    assert {f.question.lang for f in pairs} == {"ja", "en"}
    assert any(not f.depends for f in pairs) and all(f.explicit for f in pairs if f.depends)


def _result(depends: bool, alone: tuple[bool, ...], hist: tuple[bool, ...]) -> FollowUpResult:
    q = Question("x", "q", "ja", {"a.txt": ("辺野古",)})
    return FollowUpResult(FollowUp(q, ("h",), depends), "q (h)" if depends else None, alone, hist)


def test_summary_counts_recall_per_group() -> None:
    results = [
        _result(True, (False, True), (True, False)),
        _result(True, (False, False), (False, True)),
        _result(False, (True,), (True,)),
    ]
    table = summary(results)
    dep = table["dependent"]
    assert dep["n"] == 2 and dep["rewritten"] == 2
    assert dep["recall@1_alone"] == 0.0 and dep["recall@1_history"] == 0.5
    assert dep["recall@5_alone"] == 0.5 and dep["recall@5_history"] == 1.0
    assert "recall@1_explicit" not in dep
    assert table["standalone"]["recall@1_history"] == 1.0
