"""The FastAPI app: middleware and one router per resource over the :class:`Engine`, loaded once
in the lifespan hook (routes live in ops.py, answers.py, documents.py and admin.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from kotae.errors import KotaeError, StoreUnavailableError
from kotae.service.api import admin, answers, documents, logsafe, ops
from kotae.service.api.background import BackgroundBuild
from kotae.service.api.middleware import BodySizeLimit, ServerErrors
from kotae.service.api.security import SecurityHeaders, add_docs
from kotae.service.engine import Engine
from kotae.service.generate import Generator
from kotae.settings import Settings, get_settings

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
    app.add_middleware(ServerErrors)  # innermost: its 500 passes CORS and the security headers
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

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        """The vector store (a Milvus server) did not answer: 503 with its reason, not a 500;
        the next request tries again, so the service recovers when the store is back."""
        log.error("vector store unavailable: %s", exc)
        return JSONResponse(
            status_code=503,
            content={"detail": f"vector store unavailable: {exc}"},
            headers={"Retry-After": "5"},
        )

    app.include_router(ops.router)
    app.include_router(answers.router)
    app.include_router(documents.router)
    app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_docs(app)
    return app
