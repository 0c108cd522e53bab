"""`kotae serve`: serve the API and chat page at once; load/build the index behind it."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import IndexDirOption, ReplaceOption, settings_with, user_errors


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    corpus_dir: Path | None = typer.Option(None, "--corpus", help="Folder of documents."),
    index_dir: Path | None = IndexDirOption,
    replace: bool | None = ReplaceOption,
) -> None:
    """Serve the chat page at / and the API at /api (docs at /docs). With no --corpus, the
    index is served from (and refreshed from) the folder it was built from.

    Example: kotae serve --port 8000
    """
    import uvicorn

    from kotae.service.api.app import create_app
    from kotae.service.engine import Engine

    with user_errors():
        settings = settings_with(corpus_dir=corpus_dir, index_dir=index_dir, replace_index=replace)
        engine = Engine(settings)
        if not engine.settings.corpus_dir.is_dir() and not engine.source.followed:
            # nothing could ever be built: fails now, saying what is wrong with the index too
            engine.ensure_index()
        engine.check_may_build()  # another folder's index is not replaced unless told to
    typer.echo(
        f"kotae serving on http://{host}:{port}/  (API docs: /docs); the index of "
        f"{engine.source.describe()} is loaded, and built if missing or stale, in the "
        "background: /readyz shows the progress"
    )
    app = create_app(engine.settings, engine, build=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
