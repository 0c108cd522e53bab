"""The issue's targets, checked against this run's rows (reported, never asserted)."""

from __future__ import annotations

from collections.abc import Sequence

from bench.table import Row, Value

SECTION = "7. Targets (this machine)"
ASK_P50_MS, ASK_P99_MS, ASK_CLIENTS = 30.0, 100.0, 4
INDEXING_SHARE = 80.0
SCALE_N, SCALE_P50_MS, SCALE_RECALL = 1_000_000, 5.0, 0.95


def target_rows(rows: Sequence[Row]) -> list[Row]:
    out = []
    for r in rows:
        if r.case.endswith(f", {ASK_CLIENTS} client(s)"):
            p50, p99, errors = r.values.get("p50 ms"), r.values.get("p99 ms"), r.values["errors"]
            met = _le(p50, ASK_P50_MS) and _le(p99, ASK_P99_MS) and errors == 0
            out.append(
                _row(
                    f"/api/ask, {r.case}",
                    f"p50 {_fmt(p50)} ms, p99 {_fmt(p99)} ms, {errors} errors",
                    f"p50 ≤ {ASK_P50_MS:.0f} ms, p99 ≤ {ASK_P99_MS:.0f} ms, 0 errors",
                    met,
                )
            )
        elif r.case.endswith("IndexBuilder end to end") and "of embedder %" in r.values:
            share = r.values["of embedder %"]
            out.append(
                _row(
                    f"indexing, {r.case.removesuffix(': IndexBuilder end to end')}",
                    f"{_fmt(share)} % of the bare embedder",
                    f"≥ {INDEXING_SHARE:.0f} %",
                    _ge(share, INDEXING_SHARE),
                )
            )
    out += _scale_rows(rows)
    return out


def _scale_rows(rows: Sequence[Row]) -> list[Row]:
    approx = [r for r in rows if r.case.startswith(f"{SCALE_N:,}: ") and "exact" not in r.case]
    if not approx:
        return []
    good = [r for r in approx if _ge(r.values.get("recall@10"), SCALE_RECALL)]
    fastest = min(good or approx, key=lambda r: _num(r.values.get("p50 ms")))
    default = [r for r in approx if "store default" in r.case]
    out = []
    for r in default + ([fastest] if fastest not in default else []):
        p50, recall = r.values.get("p50 ms"), r.values.get("recall@10")
        out.append(
            _row(
                f"1M vectors, {r.case.split(': ', 1)[1]}",
                f"p50 {_fmt(p50)} ms at recall@10 {_fmt(recall)}",
                f"p50 ≤ {SCALE_P50_MS:.0f} ms at recall@10 ≥ {SCALE_RECALL}",
                _le(p50, SCALE_P50_MS) and _ge(recall, SCALE_RECALL),
            )
        )
    return out


def _row(case: str, measured: str, target: str, met: bool) -> Row:
    return Row(
        SECTION, case, {"measured": measured, "target": target, "met": "yes" if met else "NO"}
    )


def _num(v: Value) -> float:
    return float(v) if isinstance(v, int | float) else float("inf")


def _le(v: Value, limit: float) -> bool:
    return _num(v) <= limit


def _ge(v: Value, limit: float) -> bool:
    return isinstance(v, int | float) and v >= limit


def _fmt(v: Value) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)
