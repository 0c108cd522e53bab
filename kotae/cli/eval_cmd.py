"""`kotae eval`: retrieval accuracy on a question set."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import IndexDirOption, ReplaceOption, settings_with, user_errors
from kotae.eval import QUESTIONS_FILE as DEFAULT_QUESTIONS


def evaluate(
    questions: Path = typer.Option(
        DEFAULT_QUESTIONS, "--questions", help="JSON Lines question set."
    ),
    k: str = typer.Option("1,3,5,10", "--k", help="Cut-offs for Recall@k."),
    retriever: str | None = typer.Option(
        None, "--retriever", help="dense, lexical or hybrid (default: the service's)."
    ),
    offtopic: list[Path] = typer.Option(
        [],
        "--offtopic",
        help="JSON Lines questions the collection does not answer (id, question, lang; other "
        "fields ignored): reports abstain_rate. Repeatable.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object only."),
    corpus_dir: Path | None = typer.Option(None, "--corpus", help="Folder the questions refer to."),
    index_dir: Path | None = IndexDirOption,
    replace: bool | None = ReplaceOption,
    followups: Path | None = typer.Option(
        None,
        "--followups",
        help="A follow-up set (JSON Lines with history): Recall@1/@5 of the second questions "
        "with and without their history, instead of the question set.",
    ),
) -> None:
    """Measure Recall@k, MRR@10 and nDCG@10 of the retrieval the service uses, whether its
    answers hold the answer (answer_any, answer_first, found_rate, abstain_rate), and short_f1,
    short_em and short_coverage of its short answers (asked as /api/ask does, top 5).

    Example: kotae eval --retriever hybrid --offtopic eval/offtopic.jsonl --json
    """
    from kotae.eval.report import render_json, render_table
    from kotae.eval.run import run_eval

    if followups is not None:
        _followups(followups, as_json, corpus_dir, index_dir)
        return
    with user_errors():
        settings = settings_with(corpus_dir=corpus_dir, index_dir=index_dir, replace_index=replace)
        cutoffs = sorted({int(x) for x in k.split(",") if x.strip()} | {10})
        result = run_eval(settings, questions, cutoffs, retriever, offtopic)
    typer.echo(render_json(result) if as_json else render_table(result))


def _followups(path: Path, as_json: bool, corpus_dir: Path | None, index_dir: Path | None) -> None:
    from kotae.eval.followups import render_followups, run_followups

    with user_errors():
        results = run_followups(settings_with(corpus_dir=corpus_dir, index_dir=index_dir), path)
    typer.echo(render_followups(results, as_json))
