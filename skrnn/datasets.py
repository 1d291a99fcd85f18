"""Real sequence data, offline: bundled sets and readers for standard file formats.

* :func:`load_ts` reads the UEA/UCR ``.ts`` time-series format.
* :func:`load_japanese_vowels` loads the bundled JapaneseVowels set.
* :func:`load_digits_sequences` reads scikit-learn's digits as 8 rows of 8 pixels.
"""

import gzip
from importlib import resources

import numpy as np

__all__ = ["load_ts", "load_japanese_vowels", "load_digits_sequences"]


def _open_text(path):
    path = str(path)
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    if gzipped:
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
    >>> len(X), X[0].shape[1], sorted(set(y)) == list(range(1, 10))
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
