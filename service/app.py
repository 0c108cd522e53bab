"""The FastAPI app: thin routes over the :class:`Engine`, loaded once in the lifespan hook."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from index.search import Filters
from kotae.errors import KotaeError
from kotae.settings import Settings, get_settings
from service.engine import Engine
from service.schemas import (
    MAX_QUESTION_CHARS,
    AskRequest,
    AskResponse,
    Citation,
    DocumentResponse,
    Quote,
    Ready,
    SearchResponse,
)

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("kotae")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The app; pass an already-loaded ``engine`` to share one model across apps (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engine is None:
            app.state.engine = Engine(settings or get_settings())
        if not app.state.engine.ready:
            try:
                app.state.engine.load()
            except KotaeError as e:
                # Stay up and answer /readyz with 503 and the reason; /healthz stays 200.
                app.state.load_error = str(e)
                log.error("index not loaded: %s", e)
        yield

    app = FastAPI(
        title="kotae 答え",
        summary="Japanese-first question answering with exact, verifiable citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.load_error = None

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    _add_routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def get_engine(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    if engine is None or not engine.ready:
        reason = request.app.state.load_error or "the index is still loading"
        raise HTTPException(status_code=503, detail=f"not ready: {reason}")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def _citations(engine: Engine, hits: list) -> list[Citation]:  # type: ignore[type-arg]
    docs = engine.loaded.snapshot.documents
    return [Citation.from_hit(n, h, docs[h.chunk.doc_id].title) for n, h in enumerate(hits, 1)]


def _add_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        response_model=Ready,
        responses={503: {"description": "Index not loaded yet, or failed to load."}},
    )
    def readyz(request: Request) -> Ready:
        engine = get_engine(request)
        snap = engine.loaded.snapshot
        return Ready(
            status="ready",
            model=engine.embedder.model,
            embedder=engine.embedder.name,
            chunks=len(snap.chunks),
            documents=len(snap.documents),
            retriever=engine.settings.retriever,
        )

    @app.post(
        "/api/ask",
        tags=["answers"],
        response_model=AskResponse,
        responses={
            422: {"description": "Empty, too long or malformed question."},
            503: {"description": "Index not loaded."},
        },
    )
    def ask(body: AskRequest, engine: EngineDep) -> AskResponse:
        """Answer a question with sentences quoted from the documents, each cited as [n]."""
        filters = Filters(
            frozenset(body.doc_ids) if body.doc_ids is not None else None,
            body.date_from.isoformat() if body.date_from else None,
            body.date_to.isoformat() if body.date_to else None,
        )
        answer = engine.ask(body.question, body.top_k, filters)
        return AskResponse(
            answer=answer.text,
            citations=_citations(engine, [c.hit for c in answer.citations]),
            quotes=[Quote(n=q.n, start=q.start, end=q.end, text=q.text) for q in answer.quotes],
            found=answer.found,
            took_ms=round(answer.took_ms, 3),
        )

    @app.get("/api/search", tags=["answers"], response_model=SearchResponse)
    def search(
        engine: EngineDep,
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=MAX_QUESTION_CHARS,
                description="Query text.",
                examples=["嘉手納以南", "Henoko"],
            ),
        ],
        k: Annotated[int, Query(ge=1, le=50, description="Passages to return.")] = 10,
    ) -> SearchResponse:
        """Ranked passages for a query, without an answer."""
        if not q.strip():
            raise HTTPException(status_code=422, detail="q must not be empty or only whitespace")
        started = time.perf_counter()
        hits = engine.search(q, k)
        return SearchResponse(
            query=q,
            citations=_citations(engine, hits),
            took_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    @app.get(
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
        return DocumentResponse(doc_id=doc.doc_id, title=doc.title, date=doc.date, text=doc.text)
