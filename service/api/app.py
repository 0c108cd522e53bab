"""The FastAPI app: thin routes over the :class:`Engine`, loaded once in the lifespan hook."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from kotae.errors import KotaeError
from kotae.settings import Settings, get_settings
from service.api import logsafe
from service.api.admin import router as admin_router
from service.api.background import BackgroundBuild
from service.api.documents import router as documents_router
from service.api.middleware import BodySizeLimit
from service.api.schemas import (
    MAX_QUESTION_CHARS,
    NOT_BLANK,
    AskRequest,
    AskResponse,
    Citation,
    DocumentResponse,
    LLMStatus,
    Ready,
    SearchResponse,
)
from service.api.security import SecurityHeaders, add_docs
from service.api.streaming import llm_errors, sse_response
from service.engine import Engine, Loaded
from service.followup import Resolved, resolve
from service.generate import Generator
from service.rewrite import resolve_with_llm

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("kotae")


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, build: bool = False
) -> FastAPI:
    """The app; pass an already-loaded ``engine`` to share one model across apps (tests).

    With ``build`` (`kotae serve`), the index is loaded, and built if missing or stale, in the
    background: the app answers at once, /readyz says 503 with the progress until ready.
    """
    settings = settings or (engine.settings if engine is not None else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logsafe.install([app.state.admin_token])  # again: the server configured logging since
        if engine is None:
            app.state.engine = Engine(settings)
        if build:
            app.state.build = BackgroundBuild(app.state.engine)
            app.state.build.start()
        elif not app.state.engine.ready:
            try:
                app.state.engine.load()
            except KotaeError as e:
                # Stay up and answer /readyz with 503 and the reason; /healthz stays 200.
                app.state.load_error = str(e)
                log.error("index not loaded: %s", e)
        # Pick up what `kotae index` publishes while we run, without a restart.
        interval = settings.reload_interval
        stop_watch = app.state.engine.watch(interval) if interval > 0 else None
        yield
        if stop_watch is not None:
            stop_watch.set()

    app = FastAPI(
        title="kotae 答え",
        summary="Japanese-first question answering with exact, verifiable citations.",
        version="0.1.0",
        lifespan=lifespan,
        responses={413: {"description": "Request body over KOTAE_MAX_BODY_BYTES."}},
        docs_url=None,  # served by add_docs from packaged files
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.load_error = None
    app.state.build = None
    app.state.generator = Generator.from_settings(settings)  # the LLM client, built once
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    app.state.admin_token = token
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # off unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    app.add_middleware(SecurityHeaders)  # added last: outermost, so every response has them
    logsafe.install([token])

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    _add_routes(app)
    app.include_router(admin_router)
    app.include_router(documents_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_docs(app)
    return app


def get_engine(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    if engine is None or not engine.ready:
        build = request.app.state.build
        reason = request.app.state.load_error or (
            build.status.describe() if build is not None else "the index is still loading"
        )
        raise HTTPException(status_code=503, detail=f"not ready: {reason}")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_generator(request: Request) -> Generator:
    generator: Generator = request.app.state.generator
    return generator


GeneratorDep = Annotated[Generator, Depends(get_generator)]


def _citations(loaded: Loaded, hits: list) -> list[Citation]:  # type: ignore[type-arg]
    """Citations for ``hits``, titled from the same index version that produced them."""
    docs = loaded.snapshot.documents
    return [Citation.from_hit(n, h, docs[h.chunk.doc_id].title) for n, h in enumerate(hits, 1)]


def _resolved(body: AskRequest, engine: Engine, generator: Generator) -> Resolved:
    """The question as retrieval should see it: a follow-up resolved against the history,
    by the LLM when one is configured."""
    tokenizer = engine.loaded.snapshot.lexical.tokenizer
    history = body.history or []
    if generator.client is not None and history and body.mode != "extractive":
        return resolve_with_llm(generator.client, body.question, history, tokenizer)
    return resolve(body.question, history, tokenizer)


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
    def readyz(request: Request) -> Ready | JSONResponse:
        build = request.app.state.build
        try:
            engine = get_engine(request)
        except HTTPException as e:
            if build is None:
                raise
            return JSONResponse({"detail": e.detail, "build": build.as_dict()}, status_code=503)
        snap = engine.loaded.snapshot
        return Ready(
            status="ready",
            model=engine.embedder.model,
            embedder=engine.embedder.name,
            chunks=len(snap.chunks),
            documents=len(snap.documents),
            retriever=engine.settings.retriever,
            # never waits: probed in the background
            llm=LLMStatus.from_state(request.app.state.generator.status()),
            build=build.as_dict() if build is not None else None,
        )

    @app.post(
        "/api/ask",
        tags=["answers"],
        response_model=AskResponse,
        responses={
            400: {"description": "mode=generative, but no LLM is configured."},
            422: {"description": "Empty, too long or malformed question."},
            502: {"description": "mode=generative, and the LLM failed."},
            503: {"description": "Index not loaded."},
        },
    )
    def ask(body: AskRequest, engine: EngineDep, generator: GeneratorDep) -> AskResponse:
        """Answer with sentences quoted from the documents, or written by the configured LLM
        from them; either way each claim is cited as [n] and generated citations are checked."""
        asked = _resolved(body, engine, generator)
        filters = asked.filters(body.filters(), engine.search)
        with llm_errors():
            result = generator.ask(engine, asked.question, body.top_k, filters, body.mode)
        return AskResponse.from_result(result).model_copy(
            update={"understood_as": asked.understood_as}
        )

    @app.post(
        "/api/ask/stream",
        tags=["answers"],
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events."},
            400: {"description": "mode=generative, but no LLM is configured."},
            502: {"description": "mode=generative, and the LLM could not be reached."},
        },
    )
    def ask_stream(body: AskRequest, engine: EngineDep, generator: GeneratorDep) -> Response:
        """The answer as Server-Sent Events: `citations`, `token`… as the LLM writes, then `done`
        with the checked answer (or `error` when generative was asked for and the LLM failed)."""
        asked = _resolved(body, engine, generator)
        filters = asked.filters(body.filters(), engine.search)
        with llm_errors():
            events = generator.stream(engine, asked.question, body.top_k, filters, body.mode)
        return sse_response(events, asked.understood_as)

    @app.get("/api/search", tags=["answers"], response_model=SearchResponse)
    def search(
        engine: EngineDep,
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=MAX_QUESTION_CHARS,
                description="Query text (not only spaces).",
                examples=["嘉手納以南", "Henoko"],
                json_schema_extra={"pattern": NOT_BLANK},
            ),
        ],
        k: Annotated[int, Query(ge=1, le=50, description="Passages to return.")] = 10,
    ) -> SearchResponse:
        """Ranked passages for a query, without an answer."""
        if not re.search(NOT_BLANK, q):  # the same 422 shape as every other validation error
            raise RequestValidationError(
                [{"loc": ["query", "q"], "msg": "q must not be only spaces", "type": "value_error"}]
            )
        started = time.perf_counter()
        loaded = engine.loaded
        hits = engine.search(q, k, loaded=loaded)
        return SearchResponse(
            query=q,
            citations=_citations(loaded, hits),
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
        return DocumentResponse(
            doc_id=doc.doc_id,
            title=doc.title,
            date=doc.date,
            text=doc.text,
            furniture=list(doc.furniture),
        )
