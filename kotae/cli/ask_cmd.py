"""`kotae ask` and `kotae search`: the service's answers, in the terminal."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import IndexDirOption, settings_with, user_errors


def _engine(index_dir: Path | None):  # type: ignore[no-untyped-def]
    from service.engine import Engine

    engine = Engine(settings_with(index_dir=index_dir))
    engine.load()
    return engine


def ask(
    question: str = typer.Argument(..., help="The question, in Japanese or English."),
    top_k: int = typer.Option(5, "--top-k", "-k", min=1, max=20, help="Passages to cite."),
    index_dir: Path | None = IndexDirOption,
) -> None:
    """Answer a question with quoted, cited sentences.

    Example: kotae ask "普天間飛行場の移設先は？"
    """
    with user_errors():
        answer = _engine(index_dir).ask(question, top_k)
    typer.echo(answer.text + "\n")
    for c in answer.citations:
        chunk = c.hit.chunk
        typer.secho(
            f"[{c.n}] {chunk.doc_id} [{chunk.start}:{chunk.end}] {chunk.date or ''} "
            f"score={c.hit.score:.3f}",
            bold=True,
        )
        typer.echo("    " + chunk.text.replace("\n", "\n    ") + "\n")
    typer.secho(f"({answer.took_ms:.0f} ms)", dim=True)


def search(
    query: str = typer.Argument(..., help="What to search for."),
    k: int = typer.Option(10, "-k", min=1, max=50, help="Passages to show."),
    index_dir: Path | None = IndexDirOption,
) -> None:
    """Print the ranked passages for a query.

    Example: kotae search "嘉手納以南"
    """
    with user_errors():
        hits = _engine(index_dir).search(query, k)
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        typer.secho(
            f"{rank:>2}. {hit.score:.3f} {c.doc_id} [{c.start}:{c.end}] {c.date or ''}", bold=True
        )
        typer.echo("    " + c.text[:300].replace("\n", "\n    "))
