"""Entry point of the `kotae` console command."""

from __future__ import annotations

import typer

from kotae.cli import ask_cmd, eval_cmd, index_cmd, serve_cmd, show_cmd

app = typer.Typer(
    help="kotae 答え: Japanese-first semantic search and question answering with exact citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("index")(index_cmd.index)
app.command("serve")(serve_cmd.serve)
app.command("ask")(ask_cmd.ask)
app.command("search")(ask_cmd.search)
app.command("eval")(eval_cmd.evaluate)
app.command("show")(show_cmd.show)

if __name__ == "__main__":
    app()
