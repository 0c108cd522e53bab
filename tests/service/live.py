"""A real uvicorn on loopback, in a thread: shared by the browser and robustness tests."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from kotae.service.api.app import create_app
from kotae.service.engine import Engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn on loopback, in a thread, stopped cleanly.

    Serves ``app`` if given, else the app for ``engine``.
    """

    def __init__(self, engine: Engine | None = None, app: FastAPI | None = None) -> None:
        if app is None:
            assert engine is not None, "give an engine or an app"
            app = create_app(engine.settings, engine)
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
