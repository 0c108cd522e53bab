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
