"""Follow-up eval: Recall@1 and @5 of a conversation's second question, with and without its
history, for second questions that depend on the first and for ones that stand alone.

A line is a question line (see :mod:`eval.questions`) for the second question plus
``"history": [first question, …]``, ``"depends": true|false`` and, for a dependent one,
``"explicit"``: the same question written out in full, as asked alone it would be. The explicit
question's recall is the ceiling: what retrieval finds when nothing needs resolving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotae.eval.metrics import recall_at
from kotae.eval.questions import Question, QuestionFileError, parse_lines, parse_question
from kotae.index.search import Filters, Retriever
from kotae.ingest.text import nfkc
from kotae.service.followup import MAX_HISTORY, Tuning, document_titles, resolve
from kotae.settings import Settings

CUTOFFS = (1, 5)
GROUPS = ("dependent", "standalone")


@dataclass(frozen=True)
class FollowUp:
    question: Question
    history: tuple[str, ...]
    depends: bool
    explicit: str | None = None

    @property
    def id(self) -> str:
        return self.question.id


@dataclass(frozen=True)
class FollowUpResult:
    followup: FollowUp
    understood_as: str | None
    alone: tuple[bool, ...]  # relevance of the top passages, the question asked alone
    with_history: tuple[bool, ...]
    explicit: tuple[bool, ...] | None = None  # the written-out question, when the set has one


def load_followups(path: Path, documents: dict[str, str]) -> list[FollowUp]:
    """Parse every line; one error listing every bad line, by number."""
    if not path.is_file():
        raise QuestionFileError(f"follow-up file not found: {path}")
    documents = {d: nfkc(t) for d, t in documents.items()}
    return parse_lines(path, lambda line: _parse(line, documents), "follow-ups")


def _parse(line: str, documents: dict[str, str]) -> FollowUp:
    question = parse_question(line, documents)
    data = json.loads(line)
    history = data.get("history")
    if (
        not isinstance(history, list)
        or not 0 < len(history) <= MAX_HISTORY
        or not all(isinstance(h, str) and h.strip() for h in history)
    ):
        raise ValueError(f"'history' must be a list of 1 to {MAX_HISTORY} non-empty strings")
    if not isinstance(data.get("depends"), bool):
        raise ValueError("'depends' must be true or false")
    explicit = data.get("explicit")
    if explicit is not None and not (isinstance(explicit, str) and explicit.strip()):
        raise ValueError("'explicit' must be a non-empty string when given")
    return FollowUp(question, tuple(history), data["depends"], explicit)


def score_followups(
    retriever: Retriever, path: Path, tuning: Tuning | None = None
) -> list[FollowUpResult]:
    documents = {d: doc.text for d, doc in retriever.snapshot.documents.items()}
    tokenizer = retriever.snapshot.lexical.tokenizer
    depth = max(CUTOFFS)
    results = []
    for f in load_followups(path, documents):
        resolved = resolve(f.question.question, f.history, tokenizer, tuning)
        alone = _relevance(retriever, f.question, f.question.question, depth)
        filters = resolved.filters(Filters(), retriever.search)
        text = resolved.search_text(filters, document_titles(retriever.snapshot.documents))
        with_history = _relevance(retriever, f.question, text, depth, filters)
        explicit = None
        if f.explicit is not None:
            explicit = _relevance(retriever, f.question, f.explicit, depth)
        results.append(FollowUpResult(f, resolved.understood_as, alone, with_history, explicit))
    return results


def run_followups(settings: Settings, path: Path) -> list[FollowUpResult]:
    """Build the index if missing or stale, then score with the service's retrieval."""
    from kotae.service.engine import Engine

    engine = Engine(settings)
    engine.ensure_index()
    engine.load()
    return score_followups(engine.loaded.retriever, path)


def _relevance(
    retriever: Retriever, q: Question, text: str, depth: int, filters: Filters | None = None
) -> tuple[bool, ...]:
    hits = retriever.search(text, depth, filters)
    return tuple(q.is_relevant(h.chunk.doc_id, h.chunk.text) for h in hits)


def summary(results: list[FollowUpResult]) -> dict[str, dict[str, float]]:
    """Per group (and language): n, Recall@k alone and with history, and how many were rewritten."""
    out: dict[str, dict[str, float]] = {}
    for group in GROUPS:
        for lang in (None, "ja", "en"):
            rs = [
                r
                for r in results
                if r.followup.depends == (group == "dependent")
                and (lang is None or r.followup.question.lang == lang)
            ]
            if not rs:
                continue
            row: dict[str, float] = {"n": len(rs)}
            for k in CUTOFFS:
                row[f"recall@{k}_alone"] = _mean([recall_at(list(r.alone), k) for r in rs])
                row[f"recall@{k}_history"] = _mean([recall_at(list(r.with_history), k) for r in rs])
            if all(r.explicit is not None for r in rs):
                for k in CUTOFFS:
                    row[f"recall@{k}_explicit"] = _mean(
                        [recall_at(list(r.explicit or ()), k) for r in rs]
                    )
            row["rewritten"] = sum(r.understood_as is not None for r in rs)
            out[group if lang is None else f"{group}/{lang}"] = row
    return out


def render_followups(results: list[FollowUpResult], as_json: bool = False) -> str:
    table = summary(results)
    if as_json:
        return json.dumps({k: _rounded(v) for k, v in table.items()}, ensure_ascii=False)
    head = (
        f"{'second question':<16} {'n':>3} {'R@1 alone':>9} {'R@1 hist':>9} "
        f"{'R@5 alone':>9} {'R@5 hist':>9} {'R@1 expl':>9} {'R@5 expl':>9} {'rewritten':>9}"
    )
    lines = [head, "-" * len(head)]
    for name, m in table.items():
        lines.append(
            f"{name:<16} {int(m['n']):>3} {m['recall@1_alone']:>9.3f} {m['recall@1_history']:>9.3f}"
            f" {m['recall@5_alone']:>9.3f} {m['recall@5_history']:>9.3f}"
            f" {_cell(m, 'recall@1_explicit')} {_cell(m, 'recall@5_explicit')}"
            f" {int(m['rewritten']):>9}"
        )
    misses = [r for r in results if not r.with_history[:1] or not r.with_history[0]]
    lines.append(f"\n{len(misses)} second question(s) not answered at rank 1 with history:")
    for r in misses:
        f = r.followup
        lines.append(f"- {f.question.id} {' / '.join(f.history)} → {f.question.question}")
        lines.append(f"    understood as: {r.understood_as}")
    return "\n".join(lines)


def _cell(row: dict[str, float], key: str) -> str:
    return f"{row[key]:>9.3f}" if key in row else f"{'-':>9}"


def _mean(xs: list[float]) -> float:
    return float(np.mean(xs)) if xs else 0.0


def _rounded(row: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in row.items()}
