"""Request and response models of the HTTP API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from index.search import Hit

MAX_QUESTION_CHARS = 2000


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "普天間飛行場の移設先は？", "top_k": 5},
                {"question": "Who attended from the US side in May 2007?", "top_k": 3},
                {"question": "拡大抑止について何が話し合われた？", "date_from": "2024-01-01"},
            ]
        },
    )

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        description="The question, in Japanese or English.",
    )
    top_k: int = Field(5, ge=1, le=20, description="How many passages to retrieve and cite.")
    doc_ids: list[str] | None = Field(
        None, max_length=1000, description="Search only these documents."
    )
    date_from: date | None = Field(None, description="Only passages dated on or after this day.")
    date_to: date | None = Field(None, description="Only passages dated on or before this day.")

    @field_validator("question")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be empty or only whitespace")
        return value


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


class Quote(BaseModel):
    n: int
    start: int
    end: int
    text: str


class AskResponse(BaseModel):
    answer: str
    citations: list[Citation]
    quotes: list[Quote] = Field(description="The answer's sentences with their exact offsets.")
    found: bool = Field(description="False when nothing relevant was found.")
    took_ms: float


class SearchResponse(BaseModel):
    query: str
    citations: list[Citation]
    took_ms: float


class DocumentResponse(BaseModel):
    doc_id: str
    title: str | None
    date: str | None
    text: str


class Ready(BaseModel):
    status: str
    model: str
    embedder: str
    chunks: int
    documents: int
    retriever: str
