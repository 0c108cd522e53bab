"""Browser-facing hardening: security headers on every response, API docs from local files.

The admin API shares the origin of the chat page and the docs, so no page may load scripts
from elsewhere: the Content-Security-Policy allows this origin only (``'self'``), and the
Swagger UI's files come from the ``fastapi-offline`` package (Swagger UI 5, which renders
OpenAPI 3.1) instead of a CDN, so /docs also works on an offline machine. Its one inline
script is allowed by its hash, not by ``'unsafe-inline'``; the inline styles it sets at run
time need ``style-src 'unsafe-inline'``, on that page only. ReDoc is not served: even from
local files it loads its logo from its vendor's CDN, and Swagger UI documents the same API.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_URL = "/docs"
DOCS_ASSETS = "/docs-assets"
BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def policy(**overrides: str) -> str:
    """The Content-Security-Policy header value, with some directives replaced."""
    return "; ".join(f"{k} {v}" for k, v in {**BASE_POLICY, **overrides}.items())


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not set its own.

    Pure ASGI, outermost, so static files, errors and the body-size 413 all carry them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
        self.headers.append((b"content-security-policy", policy().encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from packaged files (the app is built with FastAPI's
    CDN-loading docs off)."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"  # the package's data files
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")
    swagger = _html(
        get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # the default posts the spec to a server
        )
    )
    csp = policy(**{"script-src": _scripts(swagger), "style-src": "'self' 'unsafe-inline'"})
    app.add_api_route(DOCS_URL, _page(swagger, csp), include_in_schema=False)


def _html(response: HTMLResponse) -> bytes:
    return bytes(response.body)


def _page(body: bytes, csp: str) -> Callable[[], HTMLResponse]:
    def page() -> HTMLResponse:
        return HTMLResponse(body, headers={"content-security-policy": csp})

    return page


def _scripts(html: bytes) -> str:
    """``script-src`` for a page: this origin, and each inline ``<script>`` by its hash."""
    return " ".join(["'self'", _inline_script_hashes(html)]).strip()


def _inline_script_hashes(html: bytes) -> str:
    """CSP source expressions for each inline ``<script>`` of ``html``."""
    scripts = re.findall(rb"<script>(.*?)</script>", html, flags=re.S)
    digests = (base64.b64encode(hashlib.sha256(s).digest()).decode() for s in scripts)
    return " ".join(f"'sha256-{d}'" for d in digests)
