"""The UEA/UCR ``.ts`` time-series format: :func:`load_ts`.

Numpy and the standard library only: benchmarks/peer_sktime.py loads this file
by path, without importing skrnn.
"""

import gzip

import numpy as np


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
