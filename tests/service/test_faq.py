"""FAQ pairs (service/faq.py): which pair answers, and how its answer is quoted."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from kotae.index.search import Hit
from kotae.ingest.records import Chunk
from kotae.service.answer import Citation, _best_quotes
from kotae.service.faq import Pair, answer_spans, best_pair, faq_quotes, pairs, roles
from kotae.service.sentences import Candidate, Scored, faq_pairs, selection_margin

PAGE = (
    "Q．犬を飼い始めました。\n"
    "A．30日以内に登録してください。手数料は3,000円です。\n"
    "鑑札は首輪に付けてください。\n\n"
    "Q．支払日はいつですか。\n"
    "料金は｜偶数月の15日です。\n"
)


def hit(n: int, start: int, end: int) -> Hit:
    return Hit(n, Chunk("faq.txt", start, end, PAGE[start:end]), 1.0, 0.9)


def cand(n: int, row: int, text: str, after: int = 0) -> Candidate:
    start = PAGE.index(text, after)
    return Candidate(n, row, start, start + len(text), text)


def test_a_page_line_is_one_quote_and_a_shared_sentence_is_read_once() -> None:
    hits = [hit(1, 0, len(PAGE)), hit(2, 12, len(PAGE))]
    cands = [
        cand(1, 0, "A．30日以内に登録してください。"),
        cand(1, 1, "手数料は3,000円です。"),
        cand(1, 2, "鑑札は首輪に付けてください。"),
        cand(2, 3, "鑑札は首輪に付けてください。"),  # the same sentence, overlapping passage
    ]
    spans = answer_spans(Pair((), (0, 1, 2, 3)), cands, hits)
    assert [PAGE[s:e] for _, s, e in spans] == [
        "A．30日以内に登録してください。手数料は3,000円です。",
        "鑑札は首輪に付けてください。",
    ]
    assert [n for n, _, _ in spans] == [1, 1]
    short = answer_spans(Pair((), (0, 1)), cands, hits, limit=20)  # too long to read as one
    assert [PAGE[s:e] for _, s, e in short] == [
        "A．30日以内に登録してください。",
        "手数料は3,000円です。",
    ]


def test_a_table_cell_separator_is_not_quoted() -> None:
    hits = [hit(1, 0, len(PAGE))]
    cands = [cand(1, 0, "｜偶数月の15日です。")]
    ((_, start, end),) = answer_spans(Pair((), (0,)), cands, hits)
    assert PAGE[start:end] == "偶数月の15日です。"


def test_the_pair_whose_question_and_answer_fit_and_that_asks_the_same_kind() -> None:
    scores = np.array([5.0, -1.0, 2.0, 3.0])
    a, b = Pair((0,), (1,), "who"), Pair((2,), (3,), "when")
    assert best_pair((a, b), scores) is b  # a question alike, its answer not: not the match
    assert best_pair((Pair((0,), (), ""), b), scores) is b  # a question without its answer
    assert best_pair((), scores) is None
    tied = np.array([2.0, 2.5, 2.0, 2.5])
    assert best_pair((a, b), tied, "when") is b
    assert best_pair((a, b), tied, "who") is a


def test_the_matched_answer_then_the_runner_up_first_line() -> None:
    hits = [hit(1, 0, len(PAGE))]
    cands = [
        cand(1, 0, "Q．犬を飼い始めました。"),
        cand(1, 1, "A．30日以内に登録してください。"),
        cand(1, 2, "手数料は3,000円です。"),
        cand(1, 3, "鑑札は首輪に付けてください。"),
        cand(1, 4, "Q．支払日はいつですか。"),
        cand(1, 5, "料金は｜偶数月の15日です。"),
    ]
    dog, pay = Pair((0,), (1, 2, 3)), Pair((4,), (5,))
    scores = np.array([3.0, 3.0, 1.0, 0.0, 1.0, 1.0])
    spans, used = faq_quotes((pay, dog), scores, cands, hits, most=3)
    assert [PAGE[s:e] for _, s, e in spans] == [
        "A．30日以内に登録してください。手数料は3,000円です。",
        "鑑札は首輪に付けてください。",
        "料金は｜偶数月の15日です。",
    ]
    assert sorted(used) == [1, 2, 3, 5]


def test_a_pair_far_behind_the_best_sentence_does_not_lead() -> None:
    """A stray question-like line in prose must not put its paragraph before the answer."""
    hits = [hit(1, 0, len(PAGE))]
    cands = [
        cand(1, 0, "Q．支払日はいつですか。"),
        cand(1, 1, "料金は｜偶数月の15日です。"),
        cand(1, 2, "鑑札は首輪に付けてください。"),
    ]
    citations = [Citation(1, hits[0])]
    pair = Pair((0,), (1,))

    def quotes(answer_score: float) -> list[str]:
        scores = np.array([answer_score, answer_score, 10.0])
        keep = np.array([False, True, True])
        scored = Scored(cands, np.zeros((3, 1)), scores, keep, scores, (pair,))
        return [q.text for q in _best_quotes(scored, citations)]

    assert quotes(9.0)[0] == "料金は｜偶数月の15日です。"
    assert quotes(10.0 - selection_margin() - 1.0) == ["鑑札は首輪に付けてください。"]


def test_roles_a_question_line_with_its_answer_present_is_not_quoted() -> None:
    # candidates 0-1: a question line split in two sentences, answered by 2 and 3; 4 is a
    # question line whose answer is not among the candidates; 5 is plain text
    keep, asker = roles((Pair((0, 1), (2, 3)), Pair((4,), ())), 6)
    assert keep.tolist() == [False, False, True, True, True, True]
    assert asker.tolist() == [-1, -1, 1, 1, -1, -1]  # the last sentence of the question line
    keep, asker = roles((Pair((0,), (1,)),), 1 + 1)  # only a question and its answer
    assert keep.tolist() == [False, True]
    keep, asker = roles((Pair((0,), (0,)),), 1)  # nothing else to quote: everything may be
    assert keep.tolist() == [True] and asker.tolist() == [-1]


def test_sentences_faq_pairs_reads_the_pairs_of_the_page() -> None:
    hits = [hit(1, 0, len(PAGE))]
    texts = ["Q．支払日はいつですか。", "料金は", "偶数月の15日です。"]
    cands = [cand(1, i, t) for i, t in enumerate(texts)]
    snapshot = SimpleNamespace(documents={"faq.txt": SimpleNamespace(text=PAGE)})
    faq = pairs(hits, cands, snapshot)  # type: ignore[arg-type]
    assert [(p.question, p.answer) for p in faq] == [((0,), (1, 2))]
    keep, asker = faq_pairs(hits, cands, snapshot)  # type: ignore[arg-type]
    assert keep.tolist() == [False, True, True] and asker.tolist() == [-1, 0, 0]
