"""The user's own LLM behind an OpenAI-compatible API (Ollama, vLLM, llama.cpp, OpenAI).

One client is built when the app starts. Every way the LLM can fail — refused connection,
silence past the timeout, an HTTP error, a reply that is not the protocol — becomes an
:class:`LLMError` with a message naming the server, so callers fall back instead of crashing.
Retries are off: a retry would multiply the time a user waits on a dead server.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
from openai import OpenAI

from kotae.errors import KotaeError
from kotae.settings import Settings

PROBE_TIMEOUT = 2.0
PROBE_TTL = 30.0
log = logging.getLogger("kotae")

Messages = list[dict[str, str]]


class LLMError(KotaeError):
    """The LLM gave no usable answer: unreachable, too slow, an HTTP error, or garbled output."""


class LLMNotConfiguredError(KotaeError):
    """A generative answer was asked for, but no LLM is configured."""


@dataclass(frozen=True)
class Probe:
    """Whether the LLM answered the last probe (``None``: not probed yet)."""

    reachable: bool | None
    detail: str | None = None
    checked_at: float = 0.0


class LLMClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_tokens: int = 512,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        # Local servers ignore the key, but the client insists on one.
        self._client = OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0
        )
        self._probe = Probe(None, None, float("-inf"))
        self._probe_lock = threading.Lock()
        self._probing = False

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMClient | None:
        if not (settings.llm_base_url and settings.llm_model):
            if settings.llm_base_url or settings.llm_model:
                log.warning("set both KOTAE_LLM_BASE_URL and KOTAE_LLM_MODEL to use an LLM")
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            key,
            settings.llm_timeout,
            settings.llm_max_tokens,
        )

    def complete(self, messages: Messages) -> str:
        """The whole reply at once; never empty."""
        try:
            reply = self._client.chat.completions.create(**self._request(messages))
            text = reply.choices[0].message.content
        except Exception as e:  # the LLM is a foreign process: any failure is its failure
            raise self._error(e) from e
        if not isinstance(text, str) or not text.strip():
            raise LLMError(f"the LLM at {self.base_url} returned an empty answer")
        return text

    def stream(self, messages: Messages) -> Iterator[str]:
        """Open a streamed reply now (errors up to the first byte raise here), then its pieces."""
        try:
            chunks = self._client.chat.completions.create(**self._request(messages), stream=True)
        except Exception as e:
            raise self._error(e) from e
        return self._pieces(chunks)

    def _pieces(self, chunks: Any) -> Iterator[str]:
        try:
            for chunk in chunks:
                if not chunk.choices:  # e.g. a final usage-only chunk
                    continue
                piece = chunk.choices[0].delta.content
                if piece:
                    yield piece
        except Exception as e:
            raise self._error(e) from e
        finally:
            chunks.close()

    def _request(self, messages: Messages) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": messages,
            "max_tokens": self.max_tokens,
            "temperature": 0.0,
        }

    def _error(self, e: Exception, timeout: float | None = None) -> LLMError:
        where = f"the LLM at {self.base_url}"
        if isinstance(e, LLMError):
            return e
        if isinstance(e, openai.APITimeoutError) or "timeout" in type(e).__name__.lower():
            return LLMError(f"{where} did not answer within {timeout or self.timeout:g} s")
        if isinstance(e, openai.APIConnectionError):
            return LLMError(f"cannot reach {where}: {e.__cause__ or e}")
        if isinstance(e, openai.APIStatusError):
            message = re.sub(r"^Error code: \d+ - ", "", e.message)
            return LLMError(f"{where} answered HTTP {e.status_code}: {_short(message)}")
        return LLMError(f"{where} sent a reply that is not an OpenAI chat completion ({_short(e)})")

    def probe_status(self) -> Probe:
        """The last probe's result at once; a stale one is refreshed in the background."""
        with self._probe_lock:
            stale = time.monotonic() - self._probe.checked_at > PROBE_TTL
            if stale and not self._probing:
                self._probing = True
                threading.Thread(target=self._run_probe, name="llm-probe", daemon=True).start()
            return self._probe

    def probe(self) -> Probe:
        """Ask the server for its model list, with a short timeout."""
        timeout = min(PROBE_TIMEOUT, self.timeout)
        try:
            self._client.with_options(timeout=timeout).models.list()
            return Probe(True, None, time.monotonic())
        except openai.NotFoundError:  # up, but without /models (some servers)
            return Probe(True, None, time.monotonic())
        except Exception as e:
            return Probe(False, str(self._error(e, timeout)), time.monotonic())

    def _run_probe(self) -> None:
        result = self.probe()
        with self._probe_lock:
            self._probe = result
            self._probing = False


def _short(value: object, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"
