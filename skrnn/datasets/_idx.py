"""The IDX format of MNIST and Fashion-MNIST: :func:`load_idx`, :func:`load_mnist`."""

import gzip
import os

import numpy as np

from skrnn.datasets._ts import _is_gzip

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
