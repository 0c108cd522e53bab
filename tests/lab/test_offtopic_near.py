"""The near-topic off-topic files: questions close to a dev text's topic that it does not answer.

Cheap (no model, no index): they judge the not-found decision on the hard, realistic case, so a
bad edit (a question the text does answer, a duplicate, too few to read a rate from) must show.
"""

from __future__ import annotations

import pytest

from kotae.eval import QUESTIONS_FILE
from kotae.eval.offtopic import load_offtopic
from kotae.ingest.text import nfkc
from kotae.service.sentences import content_free
from lab.fit_answers import ANSWERED, JSQUAD, NEAR_OFFTOPIC, OFFTOPIC
from tests.conftest import ROOT

QUESTION_FILES = {"twoplus": QUESTIONS_FILE, "jsquad": JSQUAD / "questions.jsonl"}


@pytest.mark.parametrize("name", sorted(QUESTION_FILES))
def test_near_file_is_large_enough_and_new(name: str) -> None:
    near = load_offtopic(NEAR_OFFTOPIC[name])
    assert len(near) >= 20  # one question moves the rate by at most 0.05
    assert {o.lang for o in near} == {"ja", "en"}
    assert not any(content_free(o.question) for o in near)  # the rule answers those
    asked = {o.question for o in load_offtopic(QUESTION_FILES[name])}
    generic = {o.question for o in load_offtopic(OFFTOPIC)}
    assert not {o.question for o in near} & (asked | generic)


def test_twoplus_near_questions_name_what_the_corpus_never_mentions() -> None:
    """Spot checks that these are unanswerable: the thing each asks about is absent."""
    corpus = nfkc("".join(p.read_text(encoding="utf-8") for p in (ROOT / "corpus").glob("*.txt")))
    questions = " ".join(o.question for o in load_offtopic(NEAR_OFFTOPIC["twoplus"]))
    for absent in ("日豪", "GSOMIA", "イージス", "防衛装備庁", "安保闘争", "NATO"):
        assert absent in questions and absent not in corpus


def test_answered_generic_lines_exist() -> None:
    """The generic off-topic lines a collection answers are named by id: the ids must exist."""
    ids = {o.id for o in load_offtopic(OFFTOPIC)}
    assert all(set(skip) <= ids for skip in ANSWERED.values())
