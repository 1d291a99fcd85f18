"""The UCR/UEA archive: download, check and cache a problem.

:func:`fetch_ucr_uea` fetches a problem once into the cache folder that
:func:`get_data_home` gives, then reads it from there.
"""

import contextlib
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
import zlib

from skrnn._files import atomic_directory
from skrnn.datasets._ts import load_ts

# The UCR/UEA archive as aeon serves it: one zip per problem, holding
# <name>_TRAIN.ts and <name>_TEST.ts. Tests point this at a local server.
_UCR_UEA_URL = "https://timeseriesclassification.com/aeon-toolkit/"
_UCR_UEA_LIST = "https://timeseriesclassification.com/dataset.php"
_UCR_UEA_NAME = re.compile(r"[A-Za-z0-9_-]+")
_DOWNLOAD_TIMEOUT = 60  # seconds without data before a download gives up
_CHUNK = 1 << 20


def get_data_home(data_home=None):
    """Return the folder where skrnn caches downloaded data sets.

    As scikit-learn's :func:`~sklearn.datasets.get_data_home`: the folder is
    ``data_home`` when given, else the ``SKRNN_DATA`` environment variable
    when it is set, else ``~/skrnn_data``. A leading ``~`` is expanded and the
    folder is created if it does not exist.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use; None for the default described above.

    Returns
    -------
    data_home : str
        Path of the (existing) folder.

    See Also
    --------
    fetch_ucr_uea : Download a problem of the UCR/UEA archive into this folder.

    Examples
    --------
    >>> import os, tempfile
    >>> from skrnn.datasets import get_data_home
    >>> folder = os.path.join(tempfile.mkdtemp(), "skrnn_data")
    >>> get_data_home(folder) == folder, os.path.isdir(folder)
    (True, True)
    """
    if data_home is None:
        data_home = os.environ.get("SKRNN_DATA") or os.path.join("~", "skrnn_data")
    data_home = os.path.expanduser(os.fsdecode(data_home))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def fetch_ucr_uea(name, *, data_home=None, download_if_missing=True):
    """Load a problem of the UCR/UEA time-series archive, downloading it once.

    The problem's published train/test split is downloaded as a zip from
    timeseriesclassification.com (the files aeon uses), its two ``.ts`` files
    are kept in ``<data_home>/ucr_uea/<name>/`` and read with :func:`load_ts`.
    Later calls read that cache and use no network at all.

    A download is checked (a complete zip holding both ``.ts`` files that
    :func:`load_ts` can read) before anything enters the cache, so an error
    or an interruption leaves no partial cache behind.

    Parameters
    ----------
    name : str
        Name of the problem as the archive spells it (case-sensitive), e.g.
        ``"ArrowHead"``, ``"BasicMotions"`` or ``"JapaneseVowels"``; see
        https://timeseriesclassification.com/dataset.php.
    data_home : str or path-like, default=None
        Cache folder; None for :func:`get_data_home`'s default (the
        ``SKRNN_DATA`` environment variable, else ``~/skrnn_data``). To work
        offline, put ``<name>_TRAIN.ts`` and ``<name>_TEST.ts`` in its
        ``ucr_uea/<name>/`` subfolder.
    download_if_missing : bool, default=True
        If False, raise an OSError instead of downloading a problem that is
        not in the cache.

    Returns
    -------
    X_train : list of ndarray of shape (length, n_channels)
        Training series, float32, in file order; NaN marks missing values.
    y_train : ndarray of shape (n_train,)
        Their class labels as strings, as :func:`load_ts` reads them (float64
        targets for a regression problem).
    X_test : list of ndarray of shape (length, n_channels)
        Test series.
    y_test : ndarray of shape (n_test,)
        Their labels (or targets).

    Raises
    ------
    ValueError
        If ``name`` is not a non-empty string of letters, digits, ``_`` and
        ``-``; if the archive has no problem of that name (HTTP 404); if the
        download is not a valid zip holding ``<name>_TRAIN.ts`` and
        ``<name>_TEST.ts``, or those files are malformed.
    ConnectionError
        If the problem is not cached and cannot be downloaded (no network,
        server error, interrupted transfer).
    OSError
        If the problem is not cached and ``download_if_missing=False``.

    See Also
    --------
    load_ts : Read one ``.ts`` file.
    get_data_home : The default cache folder.

    Examples
    --------
    >>> from skrnn.datasets import fetch_ucr_uea
    >>> X_train, y_train, X_test, y_test = fetch_ucr_uea(
    ...     "ArrowHead")  # doctest: +SKIP
    >>> len(X_train), X_train[0].shape, len(X_test)  # doctest: +SKIP
    (36, (251, 1), 175)
    >>> sorted(set(y_train))  # doctest: +SKIP
    ['0', '1', '2']
    """
    if not isinstance(name, str) or not _UCR_UEA_NAME.fullmatch(name):
        raise ValueError(
            "name must be the name of a UCR/UEA archive problem: a non-empty "
            "string of ASCII letters, digits, '_' and '-' such as 'ArrowHead'; "
            f"got {name!r}"
        )
    folder = os.path.join(get_data_home(data_home), "ucr_uea", name)
    bases = [f"{name}_TRAIN.ts", f"{name}_TEST.ts"]
    paths = [os.path.join(folder, base) for base in bases]
    if all(os.path.isfile(path) for path in paths):
        (X_train, y_train), (X_test, y_test) = (load_ts(path) for path in paths)
    elif not download_if_missing:
        raise OSError(
            f"The UCR/UEA problem {name!r} is not in the cache ({folder} does not "
            f"hold both {bases[0]} and {bases[1]}) and download_if_missing=False."
        )
    else:
        (X_train, y_train), (X_test, y_test) = _download_ucr_uea(name, folder, bases)
    return X_train, y_train, X_test, y_test


