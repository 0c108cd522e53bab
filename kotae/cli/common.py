"""What every subcommand shares: settings overrides and turning domain errors into messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from kotae.errors import KotaeError
from kotae.settings import Settings


def settings_with(**overrides: Any) -> Settings:
    """Settings from the environment, with the command-line options that were given."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a domain error as one clear line and exit 1, without a traceback."""
    try:
        yield
    except (KotaeError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from e


IndexDirOption = typer.Option(None, "--index-dir", help="Index folder [env KOTAE_INDEX_DIR].")
CorpusArg = typer.Argument(
    None, help="Folder of documents [env KOTAE_CORPUS_DIR, default corpus/]."
)
