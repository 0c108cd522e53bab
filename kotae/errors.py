"""Domain errors: raised by the core, turned into messages at the CLI and HTTP edges."""


class KotaeError(Exception):
    """Base of every error kotae reports to a user; the message names the thing and the fix."""


class EmptyCorpusError(KotaeError):
    """The corpus folder holds no readable document."""


class IndexMissingError(KotaeError):
    """No index has been built where the settings point."""


class IndexMismatchError(KotaeError):
    """The index on disk was built with other settings than the ones configured."""


class IndexCorruptError(KotaeError):
    """A file of the index cannot be read."""


class IndexBusyError(KotaeError):
    """Another `kotae index` is writing this index."""


class VectorStoreError(KotaeError):
    """The configured vector store cannot be reached or holds something else."""


class StoreUnavailableError(VectorStoreError):
    """The vector store did not answer a search (down, restarting, overloaded): retry later."""


def describe_failure(error: BaseException) -> str:
    """One line for any failure a user meets: kotae's own message (it names the fix), or the
    unexpected error with what to do about it (a missing package, most often)."""
    if isinstance(error, KotaeError | FileNotFoundError):
        return str(error)
    if isinstance(error, ImportError):
        return (
            f"{type(error).__name__}: {error}. A package kotae needs is missing: reinstall kotae "
            "(`bash scripts/setup.sh` in its checkout), then try again"
        )
    message = " ".join(str(error).split())[:300]
    return f"unexpected {type(error).__name__}: {message}. This is a bug in kotae: please report it"
