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

from skrnn.datasets._bundled import (
    load_digits_sequences,
    load_japanese_vowels,
    load_mnist_5k,
)
from skrnn.datasets._idx import load_idx, load_mnist
from skrnn.datasets._synthetic import make_sequence_classification
from skrnn.datasets._ts import load_ts
from skrnn.datasets._ucr_uea import fetch_ucr_uea, get_data_home

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
