"""Render an :class:`EvalResult` as a terminal table or as one JSON object."""

from __future__ import annotations

import json

from eval.run import EvalResult


def summary(result: EvalResult) -> dict[str, object]:
    data: dict[str, object] = {"retriever": result.retriever, **_rounded(result.metrics())}
    data["by_lang"] = {lang: _rounded(result.metrics(lang)) for lang in result.languages}
    data["misses"] = [r.question.id for r in result.misses]
    return data


def render_json(result: EvalResult) -> str:
    return json.dumps(summary(result), ensure_ascii=False)


def render_table(result: EvalResult) -> str:
    keys = [f"recall@{k}" for k in result.cutoffs] + ["mrr@10", "ndcg@10"]
    rows = [("all", result.metrics())] + [(lang, result.metrics(lang)) for lang in result.languages]
    head = f"{'set':<5} {'n':>4} " + " ".join(f"{k:>9}" for k in keys) + f" {'chars':>6} {'ms':>7}"
    lines = [f"retriever: {result.retriever}", head, "-" * len(head)]
    for name, m in rows:
        lines.append(
            f"{name:<5} {int(m['n']):>4} "
            + " ".join(f"{m[k]:>9.3f}" for k in keys)
            + f" {m['mean_passage_chars']:>6.0f} {m['mean_query_ms']:>7.1f}"
        )
    lines += [""] + [
        f"{name:<5} short_f1 {m['short_f1']:.3f}  short_em {m['short_em']:.3f}  "
        f"short_coverage {m['short_coverage']:.3f}"
        for name, m in rows
        if "short_f1" in m
    ]
    misses = result.misses
    lines.append(f"\n{len(misses)} question(s) missed the top 5:")
    for r in misses:
        lines.append(f"- {r.question.id} [{r.question.lang}] {r.question.question}")
        lines.append(f"    wanted: {', '.join(r.question.relevant)}")
        for h in r.hits[:3]:
            snippet = h.chunk.text[:60].replace("\n", " ")
            lines.append(f"    got: {h.chunk.doc_id} [{h.chunk.start}:{h.chunk.end}] {snippet}")
    return "\n".join(lines)


def _rounded(m: dict[str, float]) -> dict[str, float]:
    return {k: (int(v) if k == "n" else round(v, 4)) for k, v in m.items()}
