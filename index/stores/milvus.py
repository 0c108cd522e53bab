"""Passage vectors in Milvus (a server or cluster, or embedded milvus-lite): the same contract
as FAISS, for collections that outgrow one machine.

Rows are keyed by a stable passage id (a hash of document, offsets, date and text), so an
unchanged passage keeps its row across index versions and an update upserts and deletes only
the rows of documents that changed. The snapshot folder still holds the passage table; the
store maps the ids Milvus returns to positions in it and drops ids it does not know (rows of
the next version, upserted before it is published). Filters become Milvus filter expressions.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from index.stores.base import FilterSpec, VectorStore
from ingest.records import Chunk
from kotae.errors import KotaeError
from kotae.settings import Settings

MAX_TOPK = 16_384  # Milvus' largest search limit
BATCH = 1_000
DOC_ID_MAX = 1_024
INSTALL_HINT = "install the Milvus client with `pip install 'kotae[milvus]'`"

_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


class VectorStoreError(KotaeError):
    """The configured vector store cannot be reached or holds something else."""


def chunk_key(chunk: Chunk) -> int:
    """A passage's stable row id: the same passage gets the same id in every build."""
    raw = "\0".join([chunk.doc_id, str(chunk.start), str(chunk.end), chunk.date or "", chunk.text])
    return int.from_bytes(hashlib.blake2b(raw.encode(), digest_size=8).digest(), signed=True)


def chunk_keys(chunks: Iterable[Chunk]) -> np.ndarray:
    return np.fromiter((chunk_key(c) for c in chunks), dtype=np.int64)


@dataclass(frozen=True)
class MilvusTarget:
    """Where the rows live. ``uri`` is a server URL or an absolute milvus-lite file path."""

    uri: str
    collection: str
    token: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> MilvusTarget:
        uri = settings.milvus_uri
        if uri.endswith(".db") and "://" not in uri:
            uri = str(Path(uri).expanduser().resolve())
        token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
        return cls(uri, settings.milvus_collection, token)

    def identity(self) -> dict[str, str]:
        """What the manifest records: never the token, nor credentials inside the URL."""
        parts = urlsplit(self.uri)
        uri = self.uri
        if parts.scheme and "@" in parts.netloc:
            uri = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
        return {"kind": "milvus", "uri": uri, "collection": self.collection}


