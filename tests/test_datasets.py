"""Offline data loaders, tested on files the tests write."""

import gzip

import numpy as np
import pytest

from skrnn.datasets import load_digits_sequences, load_japanese_vowels, load_ts

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
