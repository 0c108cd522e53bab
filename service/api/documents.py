"""The collection: a paginated list of the indexed documents, and the page that reads one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from service.engine import Engine

STATIC = Path(__file__).parent / "static"
router = APIRouter()


class DocumentSummary(BaseModel):
    doc_id: str = Field(description="Also the source file, relative to the corpus folder.")
    title: str | None
    date: str | None
    passages: int = Field(description="How many passages of it are indexed.")
    chars: int


class DocumentList(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocumentSummary]


def _engine(request: Request) -> Engine:
    from service.api.app import (
        get_engine,  # the app's readiness check; imported late: app imports us
    )

    return get_engine(request)


@router.get("/api/documents", tags=["documents"], response_model=DocumentList)
def list_documents(
    engine: Annotated[Engine, Depends(_engine)],
    limit: Annotated[int, Query(ge=1, le=500, description="Documents per page.")] = 50,
    offset: Annotated[int, Query(ge=0, description="Documents to skip.")] = 0,
) -> DocumentList:
    """The indexed documents in index order, a page at a time: title, date and size."""
    snapshot = engine.loaded.snapshot
    sizes = Counter(c.doc_id for c in snapshot.chunks)
    docs = list(snapshot.documents.values())
    page = [
        DocumentSummary(
            doc_id=d.doc_id, title=d.title, date=d.date, passages=sizes[d.doc_id], chars=len(d.text)
        )
        for d in docs[offset : offset + limit]
    ]
    return DocumentList(total=len(docs), offset=offset, limit=limit, documents=page)


@router.get("/documents/{doc_id:path}", include_in_schema=False)
def reader_page(doc_id: str) -> FileResponse:
    """The reader; it loads the document from /api/documents/<id> and marks ``#start-end``."""
    return FileResponse(STATIC / "reader.html")
