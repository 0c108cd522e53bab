"""Request and response models of the HTTP API."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Annotated, Any, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)

from kotae.index.search import Filters, Hit
from kotae.service.answer import Citation as Cited
from kotae.service.answer import Quote as Quoted
from kotae.service.engine import Loaded
from kotae.service.followup import MAX_HISTORY
from kotae.service.generate import LLMStatus as LLMState
from kotae.service.generate import Mode, Result

MAX_QUESTION_CHARS = 2000
# "Has a character that is not whitespace", written so that Python and the JSON Schema
# (ECMA) regex agree: each lacks a few spaces the other's \s has (\x1c-\x1f, \x85, \ufeff).
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EarlierQuestion = Annotated[str, StringConstraints(max_length=MAX_QUESTION_CHARS)]


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "普天間飛行場の移設先は？", "top_k": 5},
                {"question": "Who attended from the US side in May 2007?", "top_k": 3},
                {"question": "拡大抑止について何が話し合われた？", "date_from": "2024-01-01"},
                {"question": "普天間飛行場の移設先は？", "mode": "generative"},
            ]
        },
    )

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        description="The question, in Japanese or English (not only spaces).",
        json_schema_extra={"pattern": NOT_BLANK},
    )
    top_k: int = Field(5, ge=1, le=20, description="How many passages to retrieve and cite.")
    doc_ids: list[str] | None = Field(
        None, max_length=1000, description="Search only these documents."
    )
    date_from: date | None = Field(None, description="Only passages dated on or after this day.")
    date_to: date | None = Field(None, description="Only passages dated on or before this day.")
    mode: Mode | None = Field(
        None,
        description="extractive: quoted sentences; generative: written by the configured LLM, "
        "citations checked (default: generative when an LLM is configured).",
    )
    history: list[EarlierQuestion] | None = Field(
        None,
        max_length=MAX_HISTORY,
        description="The conversation's earlier questions, oldest first: a follow-up such as "
        "「その時の出席者は？」 is resolved against them (see understood_as).",
        examples=[["2007年の会合では何が合意された？"]],
    )

    @field_validator("question")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not re.search(NOT_BLANK, value):
            raise ValueError("question must not be empty or only whitespace")
        return value

    @field_validator("top_k", mode="before")
    @classmethod
    def not_bool(cls, value: object) -> object:
        if isinstance(value, bool):  # pydantic would read true as 1
            raise ValueError("top_k must be a number from 1 to 20")
        return value

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def iso_date(cls, value: object) -> object:
        # pydantic alone would also take "0" or 1700000000 as a Unix timestamp.
        if isinstance(value, str) and ISO_DATE.fullmatch(value) or isinstance(value, date):
            return value
        if value is not None:
            raise ValueError("dates are written YYYY-MM-DD, e.g. 2024-01-12")
        return value

    @model_validator(mode="after")
    def dates_in_order(self) -> AskRequest:
        # A reversed range matches nothing: say so, not "nothing found, try rephrasing".
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to: swap them")
        return self

    def filters(self) -> Filters:
        return Filters(
            frozenset(self.doc_ids) if self.doc_ids is not None else None,
            self.date_from.isoformat() if self.date_from else None,
            self.date_to.isoformat() if self.date_to else None,
        )


class Citation(BaseModel):
    n: int = Field(description="The marker number used in the answer, [n].")
    doc_id: str
    title: str | None
    date: str | None
    start: int = Field(description="Start character offset in the document text (inclusive).")
    end: int = Field(description="End character offset (exclusive): text == document[start:end].")
    text: str
    score: float

    @classmethod
    def from_hit(cls, n: int, hit: Hit, title: str | None) -> Citation:
        c = hit.chunk
        return cls(
            n=n,
            doc_id=c.doc_id,
            title=title,
            date=c.date,
            start=c.start,
            end=c.end,
            text=c.text,
            score=round(hit.score, 6),
        )


def record_model(name: str, record: type, omit: frozenset[str]) -> type[BaseModel]:
    """The JSON form of a core record: its fields and types, less the internal ones in ``omit``,
    so the core's dataclass stays the one definition."""
    hints = get_type_hints(record)
    kept = {f.name: (hints[f.name], ...) for f in fields(record) if f.name not in omit}
    return create_model(name, **kept)  # type: ignore[call-overload, no-any-return]


