"""`kotae serve` listens at once; a missing or stale index is loaded and built behind it.

A 20 MB document means ~150,000 texts to embed: hours. Building before listening kept the
port closed for all of that time with no sign of progress. Here the build runs in a thread:
the index already on disk (if it loads) is served meanwhile, ``/readyz`` says 503 with the
build's progress until there is an index to serve, and the new version is swapped in exactly
as a reload does (requests in flight finish on the version they started with).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from kotae.errors import KotaeError, describe_failure
from kotae.service.engine import Engine

log = logging.getLogger("kotae")
State = Literal["loading", "checking", "building", "done", "failed"]


@dataclass(frozen=True)
class BuildStatus:
    state: State = "loading"
    embedded: int = 0
    total: int = 0
    error: str | None = None
    skipped: list[str] = field(default_factory=list)  # corpus files not indexed, and why
    cost: str | None = None  # a large build's texts to embed and time, said before it starts

    def describe(self) -> str:
        if self.state == "building":
            return f"building the index: {self.embedded} of {self.total} texts embedded"
        if self.state == "failed":
            return f"building the index failed: {self.error}"
        return {"loading": "loading the index", "checking": "checking the index"}.get(
            self.state, "the index is ready"
        )


class BackgroundBuild:
    """Load what is on disk, then build if needed, in a daemon thread; a progress sink for
    :class:`index.builder.IndexBuilder` (it is called like ``tqdm(total=…)``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._status = BuildStatus()
        self._lock = threading.Lock()
        self._logged = 0.0

    @property
    def status(self) -> BuildStatus:
        return self._status

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="kotae-build", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        """Whatever goes wrong ends the build as "failed" with the reason and the fix: a
        thread that died silently left /readyz saying "building" for ever."""
        try:
            built = self._run()
        except Exception as e:
            error = describe_failure(e)
            # one record: a known failure as its message, anything else with its traceback
            (log.error if isinstance(e, KotaeError) else log.exception)(
                "index build failed: %s", error
            )
            self._set(state="failed", error=error)
            return
        if built:
            log.info("serving the new index (%s)", self.engine.loaded.snapshot.path)

    def _run(self) -> bool:
        self._load("the index on disk")
        self._set(state="checking")
        log.info("index of %s", self.engine.source.describe())
        built = self.engine.ensure_index(progress=self, notify=self._say_cost)
        if built:
            self._report_skipped()
        with self._lock:  # the new index and "done" become visible to /readyz together
            if built or not self.engine.ready:
                self.engine.load()
            self._status = replace(self._status, state="done")
        return built

    def _say_cost(self, cost: str) -> None:
        log.warning("%s", cost)
        self._set(cost=cost)

    @contextmanager
    def settled(self) -> Iterator[None]:
        """Read readiness and build state inside this, so they are never seen half-changed."""
        with self._lock:
            yield

    def _report_skipped(self) -> None:
        report = self.engine.last_build
        skipped = report.skipped if report is not None else []
        for s in skipped:
            log.warning("skipped %s: %s", s.path, s.reason)
        self._set(skipped=[f"{s.path}: {s.reason}" for s in skipped])

    def _load(self, what: str) -> None:
        try:
            self.engine.load()
            log.info("serving %s (%s)", what, self.engine.loaded.snapshot.path)
        except KotaeError as e:
            log.info("not serving %s yet: %s", what, e)

    # The tqdm-like interface IndexBuilder reports embedding progress through.
    def __call__(self, total: int = 0, **_: Any) -> BackgroundBuild:
        self._set(state="building", embedded=0, total=total)
        return self

    def update(self, n: int) -> None:
        with self._lock:
            self._status = replace(self._status, embedded=self._status.embedded + n)
        if time.monotonic() - self._logged > 10:
            self._logged = time.monotonic()
            log.info("%s", self._status.describe())

    def close(self) -> None:
        pass

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self._status), "detail": self._status.describe()}
