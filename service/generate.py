"""Generative answers: the retrieved passages, the user's LLM, and the citation check.

The extractive answer is always computed first (it costs one lookup of stored sentence vectors):
it is the fallback whenever the LLM fails or writes an answer that cites nothing real, so a user
asking in the default mode always gets an answer. Only a user who asked for ``generative``
explicitly gets the LLM's failure instead, as an :class:`LLMError` (HTTP 502 at the edge).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from kotae.index.question import Question, as_question
from kotae.index.search import Filters, Hit
from kotae.service.answer import Answer, Citation
from kotae.service.citecheck import check_citations
from kotae.service.engine import Engine, Loaded
from kotae.service.llm import LLMClient, LLMError, LLMNotConfiguredError, Messages
from kotae.settings import Settings

LANGUAGES = {"ja": "Japanese (日本語)", "en": "English"}
SYSTEM_PROMPT = """\
You answer questions using only the numbered passages the user gives you.
Rules:
1. Use only what the passages say. Never add facts from elsewhere.
2. After every sentence, cite the passage or passages it comes from, like [1] or [2][3].
3. Answer in {language}, the language of the question.
4. When you quote a passage word for word, put the quote in 「」 and copy it exactly.
5. If the passages do not contain the answer, say so in one sentence, without a citation.
6. Be brief: a few sentences."""
Mode = Literal["extractive", "generative"]
NOT_ASKED = "no passage is close enough to the question, so the LLM was not asked"


@dataclass
class Result:
    """An answer, how it was made, and what the user should know about it."""

    answer: Answer
    mode: Mode
    warnings: list[str]
    loaded: Loaded  # the index version the answer came from: citations are titled from it


@dataclass(frozen=True)
class Started:
    citations: list[Citation]
    mode: Mode
    loaded: Loaded


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Finished:
    result: Result


@dataclass(frozen=True)
class Failed:
    error: LLMError


Event = Started | Token | Finished | Failed


@dataclass(frozen=True)
class LLMStatus:
    """Whether an LLM is configured and answered its last probe (``reachable`` None: not yet)."""

    configured: bool
    reachable: bool | None = None
    model: str | None = None
    detail: str | None = None


def build_messages(question: str | Question, hits: list[Hit], titles: list[str | None]) -> Messages:
    """The passages numbered [1]..[k] as the user message; the rules as the system message.
    ``question`` as the extractive answer read it (a string is read here)."""
    q = as_question(question)
    blocks = []
    for n, (hit, title) in enumerate(zip(hits, titles, strict=True), 1):
        about = ", ".join(x for x in (title, hit.chunk.date) if x)
        header = f"[{n}] ({about})" if about else f"[{n}]"
        blocks.append(f"{header}\n{hit.chunk.text.strip()}")
    language = LANGUAGES[q.language]
    passages = "\n\n".join(blocks)
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
        {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {q.text}"},
    ]


class Generator:
    """Answers in either mode; holds the one LLM client of the app (``None``: extractive only)."""

    def __init__(self, client: LLMClient | None) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> Generator:
        return cls(LLMClient.from_settings(settings))

    def status(self) -> LLMStatus:
        if self.client is None:
            return LLMStatus(configured=False)
        probe = self.client.probe_status()
        return LLMStatus(
            configured=True, reachable=probe.reachable, model=self.client.model, detail=probe.detail
        )

    def _client_for(self, requested: Mode | None) -> LLMClient | None:
        """The client to ask, or None for an extractive answer."""
        if requested == "generative" and self.client is None:
            raise LLMNotConfiguredError(
                "generative answers need an LLM: set KOTAE_LLM_BASE_URL and KOTAE_LLM_MODEL"
            )
        return None if requested == "extractive" else self.client

    def ask(
        self,
        engine: Engine,
        question: str,
        k: int,
        filters: Filters | None,
        mode: Mode | None,
        depth: int = 0,
    ) -> Result:
        """One whole answer; raises :class:`LLMError` only when generative was asked for."""
        started = time.perf_counter()
        client = self._client_for(mode)
        loaded = engine.loaded  # one index version for the whole answer
        extractive = engine.ask(question, k, filters, loaded, depth)
        if client is None or not extractive.found:
            return _extractive(loaded, extractive, _not_asked(client, extractive), started)
        try:
            text = client.complete(_messages(loaded, extractive))
        except LLMError as e:
            if mode == "generative":
                raise
            return _fallback(loaded, extractive, e, started)
        return _checked(loaded, extractive, text, started)

    def stream(
        self, engine: Engine, question: str, k: int, filters: Filters | None, mode: Mode | None
    ) -> Iterator[Event]:
        """Events: Started, Token…, then Finished or Failed.

        The LLM request is opened before this returns, so a server that is down, refuses or
        stays silent fails here (raising only when generative was asked for), before anything
        has been streamed; a failure after that arrives as a ``Failed`` or fallback event.
        """
        started = time.perf_counter()
        client = self._client_for(mode)
        loaded = engine.loaded
        extractive = engine.ask(question, k, filters, loaded)
        if client is None or not extractive.found:
            warnings = _not_asked(client, extractive)
            return _extractive_events(_extractive(loaded, extractive, warnings, started))
        try:
            pieces = client.stream(_messages(loaded, extractive))
        except LLMError as e:
            if mode == "generative":
                raise
            return _extractive_events(_fallback(loaded, extractive, e, started))
        return _generative_events(loaded, extractive, pieces, mode == "generative", started)


def _messages(loaded: Loaded, extractive: Answer) -> Messages:
    hits = [c.hit for c in extractive.citations]
    docs = loaded.snapshot.documents
    asked = extractive.read or extractive.question
    return build_messages(asked, hits, [docs[h.chunk.doc_id].title for h in hits])


def _generative_events(
    loaded: Loaded, extractive: Answer, pieces: Iterator[str], explicit: bool, started: float
) -> Iterator[Event]:
    yield Started(extractive.citations, "generative", loaded)
    parts: list[str] = []
    try:
        for piece in pieces:
            parts.append(piece)
            yield Token(piece)
        if not "".join(parts).strip():
            raise LLMError("the LLM returned an empty answer")
    except LLMError as e:
        yield Failed(e) if explicit else Finished(_fallback(loaded, extractive, e, started))
        return
    yield Finished(_checked(loaded, extractive, "".join(parts), started))


def _extractive_events(result: Result) -> Iterator[Event]:
    yield Started(result.answer.citations, "extractive", result.loaded)
    yield Token(result.answer.text)
    yield Finished(result)


def _checked(loaded: Loaded, extractive: Answer, text: str, started: float) -> Result:
    """The LLM's answer if it cites at least one real passage, else the extractive one."""
    check = check_citations(text, [c.hit.chunk.text for c in extractive.citations])
    if not check.ok:  # the user never sees the generated text: only say why it was replaced
        why = (
            "the generated answer cites no passage that was given to it (sentences without a "
            f"valid citation: {len(check.uncited_sentences)}), so the extractive answer is shown "
            "instead"
        )
        return _extractive(loaded, extractive, [*check.marker_warnings, why], started)
    warnings = check.warnings
    answer = Answer(
        extractive.question,
        check.text,
        extractive.citations,
        [],
        True,
        confidence=extractive.confidence,
        read=extractive.read,
    )
    answer.took_ms = _ms(started)
    return Result(answer, "generative", warnings, loaded)


def _fallback(loaded: Loaded, extractive: Answer, error: LLMError, started: float) -> Result:
    warning = f"{error}; the extractive answer is shown instead"
    return _extractive(loaded, extractive, [warning], started)


def _extractive(loaded: Loaded, answer: Answer, warnings: list[str], started: float) -> Result:
    answer.took_ms = _ms(started)
    return Result(answer, "extractive", warnings, loaded)


def _not_asked(client: LLMClient | None, extractive: Answer) -> list[str]:
    return [NOT_ASKED] if client is not None and not extractive.found else []


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
