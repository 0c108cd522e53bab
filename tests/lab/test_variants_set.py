"""The variant pair sets (lab/variants-*.jsonl) load against their corpora, in pairs whose two
questions differ only in spelling and share their gold; the agreement share counts pairs."""

import json

import pytest

from kotae.eval.questions import load_questions
from kotae.ingest import read_corpus
from lab.variants import Outcome, agreement, pairs
from tests.conftest import ROOT

SETS = {
    "faq": ROOT / "eval" / "dev-sets" / "faq" / "corpus",
    "faq2": ROOT / "eval" / "dev-sets" / "faq2" / "corpus",
    "twoplus": ROOT / "corpus",
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_set_loads_in_pairs_with_one_gold(name: str) -> None:
    path = ROOT / "eval" / f"variants-{name}.jsonl"
    docs, _ = read_corpus(SETS[name])
    questions = load_questions(path, {d.doc_id: d.text for d in docs})
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    assert len(questions) == len(lines)
    for a, b in pairs(lines):
        assert a["id"][:-1] == b["id"][:-1] and a["question"] != b["question"]
        assert (a["doc"], a["answers"]) == (b["doc"], b["answers"])


def test_the_sets_hold_at_least_thirty_questions() -> None:
    total = sum(len((ROOT / "eval" / f"variants-{n}.jsonl").read_text().splitlines()) for n in SETS)
    assert total >= 30


def test_agreement_needs_the_same_passage_and_decision() -> None:
    same = (Outcome("ごみ", 7, True, 1.0), Outcome("ゴミ", 7, True, 0.9))
    other = (Outcome("PC", 35, True, 1.0), Outcome("パソコン", 36, True, 1.0))
    refused = (Outcome("a", 1, True, 1.0), Outcome("b", 1, False, 0.0))
    shares = agreement([same, other, refused])
    assert shares["pairs"] == 3
    assert shares["agree"] == pytest.approx(1 / 3)
    assert shares["same_top"] == pytest.approx(2 / 3)
    assert shares["same_found"] == pytest.approx(2 / 3)
