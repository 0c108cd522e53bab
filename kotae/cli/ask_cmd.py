"""`kotae ask` and `kotae search`: the service's answers, in the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kotae.cli.common import IndexDirOption, settings_with, user_errors

if TYPE_CHECKING:
    from kotae.service.engine import Engine
    from kotae.service.generate import Event, Generator, Mode, Result


class AskMode(StrEnum):
    extractive = "extractive"
    generative = "generative"


def _engine(index_dir: Path | None):  # type: ignore[no-untyped-def]
    from kotae.service.engine import Engine

    engine = Engine(settings_with(index_dir=index_dir))
    engine.load()
    return engine


def ask(
    question: str | None = typer.Argument(
        None, help="The question, in Japanese or English; none: ask interactively."
    ),
    top_k: int = typer.Option(5, "--top-k", "-k", min=1, max=20, help="Passages to cite."),
    mode: AskMode | None = typer.Option(
        None,
        "--mode",
        help="extractive (quoted sentences) or generative (written by the LLM at "
        "KOTAE_LLM_BASE_URL, citations checked); default: generative when an LLM is set.",
    ),
    index_dir: Path | None = IndexDirOption,
    interactive: bool = typer.Option(
        False,
        "--interactive",
        "-i",
        help="Keep asking: each question is read in the context of the earlier ones "
        "(「その時の出席者は？」 after one on the 2007 meeting). Ctrl-D or an empty line ends.",
    ),
) -> None:
    """Answer a question with cited sentences, quoted or written by your LLM (streamed).

    Example: kotae ask --mode generative "普天間飛行場の移設先は？"  ·  kotae ask -i
    """
    from kotae.service.generate import Generator

    if question is not None and not question.strip():
        typer.secho(
            "error: the question is empty: ask something, or run `kotae ask -i`",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    with user_errors():
        generator = Generator.from_settings(settings_with(index_dir=index_dir))
        engine = _engine(index_dir)
    asking: Mode | None = mode.value if mode else None  # type: ignore[assignment]
    if question is not None:
        _answer(generator, engine, question, [], top_k, asking)
    if question is None or interactive:
        _converse(generator, engine, [question] if question else [], top_k, asking)


def _converse(
    generator: Generator, engine: Engine, history: list[str], top_k: int, mode: Mode | None
) -> None:
    """Read questions until end of input; each is resolved against the ones before it."""
    while True:
        try:
            question = input("? ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            return
        if not question:
            return
        _answer(generator, engine, question, history, top_k, mode)
        history.append(question)


def _answer(
    generator: Generator,
    engine: Engine,
    question: str,
    history: list[str],
    top_k: int,
    mode: Mode | None,
) -> None:
    from kotae.service.turn import Answering, Turn

    with user_errors():
        turn = Turn(question, tuple(history), mode=mode, top_k=top_k)
        asked, events = Answering(engine, generator).stream(turn)
        if asked.understood_as:
            typer.secho(f"(understood as: {asked.understood_as})", dim=True)
        result = _print_stream(events)
    answer = result.answer
    if answer.short is not None:
        typer.secho(f"short answer: {answer.short.text} [{answer.short.n}]", bold=True)
    for warning in result.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    _print_citations(result)
    typer.secho(f"({result.mode}, {answer.took_ms:.0f} ms)", dim=True)


def _print_citations(result: Result) -> None:
    """The passages, titled, under a heading that says whether they answer: closest passages
    of a not-found answer are not sources."""
    answer = result.answer
    if not answer.citations:
        return
    heading = "sources:" if answer.found else "closest passages (not an answer):"
    typer.secho(heading, bold=True)
    documents = result.loaded.snapshot.documents
    for c in answer.citations:
        chunk = c.hit.chunk
        title = documents[chunk.doc_id].title or chunk.doc_id
        typer.secho(f"[{c.n}] {title}  {chunk.date or ''}", bold=True)
        typer.secho(
            f"    {chunk.doc_id} [{chunk.start}:{chunk.end}] score={c.hit.score:.3f}", dim=True
        )
        typer.echo("    " + chunk.text.replace("\n", "\n    ") + "\n")


def _print_stream(events: Iterator[Event]) -> Result:
    """Print the answer as it is written; if the check changed it, print the checked one."""
    from kotae.service.generate import Failed, Finished, Token
    from kotae.service.llm import LLMError

    streamed: list[str] = []
    for event in events:
        if isinstance(event, Token):
            streamed.append(event.text)
            typer.echo(event.text, nl=False)
        elif isinstance(event, Failed):
            typer.echo()
            raise event.error
        elif isinstance(event, Finished):
            result = event.result
            typer.echo("\n")
            if result.answer.text != "".join(streamed):
                label = "checked answer" if result.mode == "generative" else "extractive answer"
                typer.secho(f"── {label} ──", bold=True)
                typer.echo(result.answer.text + "\n")
            return result
    raise LLMError("the answer stream ended without an answer")


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