def connect(target: MilvusTarget) -> Any:
    """One client per Milvus and token in this process (milvus-lite allows one per file)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as e:
        raise VectorStoreError(
            f"KOTAE_VECTOR_STORE=milvus but pymilvus is missing: {INSTALL_HINT}"
        ) from e
    key = (target.uri, target.token)
    with _clients_lock:
        if key not in _clients:
            if target.uri.endswith(".db"):
                Path(target.uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                _clients[key] = MilvusClient(uri=target.uri, token=target.token)
            except Exception as e:  # pymilvus raises its own and gRPC errors
                raise VectorStoreError(
                    f"cannot connect to Milvus at {target.identity()['uri']} ({e}); "
                    "check KOTAE_MILVUS_URI / KOTAE_MILVUS_TOKEN"
                ) from e
        return _clients[key]


def filter_expression(filters: FilterSpec | None) -> str:
    """The Milvus boolean expression admitting what ``Filters.allows`` admits."""
    if filters is None:
        return ""
    parts = []
    if filters.doc_ids is not None:
        parts.append(f"doc_id in [{', '.join(_literal(d) for d in sorted(filters.doc_ids))}]")
    if filters.date_from:
        parts.append(f'(date != "" and date >= {_literal(filters.date_from)})')
    if filters.date_to:
        parts.append(f'(date != "" and date <= {_literal(filters.date_to)})')
    return " and ".join(parts)


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MilvusStore(VectorStore):
    """The passages of one snapshot, searched in a Milvus collection.

    Connects on first use, so loading a snapshot to reuse its vectors needs no server.
    """

    kind = "milvus"

    def __init__(self, target: MilvusTarget, keys: np.ndarray, dim: int) -> None:
        self.target = target
        self.keys = keys
        self.dim = dim
        self._positions = {int(k): i for i, k in enumerate(keys)}

    @property
    def size(self) -> int:
        return len(self.keys)

    @classmethod
    def identity(cls, settings: Settings) -> dict[str, str]:
        return MilvusTarget.from_settings(settings).identity()

    @classmethod
    def build(cls, settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> MilvusStore:
        """The collection is searched exactly (a FLAT index): ``index_kind`` stays "flat"."""
        return cls(MilvusTarget.from_settings(settings), chunk_keys(chunks), int(vectors.shape[1]))

    @classmethod
    def load(
        cls,
        recorded: dict[str, Any],
        folder: Path,
        chunks: list[Chunk],
        vectors: np.ndarray,
        settings: Settings,
    ) -> MilvusStore:
        """The recorded collection; with the configured token when it is the configured one."""
        configured = MilvusTarget.from_settings(settings)
        target = MilvusTarget(recorded["uri"], recorded["collection"], configured.token)
        if target.identity() == configured.identity():
            target = configured  # the configured URI may carry credentials the manifest omits
        return cls(target, chunk_keys(chunks), int(vectors.shape[1]))

    @property
    def client(self) -> Any:
        return connect(self.target)

    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        filters: FilterSpec | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosine scores of the ``k`` nearest passages of this snapshot."""
        k = min(k, self.size, MAX_TOPK)
        if k <= 0 or (allowed is not None and not len(allowed)):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        result = self.client.search(
            self.target.collection,
            data=[np.asarray(query, dtype=np.float32).tolist()],
            anns_field="vector",
            limit=k,
            filter=filter_expression(filters),
            output_fields=["id"],
            search_params={"metric_type": "IP"},
        )
        pairs = [
            (self._positions[hit["id"]], hit["distance"])
            for hit in result[0]
            if hit["id"] in self._positions
        ]
        return (
            np.array([p for p, _ in pairs], dtype=np.int64),
            np.array([s for _, s in pairs], dtype=np.float32),
        )

    def save(self, folder: Path) -> None:
        """Nothing to write: the rows live in Milvus and the manifest says where."""

    def verify(self) -> None:
        """Refuse a collection that is missing or holds vectors of another size."""
        where = f"Milvus at {self.target.identity()['uri']}"
        try:
            self._verify(where)
        except VectorStoreError:
            raise
        except Exception as e:  # pymilvus and gRPC errors: unreachable, unauthorised, …
            raise VectorStoreError(f"{where} failed: {e}") from e

    def _verify(self, where: str) -> None:
        client, name = self.client, self.target.collection
        if not client.has_collection(name):
            raise VectorStoreError(
                f"collection {name!r} not found in {where}: rebuild it with `kotae index`"
            )
        dim = _vector_dim(client.describe_collection(name))
        if dim != self.dim:
            raise VectorStoreError(
                f"collection {name!r} in {where} holds {dim}-dimensional vectors, the index "
                f"{self.dim}: set KOTAE_MILVUS_COLLECTION to another name, or drop it"
            )
        client.load_collection(name)

    def ensure_collection(self) -> None:
        """Create the collection (exact inner-product search) if it does not exist yet."""
        from pymilvus import DataType

        client, name = self.client, self.target.collection
        if not client.has_collection(name):
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("id", DataType.INT64, is_primary=True)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
            schema.add_field("doc_id", DataType.VARCHAR, max_length=DOC_ID_MAX)
            schema.add_field("start", DataType.INT64)
            schema.add_field("end", DataType.INT64)
            schema.add_field("date", DataType.VARCHAR, max_length=16)
            schema.add_field("year", DataType.INT32)
            index = client.prepare_index_params()
            index.add_index("vector", index_type="FLAT", metric_type="IP")
            client.create_collection(
                name, schema=schema, index_params=index, consistency_level="Strong"
            )
        self.verify()

    def existing_keys(self) -> set[int]:
        """Every row id in the collection (ids only, read in batches)."""
        it = self.client.query_iterator(
            self.target.collection, batch_size=10_000, filter="", output_fields=["id"]
        )
        keys: set[int] = set()
        try:
            while batch := it.next():
                keys.update(int(row["id"]) for row in batch)
        finally:
            it.close()
        return keys

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> int:
        """Upsert the rows of passages the collection does not hold yet; how many."""
        self.ensure_collection()
        have = self.existing_keys()
        todo = [i for i, k in enumerate(self.keys) if int(k) not in have]
        for lo in range(0, len(todo), BATCH):
            rows = [_row(int(self.keys[i]), chunks[i], vectors[i]) for i in todo[lo : lo + BATCH]]
            self.client.upsert(self.target.collection, rows)
        if todo:
            self.client.flush(self.target.collection)  # sealed rows search fast (lite: 10x)
        return len(todo)

    def delete(self) -> int:
        """Delete the rows of passages this snapshot no longer has; how many."""
        stale = sorted(self.existing_keys() - set(self._positions))
        for lo in range(0, len(stale), BATCH):
            self.client.delete(self.target.collection, ids=stale[lo : lo + BATCH])
        if stale:
            self.client.flush(self.target.collection)
        return len(stale)


def _row(key: int, chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
    date = chunk.date or ""
    return {
        "id": key,
        "vector": np.asarray(vector, dtype=np.float32).tolist(),
        "doc_id": chunk.doc_id,
        "start": chunk.start,
        "end": chunk.end,
        "date": date,
        "year": int(date[:4]) if date[:4].isdigit() else 0,
    }


def _vector_dim(description: dict[str, Any]) -> int:
    for f in description.get("fields", []):
        if f.get("name") == "vector":
            return int(f.get("params", {}).get("dim", 0))
    return 0
