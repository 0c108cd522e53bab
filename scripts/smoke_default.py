"""The README's first command on the default install, as a new user meets it.

A fresh virtualenv made by `scripts/setup.sh` with no extras (the script `serve.sh` runs), every
runtime module imported there, then `bash scripts/serve.sh` started on a free port, one Japanese
question asked over HTTP, its citation checked against the corpus file at the stated offsets,
and the service stopped by its PID. Issue 25: CI installed the `dev` extra, which hid a runtime
import (scipy) that only it provided, and the README's first command never answered.

Standard library only: it runs before, and without, any kotae environment.
Usage: python3 scripts/smoke_default.py   (prints the time to the first answer)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "普天間飛行場の移設先は？"
READY_WITHIN = 900  # seconds: installing, then embedding the bundled corpus on 2 cores


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN
    last: object = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"serve.sh exited with {server.returncode} before answering", log)
        try:
            status, body = get(f"{base}/readyz")
            last = body.get("build", body)
            if status == 200:
                return
            if isinstance(last, dict) and last.get("state") == "failed":
                fail(f"the index build failed: {last.get('error')}", log)
        except (OSError, ValueError):
            pass  # not listening yet (the virtualenv is still being set up)
        time.sleep(1)
    fail(f"not ready after {READY_WITHIN} s; last /readyz: {last}", log)


def check_answer(base: str) -> str:
    status, body = get(f"{base}/api/ask", {"question": QUESTION})
    if status != 200:
        fail(f"/api/ask answered {status}: {body}")
    citations = body.get("citations")
    if not isinstance(citations, list) or not citations:
        fail(f"no citation in the answer: {body}")
    first = citations[0]
    source = (ROOT / "corpus" / first["doc_id"]).read_text(encoding="utf-8")
    if source[first["start"] : first["end"]] != first["text"]:
        fail(f"citation {first['doc_id']}[{first['start']}:{first['end']}] is not the file's text")
    return str(first["text"])


def fail(message: str, log: Path | None = None) -> None:
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    print(f"smoke test failed: {message}\n{tail}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="kotae-smoke-"))
    venv = work / "venv"
    env = {
        **os.environ,
        "KOTAE_VENV": str(venv),
        "KOTAE_INDEX_DIR": str(work / "index"),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("KOTAE_CORPUS_DIR", None)
    port = free_port()
    log = work / "serve.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        server = subprocess.Popen(
            ["bash", "scripts/serve.sh", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server, log)
        quoted = check_answer(base)
        first_answer = time.monotonic() - started
        imports = subprocess.run(
            [str(venv / "bin" / "python"), "scripts/check_runtime_imports.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if imports.returncode != 0:
            fail(imports.stderr)
    finally:
        server.send_signal(signal.SIGTERM)  # serve.sh execs kotae: this PID is the service
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(30)
    print(imports.stdout.strip())
    print(f"default install answered 「{QUESTION}」 in {first_answer:.0f} s from a fresh venv")
    print(f"cited: {quoted[:60]}…")
    if server.returncode not in (0, -signal.SIGTERM):
        fail(f"the service exited with {server.returncode} when stopped", log)


if __name__ == "__main__":
    main()
