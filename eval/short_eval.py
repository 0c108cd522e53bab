"""End-to-end short answers for an eval run: the service's own answer, then its short answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eval.short_metrics import ShortScore

if TYPE_CHECKING:
    from eval.run import EvalResult
    from service.engine import Engine

TOP_K = 5  # what /api/ask cites by default


def attach_short_answers(engine: Engine, result: EvalResult) -> None:
    """Ask every question as /api/ask would and score its short answer against the golds."""
    for r in result.results:
        answer = engine.ask(r.question.question, TOP_K)
        golds = [g for gs in r.question.relevant.values() for g in gs]
        r.short = ShortScore.of(answer.short.text if answer.short else None, golds)
