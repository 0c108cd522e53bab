"""`kotae show`: a document as indexed, with the lines marked as page furniture flagged."""

from __future__ import annotations

from pathlib import Path

import typer

from kotae.cli.common import IndexDirOption, settings_with, user_errors
from kotae.errors import KotaeError


def show(
    doc_id: str = typer.Argument(..., help="Document id (its path inside the corpus folder)."),
    index_dir: Path | None = IndexDirOption,
) -> None:
    """Print an indexed document; lines marked as furniture (never quoted) start with `▌`
    and end with why they were marked.

    Example: kotae show 004_7af21bdf63ee1157.txt
    """
    from kotae.index.snapshot import Snapshot
    from kotae.ingest.furniture import classify, lines_of

    with user_errors():
        settings = settings_with(index_dir=index_dir)
        snapshot = Snapshot.load(settings.index_dir, settings)
        doc = snapshot.documents.get(doc_id)
        if doc is None:
            known = ", ".join(list(snapshot.documents)[:5])
            raise KotaeError(f"no document {doc_id!r} in the index (e.g. {known})")
    typer.secho(f"{doc.doc_id}: {doc.title or ''} {doc.date or ''}", bold=True)
    spans = doc.furniture
    why = {(m.start, m.end): m.kind for m in classify(doc.text)}
    for line in lines_of(doc.text):
        inside = any(s <= line.start and line.end <= e for s, e in spans) and not line.blank
        text = doc.text[line.start : line.end]
        if inside:
            kind = why.get((line.start, line.end), "template or markup")
            typer.secho(f"▌ {text}  [{kind}]", dim=True)
        else:
            typer.echo(f"  {text}")
    chars = sum(e - s for s, e in spans)
    typer.secho(f"({len(spans)} furniture ranges, {chars} of {len(doc.text)} characters)", dim=True)
