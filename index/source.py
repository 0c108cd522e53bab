"""Which folder an index was built from: the index remembers it, and commands follow it.

`kotae index ~/mydocs` then `kotae serve` used to treat the index as stale against the default
`corpus/` and rebuild it from there, replacing the user's index without a word. Now the
manifest records the folder a build read; a command given no folder (no ``--corpus``, no
``KOTAE_CORPUS_DIR``) serves and refreshes the index from that folder, and a build from another
folder into it is refused unless ``KOTAE_REPLACE_INDEX`` (``--replace``) says to replace it.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from kotae.errors import KotaeError
from kotae.index.snapshot import MANIFEST
from kotae.settings import Settings

log = logging.getLogger("kotae")
CORPUS_KEY = "corpus"  # the manifest's record of the folder a build read (absolute path)


class IndexFromOtherFolderError(KotaeError):
    """A build would replace an index that was built from another folder."""


@dataclass(frozen=True)
class IndexSource:
    """The folder a command indexes or serves, and why that one."""

    folder: Path
    followed: bool  # True: taken from the index's manifest, not given by the user

    def describe(self) -> str:
        why = "the folder this index was built from" if self.followed else "as given"
        return f"{self.folder} ({why})"


def recorded_corpus(index_dir: Path) -> Path | None:
    """The folder the index at ``index_dir`` was built from, if its manifest says."""
    try:
        with open(Path(os.path.realpath(index_dir)) / MANIFEST, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    folder = manifest.get(CORPUS_KEY) if isinstance(manifest, dict) else None
    return Path(folder) if isinstance(folder, str) and folder else None


def corpus_given(settings: Settings) -> bool:
    """Whether the folder was chosen (option, environment, .env), not left at its default."""
    return "corpus_dir" in settings.model_fields_set


def following_index(settings: Settings) -> tuple[Settings, IndexSource]:
    """``settings`` with the folder to use: the one given, else the one the index remembers,
    else the default (``corpus/``)."""
    recorded = None if corpus_given(settings) else recorded_corpus(settings.index_dir)
    if recorded is None:
        return settings, IndexSource(settings.corpus_dir, followed=False)
    followed = settings.model_copy(update={"corpus_dir": recorded})
    return followed, IndexSource(recorded, followed=True)


def check_may_replace(settings: Settings) -> None:
    """Refuse a build from ``settings.corpus_dir`` over an index built from another folder.

    An index with no record (built by an older kotae) may be rebuilt, as before, and so may
    one whose folder is gone (moved or renamed: its unchanged documents' vectors are reused).
    """
    recorded = recorded_corpus(settings.index_dir)
    folder = settings.corpus_dir.resolve()
    if recorded is None or recorded == folder or settings.replace_index:
        return
    if not recorded.is_dir():
        log.warning(
            "the folder %s this index was built from is gone: indexing %s", recorded, folder
        )
        return
    raise IndexFromOtherFolderError(
        f"the index at {settings.index_dir} was built from {recorded}, not {folder}; "
        f"building from {folder} would replace it. Fix: pass --replace (KOTAE_REPLACE_INDEX=1) "
        "to replace it, give another --index-dir for the new folder, or give no folder "
        f"(no --corpus) to keep using the index of {recorded}"
    )
