"""The loaded model and index, shared by the API and the CLI: one place that answers."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from index.builder import IndexBuilder, is_current
from index.embedders import Embedder, make_embedder
from index.search import Filters, Hit, QueryEncoder, Retriever, RetrieverName
from index.snapshot import Snapshot, check_embedder
from kotae.settings import Settings
from service.answer import Answer, compose_answer


@dataclass(frozen=True)
class Loaded:
    """One consistent (snapshot, retriever) pair; swapped as a whole on reload."""

    snapshot: Snapshot
    retriever: Retriever


class Engine:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.encoder = QueryEncoder(self.embedder)
        self._loaded: Loaded | None = None
        self._reload_lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:
            raise RuntimeError("index not loaded yet")
        return self._loaded

    def ensure_index(self) -> bool:
        """Build the index if it is missing or stale; True when a build ran."""
        if is_current(self.settings, self.embedder):
            return False
        IndexBuilder(self.settings, self.embedder).build()
        return True

    def load(self) -> Snapshot:
        """Load (or reload) the index; requests in flight keep the version they started with."""
        with self._reload_lock:
            snapshot = Snapshot.load(self.settings.index_dir)
            check_embedder(
                snapshot.manifest,
                self.embedder.identity(),
                snapshot.path or self.settings.index_dir,
            )
            self._loaded = Loaded(snapshot, self.retriever_for(snapshot, self.settings.retriever))
            return snapshot

    def retriever_for(self, snapshot: Snapshot, kind: RetrieverName) -> Retriever:
        s = self.settings
        return Retriever(
            snapshot, self.encoder, kind, s.lexical_weight, s.sentence_weight, s.year_boost
        )

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        return self.loaded.retriever.search(question, k, filters)

    def ask(self, question: str, k: int = 5, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        loaded = self.loaded
        hits = loaded.retriever.search(question, k, filters)
        answer = compose_answer(
            question, hits, loaded.snapshot, self.encoder(question), self.settings.min_score
        )
        answer.took_ms = (time.perf_counter() - started) * 1000
        return answer
