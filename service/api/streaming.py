"""The HTTP edge of generative answers: Server-Sent Events, and LLM errors as status codes.

Events, in order: ``citations`` (``{"mode", "citations"}``), ``token`` (``{"text"}``) as the
LLM writes, then ``done`` (the checked answer, shaped like the ``/api/ask`` response) or, when
generative was asked for explicitly and the LLM broke off, ``error`` (``{"status", "detail"}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException
from fastapi.sse import EventSourceResponse, format_sse_event

from kotae.service.api.schemas import AskResponse, citations_out
from kotae.service.generate import Event, Failed, Finished, Started, Token
from kotae.service.llm import LLMError, LLMNotConfiguredError


@contextmanager
def llm_errors() -> Iterator[None]:
    """An LLM that fails a user who asked for generative is a bad gateway, never a 500."""
    try:
        yield
    except LLMNotConfiguredError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    except LLMError as e:
        raise HTTPException(status_code=502, detail=str(e)) from e


def sse_response(events: Iterator[Event], understood_as: str | None = None) -> EventSourceResponse:
    """``understood_as`` (a resolved follow-up) rides on the first and the last event."""
    return EventSourceResponse(
        _sse(events, understood_as),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(events: Iterator[Event], understood_as: str | None = None) -> Iterator[bytes]:
    for event in events:
        if isinstance(event, Started):
            citations = [c.model_dump() for c in citations_out(event.loaded, event.citations)]
            yield _event(
                "citations",
                {"mode": event.mode, "citations": citations, "understood_as": understood_as},
            )
        elif isinstance(event, Token):
            yield _event("token", {"text": event.text})
        elif isinstance(event, Finished):
            done = AskResponse.from_result(event.result).model_copy(
                update={"understood_as": understood_as}
            )
            yield _event("done", done.model_dump())
        elif isinstance(event, Failed):
            yield _event("error", {"status": 502, "detail": str(event.error)})


def _event(name: str, data: dict[str, Any]) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))
