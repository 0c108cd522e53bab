"""A scripted OpenAI-compatible LLM server on 127.0.0.1, for testing what users receive.

It speaks the chat-completions protocol (plain JSON, or SSE chunks ending with ``[DONE]``) and
misbehaves on cue: HTTP errors, silence past the client's timeout (before the reply or in the
middle of a stream), bodies that are not JSON. Tests set ``fake.script`` before each request.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

MODEL = "fake-llm"


@dataclass
class Script:
    text: str = "回答です[1]。"
    status: int = 200
    stall: float = 0.0  # seconds of silence before anything is sent
    stall_after: int | None = None  # streamed: go silent for `stall` s after this many pieces
    garbage: bool = False  # a 200 whose body (or SSE data) is not JSON
    piece: int = 3  # characters per streamed chunk


@dataclass
class FakeLLM:
    script: Script = field(default_factory=Script)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""  # set once the server is up: the client's base URL (…/v1)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            await asyncio.sleep(self.script.stall)
            return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            script = self.script
            if script.stall and script.stall_after is None:
                await asyncio.sleep(script.stall)
            if script.status != 200:
                error = {"message": f"scripted HTTP {script.status}", "type": "server_error"}
                return JSONResponse({"error": error}, status_code=script.status)
            if body.get("stream"):
                return StreamingResponse(self._chunks(script), media_type="text/event-stream")
            if script.garbage:
                return Response("{'choices': [oops", media_type="application/json")
            return JSONResponse(_completion(script.text))

        return app

    async def _chunks(self, script: Script) -> AsyncIterator[str]:
        if script.garbage:
            yield "data: {not json at all\n\n"
            return
        size = script.piece
        pieces = [script.text[i : i + size] for i in range(0, len(script.text), size)]
        yield _data(_chunk({"role": "assistant", "content": ""}))
        for i, piece in enumerate(pieces):
            if i == script.stall_after:
                await asyncio.sleep(script.stall)
            yield _data(_chunk({"content": piece}))
        yield _data(_chunk({}, finish="stop"))
        yield "data: [DONE]\n\n"


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on a real loopback port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
