"""Probe a real `kotae serve` as an attacker and a careless user would; print what happened.

    python scripts/probe_hostile.py /path/to/built/index   # e.g. a copy of a built index

Runs on copies in a temporary folder: the bundled corpus plus hostile files (ﷺ text, a
symlink to /etc/passwd, a newline in a name, markup), served with an admin token and access
log on. Prints one line per probe; the README's reliability section records a run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "probe-token-81f3"
NORMAL = "普天間飛行場の移設先は？"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hostile_corpus(folder: Path) -> Path:
    shutil.copytree(ROOT / "corpus", folder)
    (folder / "預言者.txt").write_text("預言者" + "\ufdfa" * 20, encoding="utf-8")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    (folder / "evil\nname.txt").write_text("改行を含む名前の文書。", encoding="utf-8")
    (folder / "xss.html").write_text(
        "<title>x<script>alert(1)</script></title><p>危険 <img src=x onerror=alert(1)></p>",
        encoding="utf-8",
    )
    return folder


def report(name: str, outcome: object) -> None:
    print(f"{name:44s} {outcome}")


def timed(c: httpx.Client, method: str, url: str, **kw: object) -> tuple[int, float]:
    started = time.perf_counter()
    r = c.request(method, url, **kw)  # type: ignore[arg-type]
    return r.status_code, round(time.perf_counter() - started, 2)


def main() -> None:
    built = Path(os.path.realpath(sys.argv[1]))
    work = Path(tempfile.mkdtemp(prefix="kotae-probe-"))
    corpus = hostile_corpus(work / "corpus")
    version = Path(shutil.copytree(built, work / "idx" / "index.v0-copy"))
    os.symlink(version.name, work / "idx" / "index")
    port = free_port()
    env = {**os.environ, "KOTAE_ADMIN_TOKEN": TOKEN, "KOTAE_RELOAD_INTERVAL": "1"}
    log = open(work / "server.log", "w")
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "kotae.cli.main", "serve", "--port", str(port)]
        + ["--corpus", str(corpus), "--index-dir", str(work / "idx" / "index")],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as c:
            while True:
                try:
                    first = c.get("/readyz")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            listen = time.perf_counter() - started
            report(
                "listening after (s)",
                f"{listen:.1f}; /readyz {first.status_code} {first.text[:120]}",
            )
            progress = []
            while True:
                r = c.get("/readyz")
                build = r.json().get("build") or {}
                progress.append((r.status_code, build.get("state"), build.get("embedded")))
                if build.get("state") in ("done", "failed"):
                    break
                time.sleep(0.5)
            report("stale index served during build", sorted({p[:2] for p in progress}))
            report("build", f"{build.get('state')} after {time.perf_counter() - started:.0f} s")
            docs = c.get("/readyz").json()["documents"]
            report("documents served (5 + ﷺ file + xss.html)", docs)
            out = server_log(work)
            report(
                "skipped reported: passwd.txt, evil\\nname",
                ["passwd.txt" in out, "evil\\nname" in out],
            )
            for path in (
                "passwd.txt",
                "..%2f..%2fetc%2fpasswd",
                "%2fetc%2fpasswd",
                "evil%0Aname.txt",
            ):
                report(f"GET /api/documents/{path}", c.get(f"/api/documents/{path}").status_code)
            report("GET /api/documents/預言者.txt", c.get("/api/documents/預言者.txt").status_code)
            fdfa = "\ufdfa" * 2000
            report(
                "2,000 × ﷺ /api/ask (status, s)",
                timed(c, "POST", "/api/ask", json={"question": fdfa}),
            )
            report(
                "2,000 × ﷺ /api/ask/stream",
                timed(c, "POST", "/api/ask/stream", json={"question": fdfa}),
            )
            report("2,000 × ﷺ /api/search", timed(c, "GET", "/api/search", params={"q": fdfa}))
            report("2,001 chars", timed(c, "POST", "/api/ask", json={"question": fdfa + "x"}))
            xss = c.post("/api/ask", json={"question": "<script>alert(1)</script>危険"})
            report(
                "XSS question: JSON, CSP",
                [
                    xss.headers["content-type"],
                    "script-src 'self'" in xss.headers["content-security-policy"],
                ],
            )
            report("oversized body", c.post("/api/ask", content=b"x" * 70_000).status_code)
            report(
                "malformed JSON",
                c.post(
                    "/api/ask",
                    content=b'{"question": ',
                    headers={"content-type": "application/json"},
                ).status_code,
            )
            report(
                "wrong types", c.post("/api/ask", json={"question": 1, "top_k": "x"}).status_code
            )
            report("?token= (refused)", c.post(f"/api/admin/reload?token={TOKEN}").status_code)
            report(
                "Authorization header",
                c.post(
                    "/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}
                ).status_code,
            )
            report("/docs external URLs", "https://" in c.get("/docs").text)
            report("/redoc", c.get("/redoc").status_code)
            served = Path(os.path.realpath(work / "idx" / "index"))
            for name in ("vectors.npy", "sentence_vectors.npy"):
                os.truncate(served / name, 100)
            report(
                "truncated served vectors → ask",
                timed(c, "POST", "/api/ask", json={"question": NORMAL}),
            )
            r = c.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
            report("reload of the truncated version", f"{r.status_code} {r.json()['detail'][:90]}")
            report("still answering", c.post("/api/ask", json={"question": NORMAL}).status_code)
            load(c)
        report("server alive", server.poll() is None)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    out = server_log(work)
    report("token in the server log", TOKEN in out)
    report("5xx in the access log", [line for line in out.splitlines() if '" 5' in line][:3])
    shutil.rmtree(work, ignore_errors=True)


def server_log(work: Path) -> str:
    return (work / "server.log").read_text(encoding="utf-8", errors="replace")


def load(c: httpx.Client) -> None:
    """p50 of a normal question alone, then while 4 clients send 2,000-character questions."""

    def p50(n: int = 30) -> float:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            c.post("/api/ask", json={"question": NORMAL})
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    alone = p50()
    stop = threading.Event()
    statuses: list[int] = []
    long_q = "普天間飛行場の移設先と嘉手納以南の土地返還について教えてください。" * 60

    def hammer() -> None:
        with httpx.Client(base_url=str(c.base_url), timeout=120) as h:
            while not stop.is_set():
                statuses.append(h.post("/api/ask", json={"question": long_q[:2000]}).status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    loaded = p50()
    stop.set()
    for t in threads:
        t.join()
    report("normal p50 ms alone / with 4 long clients", f"{alone:.0f} / {loaded:.0f}")
    report("long-question statuses", json.dumps(sorted(set(statuses))) + f" ×{len(statuses)}")


if __name__ == "__main__":
    main()
