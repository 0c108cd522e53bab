"""ASGI middleware guarding the service: a cap on request body size."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
        payload = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


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
