"""A real Milvus server process for tests and the bench: the standalone server the `milvus`
package on PyPI ships (``pip install 'kotae[milvus]'``), on a free loopback port, its data in a
folder of ours, started, killed, restarted and stopped by its PID.

The package's own ``MilvusServer`` writes the config and unpacks the binary; starting the
process here instead lets a killed server come back on the same ports and data (the package
refuses a port with connections of the killed process still in TIME_WAIT).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MilvusProcess:
    """``milvus run standalone`` with every port on 127.0.0.1 and every file in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        import milvus  # the `milvus` package: the server binary and its config template

        self.data_dir = data_dir
        self.port = free_port()
        self.health_port = free_port()
        config = milvus.MilvusServerConfig(data_dir=str(data_dir), proxy_port=self.port)
        config.resolve()  # free ports for the other components, config into data_dir/configs
        milvus._initialize_data_files(str(data_dir))  # unpack the binary into data_dir/bin
        self.binary = data_dir / "bin" / "milvus"
        self.log = data_dir / "logs" / "milvus.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def start(self, timeout: float = 180) -> None:
        """Start the server and wait until its health check says OK."""
        env = {
            **os.environ,
            "DEPLOY_MODE": "STANDALONE",
            "METRICS_PORT": str(self.health_port),  # serves /healthz
            "MILVUS_RUN_DIR": str(self.data_dir / "run"),
            "LD_LIBRARY_PATH": f"{self.binary.parent}:{os.environ.get('LD_LIBRARY_PATH', '')}",
        }
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.binary), "run", "standalone"],
                cwd=self.data_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"milvus exited with {self.proc.returncode} on start; see {self.log}"
                )
            if self.healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"milvus did not become healthy in {timeout:.0f} s; see {self.log}")

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.health_port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as response:
                return b"OK" in response.read()
        except OSError:
            return False

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL by PID, as a crash or an OOM killer would."""
        self.signal(signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait()

    def stop(self, grace: float = 5) -> None:
        """SIGTERM by PID, SIGKILL after ``grace`` seconds (a graceful stop takes ~30 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
