"""What routes receive: the loaded engine (or a 503 saying why not) and the LLM client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from kotae.service.engine import Engine
from kotae.service.generate import Generator


def get_engine(request: Request) -> Engine:
    """The app's engine once its index is loaded; until then 503 with the reason."""
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
