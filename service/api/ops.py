"""The chat page and the probes an operator or orchestrator polls."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse

from kotae.index.source import CORPUS_KEY
from kotae.service.api.deps import get_engine
from kotae.service.api.schemas import LLMStatus, Ready

STATIC = Path(__file__).parent / "static"
router = APIRouter()


@router.get("/", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


@router.get("/healthz", tags=["ops"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["ops"],
    response_model=Ready,
    responses={503: {"description": "Index not loaded yet, or failed to load."}},
)
def readyz(request: Request) -> Ready | JSONResponse:
    build = request.app.state.build
    with build.settled() if build is not None else nullcontext():
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
            corpus=snap.manifest.get(CORPUS_KEY),
            # never waits: probed in the background
            llm=LLMStatus.from_state(request.app.state.generator.status()),
            build=build.as_dict() if build is not None else None,
        )
