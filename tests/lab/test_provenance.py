"""Fitted files record provenance as data, never a machine's path (issue 26 item 4)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kotae.index.snapshot import MANIFEST
from kotae.service import abstain, faq, rerank, sentences, short_answer
from lab.provenance import digest, portable, portable_arg, provenance
from tests.conftest import ROOT

FITTED = [
    short_answer.WEIGHTS,
    sentences.WEIGHTS_FILE,
    abstain.MODEL_FILE,
    rerank.WEIGHTS_FILE,
    faq.WEIGHTS_FILE,
]
MACHINE_PATH = re.compile(r'"/|\s/[a-z]|/work/|/home/|/tmp/|[A-Z]:\\\\')


@pytest.mark.parametrize("path", FITTED, ids=lambda p: p.name)
def test_shipped_fitted_files_record_command_data_and_commit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not MACHINE_PATH.search(text), f"{path.name} names a machine path"
    made = json.loads(text)["provenance"]
    assert made["command"].startswith("python -m lab.fit_")
    assert re.fullmatch(r"[0-9a-f]{7,40}", made["commit"])
    assert made["data"] and all(
        re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in made["data"].values()
    )
    for name in made["data"]:  # the repository's own data, or the shared folder beside it
        assert name.startswith("../shared/") or (ROOT / name).exists(), name


def test_paths_are_written_as_the_repository_names_them(tmp_path: Path) -> None:
    assert portable(ROOT / "eval" / "questions.jsonl") == "eval/questions.jsonl"
    assert portable(ROOT.parent / "shared" / "dev-sets" / "x.jsonl") == "../shared/dev-sets/x.jsonl"
    assert portable(tmp_path / "elsewhere.jsonl") == "{elsewhere.jsonl}"
    copy = tmp_path / "other-checkout" / "eval" / "questions.jsonl"  # same bytes: same name
    copy.parent.mkdir(parents=True)
    shutil.copy(ROOT / "eval" / "questions.jsonl", copy)
    assert portable(copy) == "eval/questions.jsonl"
    index = tmp_path / "idx"
    index.mkdir()
    (index / MANIFEST).write_text(json.dumps({"corpus": str(ROOT / "corpus")}), encoding="utf-8")
    assert portable(index) == "{index:corpus}"
    assert portable_arg(f"{index}:{ROOT / 'eval/questions.jsonl'}") == (
        "{index:corpus}:eval/questions.jsonl"
    )
    assert portable_arg("--served") == "--served"


def test_a_record_hashes_the_data_an_index_was_built_from(tmp_path: Path) -> None:
    index = tmp_path / "idx"
    index.mkdir()
    (index / MANIFEST).write_text(json.dumps({"corpus": str(ROOT / "corpus")}), encoding="utf-8")
    questions = ROOT / "eval" / "questions.jsonl"
    made = provenance(
        "lab.fit_short", ["--write", "--set", f"{index}:{questions}"], [index, questions]
    )
    assert (
        made["command"]
        == "python -m lab.fit_short --write --set {index:corpus}:eval/questions.jsonl"
    )
    assert made["data"] == {
        "corpus": digest(ROOT / "corpus"),
        "eval/questions.jsonl": digest(questions),
    }
    assert str(tmp_path) not in json.dumps(made)


def test_a_folder_digest_follows_its_files_and_names(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("一", encoding="utf-8")
    before = digest(tmp_path / "a")
    (tmp_path / "a" / "x.txt").write_text("二", encoding="utf-8")
    changed = digest(tmp_path / "a")
    (tmp_path / "a" / "x.txt").rename(tmp_path / "a" / "y.txt")
    assert len({before, changed, digest(tmp_path / "a")}) == 3


def test_fit_answers_names_every_file_it_reads() -> None:
    from argparse import Namespace

    from lab import fit_answers

    read = fit_answers.data_read(Namespace(sentence_weights=None))
    for name in ("twoplus", "jsquad"):
        assert set(fit_answers.COLLECTIONS[name][1:]) <= set(read)  # questions, index
    assert {fit_answers.OFFTOPIC, abstain.PROBES_FILE} <= set(read)


def test_missing_data_is_an_error_not_an_empty_digest(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        digest(tmp_path / "gone")
