"""What a fitted file records about its making: the command, the data's sha256, the commit.

Every path is written as the repository names it — relative to its root, or ``../shared/…`` for
the shared data beside the checkout — never as one machine's path. An index folder is named by
the folder it was built from (``{index:corpus}``, read from its manifest), and its data is that
folder's files. A folder's digest is the sha256 of its files' ``sha256  path`` lines, sorted,
so it can be recomputed from any copy (or from git: ``git archive``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kotae.index.source import recorded_corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED = "../shared"  # the shared data folder beside the checkout (or beside the worktrees)


def _bases() -> list[tuple[Path, str]]:
    """Where a data path may lie, and the prefix it is written with."""
    shared = [(p / "shared", SHARED) for p in (ROOT.parent, ROOT.parent.parent)]
    return [(ROOT, ""), *shared]


def portable(path: Path) -> str:
    """``path`` as the repository names it; an index as ``{index:FOLDER}``. A path outside
    (another checkout's ``corpus/``) takes the name of the repository's copy holding the same
    bytes, else ``{NAME}``: named, never placed."""
    real = Path(os.path.realpath(path))
    corpus = recorded_corpus(real)
    if corpus is not None:
        return "{index:" + portable(corpus) + "}"
    for base, prefix in _bases():
        if real.is_relative_to(base.resolve()):
            return _join(prefix, real.relative_to(base.resolve()).as_posix())
    for i in range(1, len(real.parts)):
        tail = Path(*real.parts[i:])
        for base, prefix in _bases():
            twin = base / tail
            if twin.exists() and real.exists() and digest(twin) == digest(real):
                return _join(prefix, tail.as_posix())
    return "{" + real.name + "}"


def _join(prefix: str, rel: str) -> str:
    return f"{prefix}/{rel}" if prefix else (rel or ".")


def portable_arg(word: str) -> str:
    """A command-line word with each path in it (``INDEX:QUESTIONS`` too) made portable."""
    return ":".join(portable(Path(p)) if "/" in p else p for p in word.split(":"))


def data_of(path: Path) -> Path:
    """The data behind ``path``: an index's corpus folder, else the path itself."""
    return recorded_corpus(Path(os.path.realpath(path))) or path


def digest(path: Path) -> str:
    """sha256 of a file's bytes, or of a folder's ``sha256  relative/path`` lines."""
    if not path.exists():
        raise FileNotFoundError(f"no data at {path}: provenance hashes what a fit read")
    if path.is_file():
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    lines = sorted(
        f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.relative_to(path).as_posix()}\n"
        for f in path.rglob("*")
        if f.is_file()
    )
    return "sha256:" + hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def commit() -> str:
    """The checkout's commit, marked when the working tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+changes" if dirty else "")


def provenance(module: str, args: Iterable[str], data: Iterable[Path]) -> dict[str, Any]:
    """The record a fitting script writes beside its weights (key ``provenance``)."""
    words = ["python", "-m", module, *(portable_arg(a) for a in args)]
    read = {portable(data_of(p)): digest(data_of(p)) for p in data}
    return {"command": " ".join(words), "commit": commit(), "data": dict(sorted(read.items()))}
