"""Index files are checked before they are served, and the big ones served from a private copy.

A build records every file's size and SHA-256 in the manifest (written last). Loading a
version verifies them first, so a truncated, damaged or swapped file is refused by name and
the service keeps the version it had; indexes from before this record load as they did.

The two vector files used to be memory-mapped in place, and truncating the served version's
``vectors.npy`` killed the server with SIGBUS at its next question. They are now streamed into
a private, nameless temporary file (``O_TMPFILE``: no other process can open, truncate or
replace it), checksummed on the way, and that copy is mapped. This keeps memory as it was: the
pages are file-backed and shared with the page cache, so the resident set grows only with
the rows actually read, instead of by the whole matrix (plus a second copy of the passage
vectors FAISS already holds) as loading them into RAM would. It costs the copy's disk space
while the version is served, and one sequential read, the same read the checksum needs.
What is served is exactly what was verified.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from kotae.errors import IndexCorruptError

FILES = "files"  # manifest key: {relative path: {"size": int, "sha256": hex}}
_BLOCK = 1 << 20
REBUILD = "rebuild it with `kotae index` (it replaces the old index atomically)"


def record(folder: Path, exclude: set[str]) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file under ``folder`` but ``exclude`` (the manifest)."""
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name not in exclude:
            with open(path, "rb") as f:
                files[name] = {"size": path.stat().st_size, "sha256": _sha256(f)}
    return files


def verify(folder: Path, manifest: dict[str, Any], skip: set[str]) -> None:
    """Refuse the version if a recorded file is missing, of another size, or altered.

    Files in ``skip`` are checked while they are copied (:func:`load_array`).
    """
    for name, expected in _recorded(manifest).items():
        if name in skip:
            continue
        path = folder / name
        try:
            size = path.stat().st_size
            _check(path, expected, size, None)
            with open(path, "rb") as f:
                _check(path, expected, size, _sha256(f))
        except OSError as e:
            raise IndexCorruptError(f"index file {path} is unreadable ({e}); {REBUILD}") from e


def load_array(path: Path, manifest: dict[str, Any]) -> np.ndarray:
    """The ``.npy`` array at ``path``, read-only, mapped from a verified private copy."""
    expected = _recorded(manifest).get(path.name)
    copy = _private_file(path.parent.parent)
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(_BLOCK):
            digest.update(block)
            copy.write(block)
    copy.flush()
    if expected is not None:
        _check(path, expected, copy.tell(), digest.hexdigest())
    copy.seek(0)
    version = np.lib.format.read_magic(copy)
    shape, fortran, dtype = (
        np.lib.format.read_array_header_1_0(copy)
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0(copy)
    )
    if int(np.prod(shape)) == 0:
        copy.close()
        return np.zeros(shape, dtype)
    order: Literal["C", "F"] = "F" if fortran else "C"
    array = np.memmap(copy, dtype=dtype, mode="r", offset=copy.tell(), shape=shape, order=order)
    copy.close()  # the mapping keeps its own reference; the file vanishes with it
    return array


def _private_file(near: Path) -> IO[bytes]:
    """A nameless temporary file on the index's disk (else the system's temporary folder)."""
    try:
        return tempfile.TemporaryFile(dir=near, prefix=".kotae-served-")
    except OSError:
        return tempfile.TemporaryFile(prefix="kotae-served-")


def _recorded(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    files = manifest.get(FILES)
    return files if isinstance(files, dict) else {}


def _check(path: Path, expected: dict[str, Any], size: int, sha256: str | None) -> None:
    if size != expected.get("size"):
        raise IndexCorruptError(
            f"index file {path} has {size} bytes, the manifest recorded {expected.get('size')} "
            f"(truncated or replaced); {REBUILD}"
        )
    if sha256 is not None and sha256 != expected.get("sha256"):
        raise IndexCorruptError(
            f"index file {path} does not match the checksum in its manifest (altered after "
            f"the build); {REBUILD}"
        )


def _sha256(f: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := f.read(_BLOCK):
        digest.update(block)
    return digest.hexdigest()
