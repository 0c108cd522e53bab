"""FAQ pages: the answer under a question line is quoted, never the question restated."""

from __future__ import annotations

import numpy as np
import pytest

from kotae.index.builder import IndexBuilder
from kotae.index.embedders import Embedder
from kotae.ingest.qa import question_lines
from kotae.service.engine import Engine
from kotae.service.sentences import paired
from kotae.settings import Settings

PAGES = {
    "gomi.txt": (
        "ごみの出し方についてのよくある質問\nホーム > くらし > ごみ\n\n"
        "Q．収集日の当日はどうすればいいですか。\n"
        "A．収集日の朝8時30分までに、決められた集積所に出してください。"
        "前日の夜に出すとカラスに荒らされる原因になります。\n\n"
        "Q．指定ごみ袋はどこで買えますか。\n"
        "A．市内のスーパーやコンビニエンスストアで販売しています。\n"
    ),
    "inkan.txt": (
        "印鑑登録\nホーム > くらし > 証明書 > 印鑑登録\n\n"
        "質問\n印鑑登録証明書を取るには何が必要ですか。\n回答\n"
        "印鑑登録証を必ずお持ちください。印鑑そのものは不要です。手数料は1通300円です。"
        "代理人でも印鑑登録証を持参すれば請求できます。\n\n"
        "このページのトップへ\n更新日：2023年11月15日\n"
    ),
}


@pytest.fixture(scope="module")
def faq_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    root = tmp_path_factory.mktemp("faq")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in PAGES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    IndexBuilder(settings, embedder).build()
    engine = Engine(settings, embedder)
    engine.load()
    return engine


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("収集日の当日はどうすればいいですか", "8時30分まで"),
        ("印鑑登録証明書を取るには何が必要ですか。", "印鑑登録証を必ずお持ちください"),
        # the answer's line is quoted whole: its second sentence is part of the answer
        ("印鑑登録証明書を取るとき、印鑑は必要ですか。", "印鑑そのものは不要です"),
    ],
)
def test_the_answer_below_a_matching_question_line_is_quoted_first(
    faq_engine: Engine, question: str, needle: str
) -> None:
    answer = faq_engine.ask(question)
    docs = faq_engine.loaded.snapshot.documents
    asked = {
        docs[c.hit.chunk.doc_id].text[a.start : a.end]
        for c in answer.citations
        for a in question_lines(docs[c.hit.chunk.doc_id].text)
    }
    assert answer.found and answer.quotes, answer.text
    assert needle in answer.quotes[0].text, answer.text
    for q in answer.quotes:
        doc = docs[answer.citations[q.n - 1].hit.chunk.doc_id].text
        assert doc[q.start : q.end] == q.text
        assert q.text not in asked and q.text.strip() not in ("質問", "回答"), answer.text


def test_the_page_date_at_the_foot_and_the_title_above_the_breadcrumb(faq_engine: Engine) -> None:
    doc = faq_engine.loaded.snapshot.documents["inkan.txt"]
    assert (doc.title, doc.date) == ("印鑑登録", "2023-11-15")


def test_an_answer_scores_at_least_its_question_line() -> None:
    scores, asker = np.array([3.0, 1.0, 2.0, 5.0]), np.array([-1, 0, 0, -1])
    assert paired(scores, asker).tolist() == [3.0, 3.0, 3.0, 5.0]
    assert scores.tolist() == [3.0, 1.0, 2.0, 5.0]  # the input is left as it was
