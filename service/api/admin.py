"""Write endpoints: off unless ``KOTAE_ADMIN_TOKEN`` is set, then behind that bearer token."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, Field

from kotae.errors import KotaeError
from kotae.service.engine import Engine

log = logging.getLogger("kotae")


class ReloadResponse(BaseModel):
    status: str = Field(description="Always 'reloaded'.")
    version: str = Field(description="The index version folder now served.")
    changed: bool = Field(description="False when that version was already being served.")
    documents: int
    chunks: int


def require_admin(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="`Bearer <KOTAE_ADMIN_TOKEN>`.")
    ] = None,
) -> None:
    """Refuse unless a token is configured and this request carries it, in the header only.

    A query string is refused outright: URLs end up in access logs, proxies and histories.
    """
    if request.url.query:
        raise HTTPException(
            status_code=400,
            detail="admin endpoints take no query parameters: send the token only as "
            "`Authorization: Bearer <KOTAE_ADMIN_TOKEN>` (a URL is written to logs)",
        )
    secret = request.app.state.admin_token
    if not secret:
        raise HTTPException(
            status_code=403,
            detail="admin endpoints are disabled: set KOTAE_ADMIN_TOKEN on the server to enable "
            "them, then send it as `Authorization: Bearer <token>`",
        )
    scheme, _, given = (authorization or "").partition(" ")
    # Starlette decodes headers as latin-1: re-encoding gives back the bytes that were sent.
    sent = given.strip().encode("latin-1")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(sent, secret.encode("utf-8"))
    if not ok:
        raise HTTPException(
            status_code=401,
            detail="missing or wrong admin token: send `Authorization: Bearer <KOTAE_ADMIN_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.post(
    "/reload",
    response_model=ReloadResponse,
    responses={
        400: {"description": "A query string was sent (the token goes in the header only)."},
        401: {"description": "Missing or wrong bearer token."},
        403: {"description": "Admin endpoints disabled (KOTAE_ADMIN_TOKEN not set)."},
        409: {"description": "The index on disk cannot be loaded; the previous one is kept."},
        503: {"description": "The service has no engine yet."},
    },
)
def reload(request: Request) -> ReloadResponse:
    """Load the index version `KOTAE_INDEX_DIR` points to now, e.g. after `kotae index`.

    The swap is atomic: requests already running finish on the version they started with.
    """
    engine: Engine | None = request.app.state.engine
    if engine is None:
        raise HTTPException(status_code=503, detail="not ready: the service is still starting")
    before = engine.loaded.snapshot.path if engine.ready else None
    try:
        snapshot = engine.load()
    except KotaeError as e:
        log.error("reload failed, still serving the previous index: %s", e)
        raise HTTPException(
            status_code=409, detail=f"reload failed, still serving the previous index: {e}"
        ) from e
    return ReloadResponse(
        status="reloaded",
        version=snapshot.path.name if snapshot.path else "",
        changed=snapshot.path != before,
        documents=len(snapshot.documents),
        chunks=len(snapshot.chunks),
    )
