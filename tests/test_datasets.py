"""Offline data loaders, tested on files the tests write."""

import gzip

import numpy as np
import pytest

from skrnn.datasets import (
    load_digits_sequences,
    load_idx,
    load_japanese_vowels,
    load_mnist,
    load_ts,
    make_sequence_classification,
)

HEADER = "#comment\n@problemName toy\n@dimensions 2\n@classLabel true a b\n@data\n"


def write(tmp_path, text, name="toy.ts", compress=False):
    path = tmp_path / name
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_multivariate_unequal_length(tmp_path, compress):
    text = HEADER + "1,2,3:4,5,6:a\n\n  7,8:9,10:b  \n"
    X, y = load_ts(write(tmp_path, text, compress=compress))
    assert [x.shape for x in X] == [(3, 2), (2, 2)]
    np.testing.assert_array_equal(X[0][:, 1], [4, 5, 6])
    assert list(y) == ["a", "b"]


def test_question_mark_is_nan_and_univariate_without_labels(tmp_path):
    text = "@univariate true\n@missing true\n@classLabel false\n@data\n1,?,3\n"
    X, y = load_ts(write(tmp_path, text))
    assert y is None
    assert np.isnan(X[0][1, 0]) and X[0].shape == (3, 1)


@pytest.mark.parametrize(
    "text, match",
    [
        ("@classLabel true a\n1,2:a\n", "line 2: expected a '@' header line"),
        ("@classLabel true a\n", "no @data line"),
        ("@data\n1,2:a\n", "line 1: @data comes before @classLabel"),
        (HEADER + "1,2:3,4:c\n", "line 6: class label 'c' is not among"),
        (HEADER + "1,2:a\n", "line 6: 1 channel.* @dimensions says 2"),
        (HEADER + "1,x:3,4:a\n", "line 6: channel 0 has 'x'"),
        (HEADER + "1,2:3:a\n", "line 6: .* different lengths"),
        (HEADER, "holds no series"),
        ("@timeStamps true\n", "line 1: time-stamped"),
        ("@dimensions two\n", "line 1: @dimensions must be followed by an integer"),
    ],
    ids=[
        "data before @data",
        "no @data",
        "@data before @classLabel",
        "undeclared label",
        "channel count",
        "not a number",
        "channel lengths differ",
        "empty data",
        "time stamps",
        "bad integer",
    ],
)
def test_malformed_files_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_ts(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_ts(tmp_path / "absent.ts")


def test_japanese_vowels_splits():
    X_train, y_train = load_japanese_vowels("train")
    X_test, y_test = load_japanese_vowels("test")
    assert len(X_train) == 270 and len(X_test) == 370
    assert {x.shape[1] for x in X_train + X_test} == {12}
    lengths = [len(x) for x in X_train + X_test]
    assert min(lengths) == 7 and max(lengths) == 29
    np.testing.assert_array_equal(np.unique(y_train), np.arange(1, 10))
    X_all, y_all = load_japanese_vowels("all")
    assert len(X_all) == 640 and np.array_equal(y_all[:270], y_train)
    with pytest.raises(ValueError, match="split must be"):
        load_japanese_vowels("validation")


def test_digits_sequences():
    X, y = load_digits_sequences()
    assert X.shape == (1797, 8, 8) and X.min() == 0 and X.max() == 1
    assert set(y) == set(range(10))


def write_idx(path, array, type_code=0x08, compress=False, cut=0):
    header = (
        bytes([0, 0, type_code, array.ndim])
        + np.array(array.shape, dtype=">u4").tobytes()
    )
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    data = data[: len(data) - cut]
    if compress:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / "x.idx", images, compress=compress)
    np.testing.assert_array_equal(load_idx(path), images)
    floats = np.linspace(0, 1, 6).reshape(2, 3)
    path = write_idx(tmp_path / "f.idx", floats, type_code=0x0E)
    np.testing.assert_array_equal(load_idx(path), floats)


def test_idx_errors(tmp_path):
    images = np.zeros((2, 3, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"announces shape \(2, 3, 3\).* truncated"):
        load_idx(write_idx(tmp_path / "cut.idx", images, cut=5))
    (tmp_path / "junk.idx").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        load_idx(tmp_path / "junk.idx")
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "absent.idx")


def test_load_mnist_layout(tmp_path):
    rng = np.random.RandomState(0)
    for stem, n in (("train", 5), ("t10k", 3)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        write_idx(tmp_path / f"{stem}-images-idx3-ubyte.gz", images, compress=True)
        write_idx(tmp_path / f"{stem}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8))
    X, y = load_mnist(tmp_path, "test")
    assert X.shape == (3, 28, 28) and list(y) == [0, 1, 2]
    assert load_mnist(tmp_path)[0].shape == (5, 28, 28)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path, "test")


def test_make_sequence_classification():
    X, y = make_sequence_classification(
        60, n_features=2, n_classes=3, min_length=4, max_length=9, random_state=0
    )
    assert len(X) == 60 and np.bincount(y).tolist() == [20, 20, 20]
    assert {x.shape[1] for x in X} == {2}
    assert min(len(x) for x in X) >= 4 and max(len(x) for x in X) <= 9
    again, _ = make_sequence_classification(
        60, n_features=2, n_classes=3, min_length=4, max_length=9, random_state=0
    )
    assert all(np.array_equal(a, b) for a, b in zip(X, again, strict=True))
    tokens, _ = make_sequence_classification(20, vocabulary_size=10, random_state=0)
    assert all(t.ndim == 1 and t.min() >= 1 and t.max() < 10 for t in tokens)
    with pytest.raises(ValueError, match="min_length <= max_length"):
        make_sequence_classification(min_length=5, max_length=2)
