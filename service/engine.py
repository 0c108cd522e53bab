"""The loaded model and index, shared by the API and the CLI: one place that answers."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotae.errors import IndexCorruptError, KotaeError
from kotae.index.builder import BuildReport, IndexBuilder, is_current
from kotae.index.embedders import Embedder, make_embedder
from kotae.index.question import Question, read_question
from kotae.index.search import Filters, Hit, QueryEncoder, Ranking, Retriever, RetrieverName
from kotae.index.snapshot import MANIFEST, Snapshot, check_embedder
from kotae.index.source import check_may_replace, following_index
from kotae.service.abstain import Calibration, years_missing
from kotae.service.answer import Answer, compose_answer
from kotae.service.reading import ReaderStage, default_stage, short_choice
from kotae.service.rerank import reranker_for
from kotae.service.short_answer import ShortAnswerFinder, short_answer_of
from kotae.settings import Settings

log = logging.getLogger("kotae")
VersionKey = tuple[str, int | None]


@dataclass(frozen=True)
class Loaded:
    """One consistent (snapshot, retriever) pair; swapped as a whole on reload."""

    snapshot: Snapshot
    retriever: Retriever
    calibration: Calibration = Calibration()  # what unrelated questions score on this index


class Engine:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        # No folder given: the one the index was built from (a user's own folder is never
        # rebuilt from the default corpus/ behind their back).
        self.settings, self.source = following_index(settings)
        self.embedder = embedder or make_embedder(settings)
        self.encoder = QueryEncoder(
            self.embedder,
            max_batch=settings.query_batch_size,
            max_inflight=settings.query_concurrency,
            threads=settings.query_threads,
        )
        self._loaded: Loaded | None = None
        self._reload_lock = threading.Lock()
        self._seen: VersionKey | None = None  # the version last loaded, or last failed to load
        self.last_build: BuildReport | None = None  # what ensure_index built, if it did

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:
            raise RuntimeError("index not loaded yet")
        return self._loaded

    def ensure_index(
        self,
        progress: Callable[..., Any] | None = None,
        notify: Callable[[str], None] = log.warning,
    ) -> bool:
        """Build the index if it is missing or stale; True when a build ran.

        An unreadable index is rebuilt too; if that rebuild fails, the error names both.
        """
        if is_current(self.settings, self.embedder):
            return False
        if self.source.followed and not self.settings.corpus_dir.is_dir():
            log.warning(
                "the folder %s this index was built from is gone: serving the index as it is "
                "(give --corpus to build from another folder)",
                self.settings.corpus_dir,
            )
            return False
        corrupt: IndexCorruptError | None = None
        try:
            Snapshot.load(self.settings.index_dir, self.settings)
        except IndexCorruptError as e:
            corrupt = e
        except KotaeError:
            pass  # missing or built another way: the build below is the fix
        try:
            self.last_build = IndexBuilder(self.settings, self.embedder, progress, notify).build()
        except (KotaeError, FileNotFoundError) as e:
            if corrupt is None:
                raise
            raise IndexCorruptError(f"{corrupt}; rebuilding it failed too: {e}") from e
        return True

    def check_may_build(self) -> None:
        """Raise now, not in a background build, if the index would need a build that
        replaces another folder's index without ``KOTAE_REPLACE_INDEX``."""
        if not self.source.followed and not is_current(self.settings, self.embedder):
            check_may_replace(self.settings)

    def load(self) -> Snapshot:
        """Load (or reload) the index; requests in flight keep the version they started with.

        On failure the index being served stays, untouched.
        """
        with self._reload_lock:
            self._seen = version_key(self.settings.index_dir)
            snapshot = Snapshot.load(self.settings.index_dir, self.settings)
            check_embedder(
                snapshot.manifest,
                self.embedder.identity(),
                snapshot.path or self.settings.index_dir,
            )
            retriever = self.retriever_for(snapshot, self.settings.retriever)
            self.reader_stage()  # loaded once, here: a broken model fails the load, not a request
            self._loaded = Loaded(snapshot, retriever, Calibration.measure(retriever))
            if snapshot.path is not None:
                self._seen = version_key(snapshot.path)
            return snapshot

    def reload_if_changed(self) -> bool:
        """Load the index if `KOTAE_INDEX_DIR` now points at another version; True if it did.

        A version that fails to load is logged once and not retried until it changes again,
        while the previous index keeps being served.
        """
        if version_key(self.settings.index_dir) == self._seen:
            return False
        try:
            snapshot = self.load()
        except KotaeError as e:
            log.error("new index not loaded, still serving the previous one: %s", e)
            return False
        log.info("loaded index version %s", snapshot.path)
        return True

    def watch(self, interval: float) -> threading.Event:
        """Check every ``interval`` seconds for a new index version, in a daemon thread.

        Set the returned event to stop watching.
        """
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    self.reload_if_changed()
                except Exception:  # never let the watch die: the next tick retries
                    log.exception("index watch failed")

        threading.Thread(target=loop, name="kotae-index-watch", daemon=True).start()
        return stop

    def retriever_for(self, snapshot: Snapshot, kind: RetrieverName) -> Retriever:
        """The first stage for ``kind``; hybrid gets the fitted reranker (``KOTAE_RERANK``)."""
        rerank = self.settings.rerank and kind == "hybrid"
        return Retriever(
            snapshot,
            self.encoder,
            Ranking.from_settings(self.settings, kind),
            reranker_for(snapshot, self.settings.rerank_depth) if rerank else None,
        )

    def search(
        self,
        question: str | Question,
        k: int = 5,
        filters: Filters | None = None,
        loaded: Loaded | None = None,
    ) -> list[Hit]:
        """Ranked passages; pass ``loaded`` to pin the version a request already uses."""
        return (loaded or self.loaded).retriever.search(question, k, filters)

    def compose(
        self, question: str | Question, hits: list[Hit], loaded: Loaded | None = None
    ) -> Answer:
        """The extractive answer from passages already retrieved (the query vector is cached)."""
        loaded = loaded or self.loaded
        return compose_answer(
            question,
            hits,
            loaded.snapshot,
            self.encoder(question.text if isinstance(question, Question) else question),
            loaded.calibration,
            self.reader_stage(),
        )

    def reader_stage(self) -> ReaderStage | None:
        """The reader as answers use it, or None when ``Settings.reader`` is off."""
        return default_stage() if self.settings.reader else None

    def ask(
        self,
        question: str,
        k: int = 5,
        filters: Filters | None = None,
        loaded: Loaded | None = None,
        depth: int = 0,
    ) -> Answer:
        """The extractive answer from the top ``k`` passages; ``depth`` ranks more (kept in
        ``Answer.ranked``; the first ``k`` are the same whatever the depth: one fixed pool)."""
        started = time.perf_counter()
        loaded = loaded or self.loaded
        read = read_question(question, loaded.snapshot.lexical)  # once: retrieval and answer
        hits = loaded.retriever.search(read, max(k, depth), filters)
        answer = self.compose(read, hits[:k], loaded)
        answer.ranked = hits
        hand = short_answer_of(
            answer, ShortAnswerFinder(loaded.snapshot.lexical), loaded.snapshot.documents
        )
        answer.short = short_choice(answer.question, answer.short, hand)
        if years_missing(read, hits[:k]) == 1.0:
            # 「2023年の…はどこ」 over passages none of which writes or is dated 2023: a 答え chip
            # would state a fact for that year that no cited passage can show; the quotes stay.
            answer.short = None
        answer.took_ms = (time.perf_counter() - started) * 1000
        return answer


def version_key(index_dir: Path) -> VersionKey:
    """What identifies the index version on disk: the folder the link resolves to, and when
    its manifest (written last by a build) was written."""
    path = os.path.realpath(index_dir)
    try:
        mtime: int | None = os.stat(os.path.join(path, MANIFEST)).st_mtime_ns
    except OSError:
        mtime = None
    return path, mtime
