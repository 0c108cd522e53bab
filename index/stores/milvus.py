"""Passage vectors in Milvus (a server or cluster, or embedded milvus-lite): the same contract
as FAISS, for collections that outgrow one machine.

Each index version has its own collection, named after what it holds
(``<KOTAE_MILVUS_COLLECTION>_<16 hex digits>``, so an unchanged rebuild finds it complete and
writes nothing). `kotae index` fills it, flushes it, builds its vector index and loads it
*before* publishing the version folder, so the first search of the new version sees every row;
then it points the alias ``<KOTAE_MILVUS_COLLECTION>`` at it, keeps the collection it replaced
under ``<KOTAE_MILVUS_COLLECTION>_previous`` (a service still serving that version keeps
working until it reloads) and drops the older ones. A service searches the collection its
loaded version names (``milvus.json`` in the version folder), never the alias, so a re-index
never changes what a request in flight sees. Row ids are positions in the passage table.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from kotae.errors import IndexMismatchError, StoreUnavailableError, VectorStoreError
from kotae.index.stores.base import FilterSpec, Kind, VectorStore, choose_kind
from kotae.index.stores.faiss import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M
from kotae.ingest.records import Chunk
from kotae.settings import Settings

MAX_TOPK = 16_384  # Milvus' largest search limit
BATCH = 1_000
DOC_ID_MAX = 1_024
FILE = "milvus.json"
PREVIOUS = "_previous"
INSTALL_HINT = "install the Milvus client with `pip install 'kotae[milvus]'`"

log = logging.getLogger("kotae")
_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class MilvusTarget:
    """Where the rows live. ``uri`` is a server URL or an absolute milvus-lite file path;
    ``collection`` the alias of the current version (and the prefix of every version)."""

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

    def versions(self, names: list[str]) -> list[str]:
        """The version collections of this alias among ``names``."""
        own = re.compile(re.escape(self.collection) + r"_[0-9a-f]{16}")
        return [n for n in names if own.fullmatch(n)]


@dataclass(frozen=True)
class VectorIndex:
    """A Milvus vector index: its type, build parameters and search parameters."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Any] = field(default_factory=dict)

    def search_params(self, k: int) -> dict[str, Any]:
        params = dict(self.search)
        if "ef" in params:  # HNSW answers at most ef neighbours
            params["ef"] = max(int(params["ef"]), k)
        return {"metric_type": "IP", "params": params}


