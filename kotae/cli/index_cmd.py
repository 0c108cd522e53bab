"""`kotae index`: build or refresh the index of a folder of documents."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import (
    CorpusArg,
    IndexDirOption,
    ReplaceOption,
    settings_with,
    user_errors,
)


def index(
    corpus_dir: Path | None = CorpusArg,
    index_dir: Path | None = IndexDirOption,
    replace: bool | None = ReplaceOption,
) -> None:
    """Build or refresh the index. Only new or changed documents are embedded; with no
    folder given, the index is refreshed from the folder it was built from.

    Example: kotae index corpus/
    """
    from kotae.index.builder import IndexBuilder
    from kotae.index.embedders import make_embedder

    with user_errors():
        settings = settings_with(corpus_dir=corpus_dir, index_dir=index_dir, replace_index=replace)
        builder = IndexBuilder(settings, make_embedder(settings), notify=_say)
        typer.echo(f"indexing {builder.source.describe()}", err=True)
        report = builder.build()
    for skipped in report.skipped:
        typer.secho(f"skipped {skipped.path}: {skipped.reason}", fg=typer.colors.YELLOW, err=True)
    state = "updated" if report.changed else "already up to date"
    typer.echo(
        f"index {state}: {report.documents} documents, {report.chunks} passages "
        f"({report.embedded_chunks} passages and {report.embedded_sentences} sentences embedded, "
        f"{report.reused_documents} documents reused) in {report.seconds:.1f} s → {report.path}"
    )
    if report.store_upserted or report.store_deleted:
        typer.echo(
            f"vector store: {report.store_upserted} rows written (the new version's collection), "
            f"{report.store_deleted} rows of older versions dropped"
        )


def _say(message: str) -> None:
    typer.secho(message, fg=typer.colors.YELLOW, err=True)
