"""One conversational turn, the single call every edge makes: /api/ask, its stream, `kotae ask`
and `kotae eval` all hand the core a :class:`Turn` and get its answer back.

Each edge used to resolve the follow-up, apply the filters, build the search text and call the
generator itself: three copies that had drifted (the CLI never asked the LLM to resolve a
follow-up), and eval searched on its own and then asked the engine a second time for the short
answer, measuring what /api/ask returns only because a constant was shared. Now what eval
scores is, by construction, what a user is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kotae.index.search import Filters
from kotae.service.engine import Engine
from kotae.service.followup import MAX_HISTORY, Resolved, document_titles, resolve
from kotae.service.generate import Event, Generator, Mode, Result
from kotae.service.rewrite import resolve_with_llm

TOP_K = 5  # passages an answer reads and cites unless asked otherwise (/api/ask's default)


@dataclass(frozen=True)
class Turn:
    """What the user asked, in the conversation so far."""

    question: str
    history: tuple[str, ...] = ()  # earlier questions, oldest first
    filters: Filters = field(default_factory=Filters)
    mode: Mode | None = None  # None: generative when an LLM is configured
    top_k: int = TOP_K
    depth: int = 0  # rank at least this many passages (eval's Recall@10); the answer reads top_k


@dataclass(frozen=True)
class Asked:
    """The turn's question as retrieval sees it."""

    resolved: Resolved
    filters: Filters
    text: str  # what is searched for

    @property
    def understood_as(self) -> str | None:
        return self.resolved.understood_as


@dataclass(frozen=True)
class Answered:
    asked: Asked
    result: Result


class Answering:
    """The core's one answering path: the engine (index and model) and the generator (LLM)."""

    def __init__(self, engine: Engine, generator: Generator | None = None) -> None:
        self.engine = engine
        self.generator = generator or Generator(None)

    def read(self, turn: Turn) -> Asked:
        """Resolve a follow-up against the history (by the LLM when one is configured and an
        LLM answer is possible), then the filters it carries and the text to search for."""
        loaded = self.engine.loaded
        tokenizer = loaded.snapshot.lexical.tokenizer
        history = list(turn.history[-MAX_HISTORY:])
        client = self.generator.client
        if client is not None and history and turn.mode != "extractive":
            resolved = resolve_with_llm(client, turn.question, history, tokenizer)
        else:
            resolved = resolve(turn.question, history, tokenizer)
        filters = resolved.filters(turn.filters, self.engine.search)
        text = resolved.search_text(filters, document_titles(loaded.snapshot.documents))
        return Asked(resolved, filters, text)

    def answer(self, turn: Turn) -> Answered:
        """The whole answer; raises ``LLMError`` only when generative was asked for."""
        asked = self.read(turn)
        result = self.generator.ask(
            self.engine, asked.text, turn.top_k, asked.filters, turn.mode, turn.depth
        )
        return Answered(asked, result)

    def stream(self, turn: Turn) -> tuple[Asked, Iterator[Event]]:
        """The answer as events (see ``Generator.stream``): the LLM request is opened before
        this returns, so a generative failure is raised here, before anything is streamed."""
        asked = self.read(turn)
        events = self.generator.stream(
            self.engine, asked.text, turn.top_k, asked.filters, turn.mode
        )
        return asked, events