def index_choices(kind: Kind, n_vectors: int) -> list[VectorIndex]:
    """The indexes to ask Milvus for, best first; the first it accepts is used and recorded.

    FLAT is exact. HNSW gets FAISS's parameters. IVF_FLAT is for a Milvus without HNSW (older
    milvus-lite builds FLAT, IVF_FLAT and AUTOINDEX only): ~4·√n lists, an eighth of them
    probed. AUTOINDEX last, for managed clusters that build nothing else.
    """
    auto = VectorIndex("AUTOINDEX")
    if kind == "flat":
        return [VectorIndex("FLAT"), auto]
    nlist = max(1, min(65_536, round(4 * math.sqrt(n_vectors))))
    return [
        VectorIndex(
            "HNSW",
            {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION},
            {"ef": HNSW_EF_SEARCH},
        ),
        VectorIndex("IVF_FLAT", {"nlist": nlist}, {"nprobe": max(1, min(nlist, nlist // 8 + 8))}),
        auto,
    ]


def version_name(alias: str, kind: Kind, chunks: list[Chunk], vectors: np.ndarray) -> str:
    """The collection of a version: the alias and a hash of the rows and the index kind."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{kind}\0{vectors.shape}\0".encode())
    for c in chunks:
        h.update("\0".join([c.doc_id, str(c.start), str(c.end), c.date or "", c.text]).encode())
        h.update(b"\1")
    h.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return f"{alias}_{h.hexdigest()}"


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
                    f"cannot connect to Milvus at {target.identity()['uri']} ({reason(e)}); "
                    "check KOTAE_MILVUS_URI / KOTAE_MILVUS_TOKEN"
                ) from e
        return _clients[key]


def reason(e: BaseException) -> str:
    """Milvus' own message, on one line: pymilvus wraps it in a repr with its code, gRPC
    errors carry a status and details."""
    message = getattr(e, "message", None)
    if message:
        return str(message)
    code, details = getattr(e, "code", None), getattr(e, "details", None)
    if callable(code) and callable(details):  # grpc.RpcError
        name = getattr(code(), "name", code())
        return f"{name}: {details()}"
    return " ".join(str(e).split()) or type(e).__name__


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
    """The passages of one snapshot, searched in the Milvus collection of its version.

    Connects on first use, so loading a snapshot to reuse its vectors needs no server.
    """

    kind = "milvus"
    file = FILE

    def __init__(
        self,
        target: MilvusTarget,
        collection: str,
        kind: Kind,
        indexes: list[VectorIndex],
        size: int,
        dim: int,
        timeout: float = 10.0,
    ) -> None:
        self.target = target
        self.collection = collection  # "" for an index from before version collections
        self._kind = kind
        self._choices = indexes
        self.index = indexes[0]  # the one the collection has, once written or loaded
        self._size = size
        self.dim = dim
        self.timeout = timeout

    @property
    def size(self) -> int:
        return self._size

    @property
    def index_kind(self) -> str:
        return self._kind

    @classmethod
    def identity(cls, settings: Settings) -> dict[str, str]:
        return MilvusTarget.from_settings(settings).identity()

    @classmethod
    def build(cls, settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> MilvusStore:
        """Exact (FLAT) or HNSW by size, as the FAISS store chooses."""
        kind = choose_kind(settings.ann, len(chunks), settings.hnsw_threshold)
        target = MilvusTarget.from_settings(settings)
        name = version_name(target.collection, kind, chunks, vectors)
        dim = int(vectors.shape[1])
        choices = index_choices(kind, len(chunks))
        return cls(target, name, kind, choices, len(chunks), dim, settings.milvus_timeout)

    @classmethod
    def load(
        cls,
        recorded: dict[str, Any],
        folder: Path,
        chunks: list[Chunk],
        vectors: np.ndarray,
        settings: Settings,
    ) -> MilvusStore:
        """The version's collection; with the configured token when it is the configured one."""
        configured = MilvusTarget.from_settings(settings)
        target = MilvusTarget(recorded["uri"], recorded["collection"], configured.token)
        if target.identity() == configured.identity():
            target = configured  # the configured URI may carry credentials the manifest omits
        dim = int(vectors.shape[1])
        path = folder / FILE
        if not path.exists():  # kotae before version collections: one collection, row ids
            legacy = [VectorIndex("FLAT")]
            return cls(target, "", "flat", legacy, len(chunks), dim, settings.milvus_timeout)
        saved = json.loads(path.read_text(encoding="utf-8"))
        index = VectorIndex(**saved["index"])
        kind: Kind = "hnsw" if saved["kind"] == "hnsw" else "flat"
        return cls(
            target, saved["collection"], kind, [index], len(chunks), dim, settings.milvus_timeout
        )

    @property
    def client(self) -> Any:
        return connect(self.target)

    @property
    def where(self) -> str:
        return f"Milvus at {self.target.identity()['uri']}"

    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        filters: FilterSpec | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosine scores of the ``k`` nearest passages of this snapshot.

        Any failure (server down, restarting, collection not loaded yet) is a
        ``StoreUnavailableError`` carrying Milvus' reason: the API answers 503 with it.
        """
        k = min(k, self.size, MAX_TOPK)
        if k <= 0 or (allowed is not None and not len(allowed)):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        try:
            result = self.client.search(
                self.collection,
                data=[np.asarray(query, dtype=np.float32).tolist()],
                anns_field="vector",
                limit=k,
                filter=filter_expression(filters),
                search_params=self.index.search_params(k),
                consistency_level="Bounded",  # see _check_rows: Strong would add ~200 ms
                timeout=self.timeout,
            )
        except Exception as e:  # pymilvus, gRPC and connection errors alike
            raise StoreUnavailableError(
                f"{self.where} did not answer a search of collection {self.collection!r}: "
                f"{reason(e)}"
            ) from e
        hits = [(int(h["id"]), float(h["distance"])) for h in result[0]]
        hits = [(i, s) for i, s in hits if 0 <= i < self.size]
        return (
            np.array([i for i, _ in hits], dtype=np.int64),
            np.array([s for _, s in hits], dtype=np.float32),
        )

    def save(self, folder: Path) -> None:
        """Name the version's collection and the index it has (the rows live in Milvus)."""
        saved = {"collection": self.collection, "kind": self._kind, "index": asdict(self.index)}
        (folder / FILE).write_text(json.dumps(saved, indent=1), encoding="utf-8")

    def verify(self) -> None:
        """Refuse a collection that is missing or holds vectors of another size; load it."""
        if not self.collection:
            raise IndexMismatchError(
                "this index was built by an older kotae that kept every version in one Milvus "
                "collection: rebuild it with `kotae index` (its vectors are reused)"
            )
        try:
            self._verify()
        except VectorStoreError:
            raise
        except Exception as e:  # pymilvus and gRPC errors: unreachable, unauthorised, …
            raise VectorStoreError(f"{self.where} failed: {reason(e)}") from e

    def _verify(self) -> None:
        client, name = self.client, self.collection
        if not client.has_collection(name):
            raise VectorStoreError(
                f"collection {name!r} (this index version's vectors) not found in {self.where}: "
                "rebuild it with `kotae index`"
            )
        dim = _vector_dim(client.describe_collection(name))
        if dim != self.dim:
            raise VectorStoreError(
                f"collection {name!r} in {self.where} holds {dim}-dimensional vectors, the index "
                f"{self.dim}: rebuild it with `kotae index`"
            )
        client.load_collection(name)

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> int:
        """Write, index and load this version's collection unless it is complete; rows written.

        Complete means indexed: the index is built only after every row was inserted and
        flushed, so a collection without one is what a killed build left, and is rewritten.
        """
        client, name = self.client, self.collection
        self._check_alias()
        if client.has_collection(name):
            if client.list_indexes(name):
                self.index = self._existing_index()
                client.load_collection(name)
                self._check_rows()
                return 0
            client.drop_collection(name)
        self._create()
        for lo in range(0, self.size, BATCH):
            hi = min(lo + BATCH, self.size)
            client.insert(name, [_row(i, chunks[i], vectors[i]) for i in range(lo, hi)])
        client.flush(name)  # seal every row, so the index covers them all
        self.index = self._create_index()
        client.load_collection(name)  # waits until searchable
        self._check_rows()
        return self.size

    def _check_rows(self) -> None:
        """Count the rows with Strong consistency: Milvus answers once every acknowledged write
        is visible, so the version is complete before it is published. It is never written
        again, which is why searches may use Bounded consistency: a Strong search waits for
        the server's next time tick (~200 ms each) to catch writes that can no longer come."""
        result = self.client.query(
            self.collection, filter="", output_fields=["count(*)"], consistency_level="Strong"
        )
        rows = int(result[0]["count(*)"])
        if rows != self.size:
            raise VectorStoreError(
                f"collection {self.collection!r} in {self.where} holds {rows} rows, the index "
                f"{self.size}: drop it and run `kotae index` again"
            )

    def publish(self) -> int:
        """Point the alias at this version, keep the one it replaces as ``<alias>_previous``,
        drop the other versions; rows dropped."""
        client, alias = self.client, self.target.collection
        current = self._alias_target(alias)
        if current != self.collection:
            if current:
                self._point(alias + PREVIOUS, current)
            self._point(alias, self.collection)
        keep = {self.collection, self._alias_target(alias + PREVIOUS)}
        dropped = 0
        for name in self.target.versions(client.list_collections()):
            if name not in keep:
                dropped += int(client.get_collection_stats(name).get("row_count", 0))
                client.drop_collection(name)
        return dropped

    def _check_alias(self) -> None:
        alias = self.target.collection
        if alias in self.client.list_collections():
            raise VectorStoreError(
                f"{self.where} has a collection named {alias!r} where kotae keeps the alias of "
                "the current version (an older kotae kept every version in that one "
                "collection): drop it, or set KOTAE_MILVUS_COLLECTION to another name"
            )

    def _alias_target(self, alias: str) -> str:
        client = self.client
        if alias not in client.list_aliases().get("aliases", []):
            return ""
        return str(client.describe_alias(alias)["collection_name"])

    def _point(self, alias: str, collection: str) -> None:
        client = self.client
        if alias in client.list_aliases().get("aliases", []):
            client.alter_alias(collection, alias)
        else:
            client.create_alias(collection, alias)

    def _create(self) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)  # position in the passage table
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=DOC_ID_MAX)
        schema.add_field("start", DataType.INT64)
        schema.add_field("end", DataType.INT64)
        schema.add_field("date", DataType.VARCHAR, max_length=16)
        schema.add_field("year", DataType.INT32)
        # Strong: a search waits for every write acknowledged before it (no stale reads).
        self.client.create_collection(self.collection, schema=schema, consistency_level="Strong")

    def _create_index(self) -> VectorIndex:
        """The first of the choices this Milvus builds (waits until it is built)."""
        client, name = self.client, self.collection
        failures = []
        for choice in self._choices:
            params = client.prepare_index_params()
            params.add_index(
                "vector", index_type=choice.type, metric_type="IP", params=dict(choice.params)
            )
            try:
                client.create_index(name, params)
                return choice
            except Exception as e:  # refused: this Milvus lacks the type or its parameters
                failures.append(f"{choice.type}: {reason(e)}")
                log.warning("%s did not build a %s index (%s)", self.where, choice.type, reason(e))
                if client.list_indexes(name):
                    client.drop_index(name, "vector")
        raise VectorStoreError(
            f"{self.where} built none of the vector indexes kotae asks for: {'; '.join(failures)}"
        )

    def _existing_index(self) -> VectorIndex:
        """The choice matching the index the collection already has."""
        built = self.client.describe_index(self.collection, "vector").get("index_type", "")
        same = [c for c in self._choices if c.type == built]
        return same[0] if same else VectorIndex(str(built))


def _row(position: int, chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
    date = chunk.date or ""
    return {
        "id": position,
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
