"""ASGI middleware guarding the service: a cap on request body size, clean 500s."""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kotae")  # the logger logsafe redacts


class BodySizeLimit:
    """Answer 413 to any request whose body exceeds ``max_bytes``.

    A declared ``Content-Length`` is refused before anything is read. A body without one
    (chunked transfer) is read up to the cap and buffered, so an oversized stream is refused
    before the app sees a byte of it, and the app never has to handle a half-read body.
    Buffering costs at most ``max_bytes`` per request, which is small by design.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away before sending it all
                await self.app(scope, _replay(message, receive), send)
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        first: Message = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, _replay(first, receive), send)

    async def _refuse(self, send: Send) -> None:
        detail = (
            f"request body larger than {self.max_bytes} bytes; send less "
            "(the limit is KOTAE_MAX_BODY_BYTES)"
        )
        await send_json(send, 413, {"detail": detail}, [(b"connection", b"close")])


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(first: Message, receive: Receive) -> Receive:
    """A ``receive`` that yields ``first`` once, then defers to the server (disconnects)."""
    pending: list[Message] = [first]

    async def replay() -> Any:
        if pending:
            return pending.pop()
        return await receive()

    return replay


class ServerErrors:
    """Answer an unexpected exception with a JSON 500 that carries a request id, and log it as
    one line with that id.

    Starlette's own handler sits outside every middleware, so its 500 had none of the security
    headers, and it re-raises for the server to print the whole traceback, once per request: a
    repeated bad request filled the log. Here the error never leaves the app; the line names the
    request, the exception and where it was raised, and the client can quote the id
    (``X-Request-ID`` and ``request_id``). A response already under way (a stream) is ended.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def watched(message: Message) -> None:
            nonlocal started, ended
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                ended = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as e:
            request_id = uuid.uuid4().hex[:16]
            log.error(
                "request %s failed: %s %s: %s",
                request_id,
                scope.get("method", ""),
                _one_line(scope.get("path", "")),
                _described(e),
            )
            if not started:
                await _internal_error(send, request_id)
            elif not ended:
                await send({"type": "http.response.body", "body": b"", "more_body": False})


def _described(error: BaseException) -> str:
    """The exception's type, message (one line, bounded) and the line that raised it."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {_one_line(str(error))}{where}"


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line: a message may hold the user's text, newlines included."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


async def _internal_error(send: Send, request_id: str) -> None:
    detail = f"internal error; quote request id {request_id} when reporting it"
    body = {"detail": detail, "request_id": request_id}
    await send_json(send, 500, body, [(b"x-request-id", request_id.encode())])


async def send_json(
    send: Send, status: int, body: dict[str, str], headers: list[tuple[bytes, bytes]]
) -> None:
    """A whole JSON response sent from inside a middleware (no app below it answered)."""
    payload = json.dumps(body).encode()
    length = (b"content-length", str(len(payload)).encode())
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), length, *headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})
