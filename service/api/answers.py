"""Questions in, cited answers or ranked passages out: /api/ask, its stream, /api/search."""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse

from kotae.index.search import Hit
from kotae.service.api.deps import EngineDep, GeneratorDep
from kotae.service.api.schemas import (
    MAX_QUESTION_CHARS,
    NOT_BLANK,
    AskRequest,
    AskResponse,
    Citation,
    SearchResponse,
)
from kotae.service.api.streaming import llm_errors, sse_response
from kotae.service.engine import Loaded
from kotae.service.turn import Answering, Turn

router = APIRouter(tags=["answers"])


def _citations(loaded: Loaded, hits: list[Hit]) -> list[Citation]:
    """Citations for ``hits``, titled from the same index version that produced them."""
    docs = loaded.snapshot.documents
    return [Citation.from_hit(n, h, docs[h.chunk.doc_id].title) for n, h in enumerate(hits, 1)]


def _turn(body: AskRequest) -> Turn:
    history = tuple(body.history or [])
    return Turn(body.question, history, body.filters(), body.mode, body.top_k)


@router.post(
    "/api/ask",
    response_model=AskResponse,
    responses={
        400: {"description": "mode=generative, but no LLM is configured."},
        422: {"description": "Empty, too long or malformed question."},
        502: {"description": "mode=generative, and the LLM failed."},
        503: {"description": "Index not loaded, or the vector store did not answer."},
    },
)
def ask(body: AskRequest, engine: EngineDep, generator: GeneratorDep) -> AskResponse:
    """Answer with sentences quoted from the documents, or written by the configured LLM
    from them; either way each claim is cited as [n] and generated citations are checked."""
    with llm_errors():
        answered = Answering(engine, generator).answer(_turn(body))
    return AskResponse.from_result(answered.result).model_copy(
        update={"understood_as": answered.asked.understood_as}
    )


@router.post(
    "/api/ask/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events."},
        400: {"description": "mode=generative, but no LLM is configured."},
        502: {"description": "mode=generative, and the LLM could not be reached."},
        503: {"description": "Index not loaded, or the vector store did not answer."},
    },
)
def ask_stream(body: AskRequest, engine: EngineDep, generator: GeneratorDep) -> Response:
    """The answer as Server-Sent Events: `citations`, `token`… as the LLM writes, then `done`
    with the checked answer (or `error` when generative was asked for and the LLM failed)."""
    with llm_errors():
        asked, events = Answering(engine, generator).stream(_turn(body))
    return sse_response(events, asked.understood_as)


@router.get(
    "/api/search",
    response_model=SearchResponse,
    responses={503: {"description": "Index not loaded, or the vector store did not answer."}},
)
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
