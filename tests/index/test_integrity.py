"""Index files are checked against the manifest before they are served; the served version's
vector files cannot be pulled from under the server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kotae.errors import IndexCorruptError
from kotae.index.integrity import FILES
from kotae.index.snapshot import MANIFEST, SENTENCE_VECTORS, VECTORS, Snapshot
from kotae.settings import Settings
from tests.conftest import BuiltIndex

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def version(tmp_path: Path, small_index: BuiltIndex) -> Path:
    return Path(shutil.copytree(small_index.version, tmp_path / "idx" / "index.vcopy"))


def test_the_manifest_records_every_file_with_size_and_checksum(version: Path) -> None:
    files = json.loads((version / MANIFEST).read_text(encoding="utf-8"))[FILES]
    on_disk = {
        p.relative_to(version).as_posix(): p.stat().st_size
        for p in version.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    assert {name: f["size"] for name, f in files.items()} == on_disk
    assert VECTORS in files and any(name.startswith("lexical/") for name in files)
    assert all(len(f["sha256"]) == 64 for f in files.values())


@pytest.mark.parametrize("name", ["chunks.json", VECTORS, SENTENCE_VECTORS, "chunks.faiss"])
def test_an_altered_file_of_the_same_size_is_refused_by_name(version: Path, name: str) -> None:
    path = version / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01  # one bit: every parser would accept it
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as error:
        Snapshot.load(version, Settings(index_dir=version))
    assert name in str(error.value) and "checksum" in str(error.value)


def test_a_truncated_or_missing_file_is_refused_by_name(version: Path) -> None:
    vectors = version / VECTORS
    vectors.write_bytes(vectors.read_bytes()[:200])
    with pytest.raises(IndexCorruptError, match="vectors.npy has 200 bytes"):
        Snapshot.load(version, Settings(index_dir=version))
    vectors.unlink()
    with pytest.raises(IndexCorruptError, match="vectors.npy"):
        Snapshot.load(version, Settings(index_dir=version))


def test_an_index_from_before_checksums_still_loads(version: Path) -> None:
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    del manifest[FILES]
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert len(Snapshot.load(version, Settings(index_dir=version)).chunks) > 0


SERVE_THEN_TRUNCATE = """
import os, sys
from pathlib import Path
from kotae.errors import IndexCorruptError
from kotae.settings import Settings
from kotae.settings import Settings
from kotae.service.engine import Engine
version, link = Path(sys.argv[1]), Path(sys.argv[2])
os.symlink(version, link)
engine = Engine(Settings(index_dir=link, corpus_dir=version))
engine.load()
before = engine.ask("普天間飛行場の移設先は？").citations
for name in ("vectors.npy", "sentence_vectors.npy"):
    os.truncate(version / name, 100)  # the served version's files, as `> file` would
after = engine.ask("普天間飛行場の移設先は？").citations
assert [c.hit.chunk for c in after] == [c.hit.chunk for c in before]
try:
    engine.load()
    raise SystemExit("the truncated version was loaded")
except IndexCorruptError as e:
    assert "vectors.npy" in str(e), e
assert engine.loaded.snapshot.path == version
assert engine.ask("嘉手納以南").citations
print("served on")
"""


def test_truncating_the_served_vectors_does_not_kill_the_server(
    tmp_path: Path, version: Path
) -> None:
    """In a child process: with the files memory-mapped in place this died of SIGBUS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(SERVE_THEN_TRUNCATE),
            str(version),
            str(tmp_path / "link"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "served on"
