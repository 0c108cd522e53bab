"""What every subcommand shares: settings overrides and turning domain errors into messages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kotae.errors import KotaeError, describe_failure
from kotae.settings import Settings


class SettingsError(KotaeError):
    """A ``KOTAE_*`` setting (environment, .env or option) has a value kotae cannot use."""


def settings_with(**overrides: Any) -> Settings:
    """Settings from the environment, with the command-line options that were given.

    Every command builds its settings here, so a bad value is one clear message per setting
    (through ``user_errors``) in every command, never pydantic's traceback.
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as e:
        raise SettingsError("\n".join(_setting_problem(d) for d in e.errors())) from None


def _setting_problem(detail: ErrorDetails) -> str:
    """One line: the variable, its value, what is wrong, what the setting is for, the fix."""
    field = str(detail["loc"][0]) if detail["loc"] else ""
    name = f"KOTAE_{field.upper()}"
    info = Settings.model_fields.get(field)
    secret = info is not None and "Secret" in str(info.annotation)
    value = "" if secret else f"={detail['input']!r}"
    error = detail.get("ctx", {}).get("error")
    problem = str(error) if detail["type"] == "value_error" and error else detail["msg"]
    if not problem.startswith(name):
        problem = f"{name}{value}: {problem}"
    purpose = f" ({info.description.rstrip('.')})" if info and info.description else ""
    default = info.default if info is not None and not secret else None
    unset = f"unset it for the default {default}" if default not in (None, "") else "unset it"
    fix = f"Fix: set {name} to a valid value or {unset} (environment or .env)."
    return f"{problem}{purpose}. {fix}"


@contextmanager
def user_errors() -> Iterator[None]:
    """Print any error as one clear line and exit 1, without a traceback (``KOTAE_DEBUG=1``
    shows the traceback of an unexpected one)."""
    try:
        yield
    except (KotaeError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from e
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except Exception as e:
        if os.environ.get("KOTAE_DEBUG"):
            raise
        hint = " (KOTAE_DEBUG=1 shows the traceback)"
        typer.secho(f"error: {describe_failure(e)}{hint}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from e


# Parentheses, not brackets: Typer's rich help reads "[env …]" as markup and drops it.
IndexDirOption = typer.Option(None, "--index-dir", help="Index folder (env KOTAE_INDEX_DIR).")
CorpusArg = typer.Argument(
    None, help="Folder of documents (env KOTAE_CORPUS_DIR, default corpus/)."
)
ReplaceOption = typer.Option(
    None,
    "--replace",
    help="Replace an index built from another folder (env KOTAE_REPLACE_INDEX); without it "
    "that is refused.",
)
