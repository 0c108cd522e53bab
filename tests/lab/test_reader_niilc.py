"""NIILC's questions as reader groups (``lab.reader.niilc``, issue 27): the evidence sentence
first with the answer's span, negatives that never hold an answer, and the training command
mixing them in — less any question on a JSQuAD dev article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.reader.examples import Paragraph
from lab.reader.niilc import answer_span, asked, auc, niilc_groups
from tests.lab.test_reader_train import JAQUAD, slice_of

XML = """<?xml version='1.0' encoding="UTF-8"?>
<questions>
<question id="q1">
  <text>日本で一番高い山はどこ？</text>
  <answers><answer>富士山</answer></answers>
  <meta><E.3>富士山</E.3><E.5>富士山は日本で最も高い山であり、標高は3776メートルである。</E.5></meta>
</question>
<question id="q2">
  <text>琵琶湖があるのは何県？</text>
  <answers><answer>滋賀県</answer><answer>滋賀</answer></answers>
  <meta><E.3>琵琶湖</E.3><E.5>琵琶湖は滋賀県にある日本最大の湖である。</E.5></meta>
</question>
<question id="q3">
  <text>証拠のない質問は？</text>
  <answers><answer>なし</answer></answers>
  <meta><E.3></E.3><E.5></E.5></meta>
</question>
<question id="q4">
  <text>下関市の名物は何？</text>
  <answers><answer>ふぐ</answer></answers>
  <meta><E.3>下関市</E.3><E.5>下関市はふぐの産地として知られている。</E.5></meta>
</question>
</questions>
"""

PARAGRAPHS = [
    Paragraph("富士山", ("富士山は静岡県と山梨県にまたがる。", "富士山は日本一の山として知られる。",
                       "山頂には神社がある。", "多くの登山者が訪れる。")),
    Paragraph("琵琶湖", ("琵琶湖には多くの魚が住む。", "湖の周りには町が多い。",
                       "滋賀県の面積の六分の一を占める。", "琵琶湖疏水は京都へ水を送る。")),
    Paragraph("高尾山", ("高尾山は東京都にある山である。", "標高は599メートルである。",
                       "日本で一番登山者の多い山とも言われる。", "ケーブルカーがある。")),
    Paragraph("浜名湖", ("浜名湖は静岡県にある湖である。", "うなぎの養殖で知られる。",
                       "湖は海とつながっている。", "日本で十番目に大きい湖である。")),
]  # fmt: skip


def write_xml(path: Path) -> Path:
    path.write_text(XML, encoding="utf-8")
    return path


def test_only_questions_with_an_evidence_sentence_are_read(tmp_path: Path) -> None:
    items = asked(write_xml(tmp_path / "n.xml"))
    assert [it.qid for it in items] == ["q1", "q2", "q4"]
    assert items[1].answers == ("滋賀県", "滋賀") and items[1].article == "琵琶湖"
    a, b = answer_span(items[0])
    assert items[0].evidence[a:b] == "富士山"


def test_groups_put_the_evidence_first_and_no_negative_holds_an_answer(tmp_path: Path) -> None:
    groups = niilc_groups(write_xml(tmp_path / "n.xml"), PARAGRAPHS, negatives=3, seed=1)
    assert [g.qid for g in groups] == ["q1", "q2", "q4"]
    for g in groups:
        assert len(g.sentences) == 4 and len(g.titles) == 4
        a, b = g.span
        assert g.sentences[0][a:b] == g.answer
    fuji, biwa = groups[0], groups[1]
    assert not any("富士山" in s for s in fuji.sentences[1:])  # 富士山 is the answer itself
    assert not any("滋賀" in s for s in biwa.sentences[1:])  # any of the answers
    # the same article's sentences come first where JaQuAD holds the article
    assert biwa.titles[1] == "琵琶湖"


def test_auc_counts_ties_half() -> None:
    assert auc([2.0, 3.0], [1.0]) == 1.0
    assert auc([1.0], [1.0]) == 0.5
    assert auc([0.0], [1.0, -1.0]) == 0.5


def test_the_command_mixes_niilc_in_and_leaves_dev_articles_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lab.reader.train as train

    shared = tmp_path / "shared"
    sets = shared / "train-sets"
    (sets / "jaquad").mkdir(parents=True)
    (sets / "niilc").mkdir()
    (shared / "dev-sets" / "jsquad-test" / "corpus").mkdir(parents=True)
    (shared / "dev-sets" / "jsquad-test" / "corpus" / "下関市.txt").write_text("x", "utf-8")
    slice_of(JAQUAD / "train.json", sets / "jaquad" / "train.json", articles=3, paragraphs=3)
    slice_of(JAQUAD / "dev.json", sets / "jaquad" / "dev.json", articles=1, paragraphs=2)
    write_xml(sets / "niilc" / "NIILC-ECQA2015_dev.xml")
    read: list[str] = []
    batch_of = train.batch_of

    def spy(groups, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.extend(g.question for g in groups)
        return batch_of(groups, *args, **kwargs)

    monkeypatch.setattr(train, "batch_of", spy)
    out = tmp_path / "model"
    train.main(
        [
            "--train-sets", str(sets), "--out", str(out), "--questions", "8", "--negatives", "3",
            "--dev-questions", "3", "--minutes", "1", "--threads", "1", "--niilc", "20",
        ]
    )  # fmt: skip
    assert "NIILC: 2 questions (1 on dev articles left out)" in capsys.readouterr().out
    assert "日本で一番高い山はどこ？" in read or "琵琶湖があるのは何県？" in read
    assert "下関市の名物は何？" not in read
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert "NIILC-ECQA2015_dev.xml" in " ".join(config["provenance"]["data"])
    assert "NIILC" in config["licence"]


def test_relevance_only_niilc_groups_teach_no_span(tmp_path: Path) -> None:
    import argparse

    from kotae.service.reader.tokenizer import bundled_tokenizer
    from lab.reader.train import IGNORE, niilc_training, span_labels

    sets = tmp_path / "shared" / "train-sets"
    (sets / "niilc").mkdir(parents=True)
    write_xml(sets / "niilc" / "NIILC-ECQA2015_dev.xml")
    args = argparse.Namespace(negatives=3, seed=1, niilc_relevance_only=False)
    full = niilc_training(sets, PARAGRAPHS, args)
    only = niilc_training(
        sets, PARAGRAPHS, argparse.Namespace(**{**vars(args), "niilc_relevance_only": True})
    )
    tok = bundled_tokenizer()
    for g, r in zip(full, only, strict=True):
        assert r.sentences == g.sentences and r.question == g.question
        pair = tok.encode_pair(r.question, r.sentences[0], 112, 40)
        assert span_labels(pair, r.span) == (IGNORE, IGNORE)
        assert span_labels(pair, g.span) != (IGNORE, IGNORE)
