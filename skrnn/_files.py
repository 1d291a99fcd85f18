"""Files written whole or not at all: one helper for saving, export and the cache.

Everything is written beside its destination (same file system) and renamed
over it at the end. The rename is atomic, so a reader sees the old file or the
new one, never a partial one, and an error or an interruption leaves nothing
behind.
"""

import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_directory", "atomic_file"]


@contextmanager
def atomic_file(path):
    """Write the file ``path`` through a binary stream, atomically.

    Parameters
    ----------
    path : str or path-like
        The destination; its directory must exist. An existing file is
        replaced when the block ends without an error.

    Yields
    ------
    stream : file object
        A binary stream on a temporary file beside ``path``, flushed to disk
        before the rename.
    """
    path = Path(os.fspath(path))
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent.absolute()
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_directory(path, replace=None):
    """Fill a new directory that appears at ``path`` whole, or not at all.

    Parameters
    ----------
    path : str or path-like
        The destination; its parent must exist, and ``path`` must not (a
        rename cannot replace a non-empty directory).
    replace : callable, default=None
        Called as ``replace(staging, path)`` when the rename fails because
        ``path`` appeared meanwhile (a concurrent writer), to move what it
        needs file by file; without it, that error is raised.

    Yields
    ------
    staging : pathlib.Path
        An empty directory beside ``path``, made with the umask's permissions
        (unlike ``tempfile.mkdtemp``), so it can become the directory as is.
    """
    path = Path(os.fspath(path))
    staging = path.parent / f".{path.name}-{secrets.token_hex(8)}.part"
    staging.mkdir()
    try:
        yield staging
        try:
            os.replace(staging, path)
        except OSError:
            if replace is None or not path.is_dir():
                raise
            replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
