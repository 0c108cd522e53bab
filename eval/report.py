"""Render an :class:`EvalResult` as a terminal table or as one JSON object."""

from __future__ import annotations

import json

from kotae.eval.run import EvalResult


def summary(result: EvalResult) -> dict[str, object]:
    data: dict[str, object] = {
        "corpus": result.corpus,
        "retriever": result.retriever,
        **_rounded(result.metrics()),
    }
    data["by_lang"] = {lang: _rounded(result.metrics(lang)) for lang in result.languages}
    data["misses"] = [r.question.id for r in result.misses]
    if result.offtopic:
        data["abstain_by_file"] = {k: round(v, 4) for k, v in result.abstain_by_source().items()}
    return data


def render_json(result: EvalResult) -> str:
    return json.dumps(summary(result), ensure_ascii=False)


def render_table(result: EvalResult) -> str:
    keys = [f"recall@{k}" for k in result.cutoffs] + ["mrr@10", "ndcg@10"]
    rows = [("all", result.metrics())] + [(lang, result.metrics(lang)) for lang in result.languages]
    head = f"{'set':<5} {'n':>4} " + " ".join(f"{k:>9}" for k in keys) + f" {'chars':>6} {'ms':>7}"
    lines = [f"corpus: {result.corpus}", f"retriever: {result.retriever}", head, "-" * len(head)]
    for name, m in rows:
        lines.append(
            f"{name:<5} {int(m['n']):>4} "
            + " ".join(f"{m[k]:>9.3f}" for k in keys)
            + f" {m['mean_passage_chars']:>6.0f} {m['mean_query_ms']:>7.1f}"
        )
    lines.extend(_answer_table(rows))
    for source, rate in result.abstain_by_source().items():
        n = sum(o.question.source == source for o in result.offtopic)
        lines.append(f"abstain_rate {rate:.3f} on {n} off-topic question(s) of {source}")
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


ANSWER_KEYS = ("answer_any", "answer_first", "found_rate", "median_answer_chars", "abstain_rate")


def _answer_table(rows: list[tuple[str, dict[str, float]]]) -> list[str]:
    """The answer-level metrics of each row, beside the retrieval table."""
    if not any("answer_any" in m or "abstain_rate" in m for _, m in rows):
        return []
    head = f"\n{'set':<5} {'n':>4} " + " ".join(f"{k:>{len(k)}}" for k in ANSWER_KEYS)
    lines = [head, "-" * (len(head) - 1)]
    for name, m in rows:
        cells = [f"{m[k]:>{len(k)}.3f}" if k in m else f"{'-':>{len(k)}}" for k in ANSWER_KEYS]
        lines.append(f"{name:<5} {int(m['n']):>4} " + " ".join(cells))
    return lines


def _rounded(m: dict[str, float]) -> dict[str, float]:
    return {k: (int(v) if k == "n" else round(v, 4)) for k, v in m.items()}