class Quote(record_model("QuoteFields", Quoted, omit=frozenset({"score"}))):  # type: ignore[misc]
    __doc__ = None  # no description in the OpenAPI schema, as before


class ShortAnswer(BaseModel):
    """The name, date, place or number itself: an exact span inside the first quote."""

    text: str = Field(description="text == document[start:end] of doc_id.")
    n: int = Field(description="The citation marker [n] of the passage holding it.")
    doc_id: str
    start: int
    end: int


class AskResponse(BaseModel):
    answer: str
    citations: list[Citation]
    quotes: list[Quote] = Field(description="The answer's sentences with their exact offsets.")
    found: bool = Field(
        description="False when the documents do not answer the question (or it has no content): "
        "the answer then says so and the citations are the closest passages, not an answer."
    )
    confidence: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="The not-found decision's score: how likely the documents answer the "
        "question (found is true from a threshold fitted on the dev sets; 0 for a question with "
        "no content).",
    )
    short_answer: ShortAnswer | None = Field(
        None, description="The fact asked for, inside the first quote; null for why/how questions."
    )
    took_ms: float
    mode: Mode = Field("extractive", description="How this answer was made.")
    warnings: list[str] = Field(
        default_factory=list,
        description="What the citation check found, or why the extractive answer is shown.",
    )
    understood_as: str | None = Field(
        None,
        description="The question as resolved against the history and searched for "
        "(null: searched as asked).",
    )

    @classmethod
    def from_result(cls, result: Result) -> AskResponse:
        """The core's answer as the API shows it; citations titled from the index it came from."""
        answer = result.answer
        return cls(
            answer=answer.text,
            citations=citations_out(result.loaded, answer.citations),
            quotes=[Quote(n=q.n, start=q.start, end=q.end, text=q.text) for q in answer.quotes],
            found=answer.found,
            confidence=round(answer.confidence, 4),
            short_answer=ShortAnswer(**vars(answer.short)) if answer.short else None,
            took_ms=round(answer.took_ms, 3),
            mode=result.mode,
            warnings=result.warnings,
        )


def citations_out(loaded: Loaded, citations: list[Cited]) -> list[Citation]:
    docs = loaded.snapshot.documents
    return [Citation.from_hit(c.n, c.hit, docs[c.hit.chunk.doc_id].title) for c in citations]


class SearchResponse(BaseModel):
    query: str
    citations: list[Citation]
    took_ms: float


class DocumentResponse(BaseModel):
    doc_id: str
    title: str | None
    date: str | None
    text: str
    furniture: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Whole lines marked as page furniture (banners, breadcrumbs, share "
        "buttons, …) as [start, end) offsets into text; never quoted as an answer.",
    )


class LLMStatus(BaseModel):
    configured: bool
    reachable: bool | None = Field(
        None, description="Whether the LLM answered the last probe (null: not probed yet)."
    )
    model: str | None = None
    detail: str | None = Field(None, description="Why the probe failed.")

    @classmethod
    def from_state(cls, state: LLMState) -> LLMStatus:
        return cls(
            configured=state.configured,
            reachable=state.reachable,
            model=state.model,
            detail=state.detail,
        )


class Ready(BaseModel):
    status: str
    model: str
    embedder: str
    chunks: int
    documents: int
    retriever: str
    corpus: str | None = Field(
        None, description="The folder the served index was built from (null: not recorded)."
    )
    llm: LLMStatus = Field(default_factory=lambda: LLMStatus(configured=False))
    build: dict[str, Any] | None = Field(
        None,
        description="`kotae serve`'s background index build: state (loading, checking, "
        "building, done, failed), embedded, total, error, detail. Null when not built here.",
    )
