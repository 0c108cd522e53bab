"""Keep secrets out of log lines: the access log records every URL, query string included.

The admin token is only accepted in the ``Authorization`` header (``service.api.admin`` refuses a
query string), but a client may still put it in the URL; uvicorn would then write it to the
access log before any route runs. This filter blanks the values of secret-looking query
parameters and any configured secret wherever it appears in a record of the server's loggers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "kotae")
_SECRET_PARAM = re.compile(
    r"(?i)((?:^|[?&;])(?:token|access_token|api_key|apikey|key|password|secret)=)[^&;\s\"]*"
)
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("kotae-redact")
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _SECRET_PARAM.sub(rf"\g<1>{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install(secrets: Iterable[str] = ()) -> None:
    """Put one redacting filter on each server logger (replacing an earlier one)."""
    redact = RedactSecrets(secrets)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactSecrets)]:
            logger.removeFilter(old)
        logger.addFilter(redact)
