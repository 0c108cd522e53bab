"""The collection: a paginated list of the indexed documents, and the page that reads one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from kotae.service.api.deps import EngineDep
from kotae.service.api.schemas import DocumentResponse

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


@router.get(
    "/api/documents/{doc_id:path}",
    tags=["documents"],
    response_model=DocumentResponse,
    responses={404: {"description": "No such document in the index."}},
)
def document(doc_id: str, engine: EngineDep) -> DocumentResponse:
    """The full text of an indexed document, exactly as indexed (citations index into it)."""
    # Documents are looked up in the index, never on disk: no path can escape the corpus.
    doc = engine.loaded.snapshot.documents.get(doc_id)
    if doc is None:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    return DocumentResponse(
        doc_id=doc.doc_id,
        title=doc.title,
        date=doc.date,
        text=doc.text,
        furniture=list(doc.furniture),
    )


@router.get("/api/documents", tags=["documents"], response_model=DocumentList)
def list_documents(
    engine: EngineDep,
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
