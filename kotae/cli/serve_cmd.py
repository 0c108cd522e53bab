"""`kotae serve`: build the index if needed, then serve the API and chat page."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import IndexDirOption, settings_with, user_errors


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    corpus_dir: Path | None = typer.Option(None, "--corpus", help="Folder of documents."),
    index_dir: Path | None = IndexDirOption,
) -> None:
    """Serve the chat page at / and the API at /api (docs at /docs).

    Example: kotae serve --port 8000
    """
    import uvicorn

    from service.app import create_app
    from service.engine import Engine

    with user_errors():
        settings = settings_with(corpus_dir=corpus_dir, index_dir=index_dir)
        engine = Engine(settings)
        if engine.ensure_index():
            typer.echo("index built")
        engine.load()
    typer.echo(f"kotae serving on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(create_app(settings, engine), host=host, port=port, log_level="info")
