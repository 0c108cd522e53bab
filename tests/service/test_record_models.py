"""The API's records are the core's records in JSON: they cannot drift apart."""

from dataclasses import fields
from typing import get_type_hints

from kotae.ingest.records import Chunk
from kotae.service.answer import Quote as CoreQuote
from kotae.service.api.schemas import Citation, Quote


def test_the_api_quote_is_the_core_quote_without_its_internal_score() -> None:
    core = get_type_hints(CoreQuote)
    assert list(Quote.model_fields) == [f.name for f in fields(CoreQuote) if f.name != "score"]
    assert all(Quote.model_fields[name].annotation is core[name] for name in Quote.model_fields)
    assert Quote(n=1, start=3, end=9, text="普天間").model_dump() == {
        "n": 1,
        "start": 3,
        "end": 9,
        "text": "普天間",
    }


def test_a_citation_carries_the_passage_fields_with_the_passage_types() -> None:
    chunk = get_type_hints(Chunk)
    shared = [name for name in Citation.model_fields if name in chunk]
    assert shared == ["doc_id", "date", "start", "end", "text"]
    assert all(Citation.model_fields[name].annotation == chunk[name] for name in shared)
