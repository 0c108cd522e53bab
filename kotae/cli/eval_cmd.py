"""`kotae eval`: retrieval accuracy on a question set."""

from __future__ import annotations

from pathlib import Path

import typer

from eval import QUESTIONS_FILE as DEFAULT_QUESTIONS
from kotae.cli.common import IndexDirOption, settings_with, user_errors


def evaluate(
    questions: Path = typer.Option(
        DEFAULT_QUESTIONS, "--questions", help="JSON Lines question set."
    ),
    k: str = typer.Option("1,3,5,10", "--k", help="Cut-offs for Recall@k."),
    retriever: str | None = typer.Option(
        None, "--retriever", help="dense, lexical or hybrid (default: the service's)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object only."),
    corpus_dir: Path | None = typer.Option(None, "--corpus", help="Folder the questions refer to."),
    index_dir: Path | None = IndexDirOption,
) -> None:
    """Measure Recall@k, MRR@10 and nDCG@10 of the retrieval the service uses, and short_f1,
    short_em and short_coverage of its short answers (asked as /api/ask does, top 5).

    Example: kotae eval --retriever hybrid --json
    """
    from eval.report import render_json, render_table
    from eval.run import run_eval

    with user_errors():
        settings = settings_with(corpus_dir=corpus_dir, index_dir=index_dir)
        cutoffs = sorted({int(x) for x in k.split(",") if x.strip()} | {10})
        result = run_eval(settings, questions, cutoffs, retriever)
    typer.echo(render_json(result) if as_json else render_table(result))
