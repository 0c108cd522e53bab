"""`kotae eval` scores exactly what /api/ask returns: both ask the core one turn (issue 26)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from kotae.eval import QUESTIONS_FILE
from kotae.eval.run import ask_questions, score_questions
from kotae.service.api.app import create_app
from kotae.service.engine import Engine
from kotae.service.turn import Answering

N = 12  # questions of the 2+2 dev set, English ones among them


def _some_questions(tmp_path: Path) -> Path:
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    english = [ln for ln in lines[6:] if json.loads(ln).get("lang") == "en"]
    picked = lines[:6] + english[: N - 6]
    path = tmp_path / "some.jsonl"
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return path


def test_eval_answers_equal_the_api_answers(corpus_engine: Engine, tmp_path: Path) -> None:
    questions = _some_questions(tmp_path)
    result = ask_questions(Answering(corpus_engine), questions, [1, 5, 10])
    assert len(result.results) == N
    with TestClient(create_app(corpus_engine.settings, corpus_engine)) as client:
        for r in result.results:
            body = client.post("/api/ask", json={"question": r.question.question}).json()
            answer = r.answer
            assert answer is not None
            assert body["answer"] == answer.text, r.question.id
            assert body["found"] == answer.found
            assert body["confidence"] == round(answer.confidence, 4)
            cited = [(c["doc_id"], c["start"], c["end"]) for c in body["citations"]]
            ranked = [(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in r.hits]
            assert cited == ranked[: len(cited)], "the answer's passages are eval's first ones"
            short = body["short_answer"]["text"] if body["short_answer"] else None
            assert short == (answer.short.text if answer.short else None)


def test_the_turns_ranking_is_the_retrievers(corpus_engine: Engine, tmp_path: Path) -> None:
    """Asking through the turn ranks the passages exactly as the retriever alone does."""
    questions = _some_questions(tmp_path)
    turned = ask_questions(Answering(corpus_engine), questions, [1, 5, 10])
    alone = score_questions(corpus_engine.loaded.retriever, questions, [1, 5, 10])
    for a, b in zip(turned.results, alone.results, strict=True):
        assert [h.chunk for h in a.hits] == [h.chunk for h in b.hits]