def _download_ucr_uea(name, folder, bases):
    """Download, check and cache one problem; return its two (X, y) pairs.

    Everything is staged next to ``folder`` (same file system) and moved into
    place by :func:`~skrnn._files.atomic_directory` only once it has been read
    back, so a failure or an interruption at any point leaves no partial cache.
    """
    parent = os.path.dirname(folder)
    created_parent = not os.path.isdir(parent)
    os.makedirs(parent, exist_ok=True)
    url = _UCR_UEA_URL.rstrip("/") + f"/{name}.zip"

    def replace_files(staging, folder):
        # The folder exists already: an incomplete cache, or a concurrent call
        # that finished first. Replace the files one by one, each atomically.
        for base in bases:
            os.replace(os.path.join(staging, base), os.path.join(folder, base))

    archive_path = None
    done = False
    try:
        fd, archive_path = tempfile.mkstemp(
            prefix=f".{name}-", suffix=".zip.part", dir=parent
        )
        with os.fdopen(fd, "wb") as handle:
            _download(url, handle, name, folder)
        members = _ts_members(archive_path, url, name, bases)
        # One rename: the problem's folder appears whole or not at all.
        with atomic_directory(folder, replace=replace_files) as staging:
            with zipfile.ZipFile(archive_path) as archive:
                for member, base in zip(members, bases, strict=True):
                    with (
                        archive.open(member) as source,
                        open(os.path.join(staging, base), "wb") as target,
                    ):
                        shutil.copyfileobj(source, target, _CHUNK)
            data = []
            for member, base in zip(members, bases, strict=True):
                try:
                    data.append(load_ts(os.path.join(staging, base)))
                except ValueError as error:
                    raise ValueError(
                        f"{member} in the archive downloaded from {url} is not a "
                        f"readable .ts file: {error}"
                    ) from None
        done = True
        return data
    finally:
        if archive_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(archive_path)
        if created_parent and not done:
            with contextlib.suppress(OSError):  # not empty: someone else uses it
                os.rmdir(parent)


def _download(url, handle, name, folder):
    """Write the body at ``url`` to ``handle``; raise ValueError on 404."""
    # Imported here: urllib.request pulls in ssl and http, which a cached
    # problem (or any other loader of this module) never needs.
    import http.client
    import urllib.error
    import urllib.request

    def failed(reason):
        return ConnectionError(
            f"Could not download the UCR/UEA problem {name!r} from {url} "
            f"({reason}). Check the network connection, or work offline: put "
            f"{name}_TRAIN.ts and {name}_TEST.ts in {folder}, or pass data_home= "
            f"a folder whose ucr_uea/{name}/ subfolder already holds them."
        )

    try:
        response = urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            raise ValueError(
                f"There is no problem named {name!r} in the UCR/UEA archive: {url} "
                "answered HTTP 404 (not found). Check the spelling (names are "
                "case-sensitive, e.g. 'ArrowHead', 'JapaneseVowels') against the "
                f"archive's list at {_UCR_UEA_LIST}."
            ) from None
        raise failed(f"HTTP {error.code} {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:
        raise failed(getattr(error, "reason", None) or error) from error
    with response:
        expected = response.headers.get("Content-Length", "")
        received = 0
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (OSError, http.client.HTTPException) as error:
                raise failed(f"transfer interrupted: {error!r}") from error
            if not chunk:
                break
            handle.write(chunk)
            received += len(chunk)
    if expected.isdigit() and received != int(expected):
        raise failed(f"transfer interrupted after {received} of {int(expected)} bytes")


def _ts_members(archive_path, url, name, bases):
    """Check the zip at ``archive_path``; return its members named ``bases``."""

    def invalid(detail):
        return ValueError(
            f"{url} did not return a valid zip archive ({detail}). The download "
            "may be corrupt (try again), or, as the site may answer a misspelt "
            f"name with a web page, {name!r} may not be a problem of the archive: "
            f"check the spelling against {_UCR_UEA_LIST}."
        )

    if not zipfile.is_zipfile(archive_path):
        raise invalid("not a zip file")
    try:
        with zipfile.ZipFile(archive_path) as archive:
            corrupt = archive.testzip()
            files = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (
        zipfile.BadZipFile,
        EOFError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
    ) as error:
        raise invalid(f"{type(error).__name__}: {error}") from None
    if corrupt is not None:
        raise invalid(f"{corrupt} is corrupt")

    def basename(member):
        return posixpath.basename(member.replace("\\", "/"))

    members, missing = [], []
    for base in bases:
        # Exact basename first (in any subfolder), else the same up to case.
        matches = [f for f in files if basename(f) == base] or [
            f for f in files if basename(f).lower() == base.lower()
        ]
        if len(matches) > 1:
            raise ValueError(
                f"The archive downloaded from {url} holds several {base} files "
                f"({', '.join(matches)}); cannot tell which to use."
            )
        if not matches:
            missing.append(base)
        else:
            members.append(matches[0])
    if missing:
        listing = ", ".join(files[:10]) + (", ..." if len(files) > 10 else "")
        raise ValueError(
            f"The archive downloaded from {url} does not hold "
            f"{' or '.join(missing)} (it holds: {listing or 'nothing'}); it is not "
            "a UCR/UEA problem in the .ts format."
        )
    return members
