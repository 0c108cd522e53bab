"""The second FAQ dev set (eval/dev-sets/faq2, other layouts) loads cleanly against its corpus."""

from collections import Counter

from kotae.eval.offtopic import load_offtopic
from kotae.eval.questions import load_questions
from kotae.ingest import read_corpus
from kotae.ingest.qa import question_lines
from kotae.ingest.text import nfkc
from tests.conftest import ROOT

FAQ2 = ROOT / "eval" / "dev-sets" / "faq2"


def test_pages_questions_and_answer_strings() -> None:
    docs, skipped = read_corpus(FAQ2 / "corpus")
    texts = {d.doc_id: d.text for d in docs}
    questions = load_questions(FAQ2 / "questions.jsonl", texts)
    assert not skipped and len(texts) >= 10 and len(questions) >= 25
    assert set(Counter(q.lang for q in questions)) == {"ja", "en"}
    assert {d for q in questions for d in q.relevant} == set(texts)
    repeated = [
        (q.id, a)
        for q in questions
        for doc, answers in q.relevant.items()
        for a in answers
        if nfkc(texts[doc]).count(a) != 1
    ]
    assert repeated == []
    assert all(question_lines(t) for t in texts.values())  # every layout is read as Q&A
    offtopic = load_offtopic(FAQ2 / "offtopic.jsonl")
    assert not {o.question for o in offtopic} & {q.question for q in questions}
