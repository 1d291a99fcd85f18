"""Input checks: bad input gets an error saying what was wrong and how to fix it."""

import numpy as np
import pytest
from conftest import pad

FIT_ERRORS = [
    (
        "empty sequence",
        [np.ones((2, 3)), np.ones((0, 3))],
        {},
        ValueError,
        "Sequence 1 is empty",
    ),
    (
        "all-padding row",
        np.array([[1.0, 2.0], [np.nan, np.nan]]),
        {},
        ValueError,
        "Sequence 1 is empty",
    ),
    (
        "nan inside",
        [np.ones((3, 3)), np.array([[1.0, np.nan, 1.0]] * 2)],
        {},
        ValueError,
        "Sequence 1 has NaN or inf at step 0",
    ),
    (
        "inf inside",
        np.array([[1.0, np.inf, 2.0], [1.0, 2.0, 3.0]]),
        {},
        ValueError,
        "NaN or inf",
    ),
    (
        "different feature counts",
        [np.ones((3, 3)), np.ones((2, 4))],
        {},
        ValueError,
        "sequence 0 has 3, sequence 1 has 4",
    ),
    ("4-D input", np.ones((2, 3, 4, 5)), {}, ValueError, "4 dimension"),
    ("0-D input", np.float64(3.0), {}, TypeError, "X must hold sequences"),
    ("scalar item", [np.ones(3), 5.0], {}, ValueError, "Sequence 1 is a single"),
    (
        "3-D item",
        [np.ones(3), np.ones((2, 2, 2))],
        {},
        ValueError,
        "Sequence 1 has 3 dimensions",
    ),
    (
        "string X",
        np.array([["a", "b"], ["c", "d"]]),
        {},
        TypeError,
        "dtype <U1; expected numbers",
    ),
    (
        "string items",
        [np.array(["a", "b"]), np.array(["c"])],
        {},
        TypeError,
        "Sequence 0 has dtype <U1",
    ),
    (
        "object items",
        [np.array([{}, 1], dtype=object), np.ones(1)],
        {},
        TypeError,
        "Sequence 0 holds objects that are not numbers",
    ),
    (
        "negative token",
        [np.array([1, -2]), np.array([3])],
        {"embedding_dim": 2},
        ValueError,
        r"sequence 0 has -2 \(negative\) at step 1",
    ),
    (
        "float token",
        [np.array([1.5, 2.0]), np.array([3.0])],
        {"embedding_dim": 2},
        ValueError,
        "Token ids must be whole numbers.*1.5",
    ),
    (
        "huge token",
        [np.array([1, 2**40]), np.array([3])],
        {"embedding_dim": 2},
        ValueError,
        "larger than",
    ),
    (
        "multi-feature tokens",
        np.ones((2, 3, 2), dtype=int),
        {"embedding_dim": 2},
        ValueError,
        "Token ids must be one per step",
    ),
]


@pytest.mark.parametrize(
    "X, params, error, match",
    [case[1:] for case in FIT_ERRORS],
    ids=[case[0] for case in FIT_ERRORS],
)
def test_fit_rejects_bad_X(X, params, error, match, make_classifier):
    with pytest.raises(error, match=match):
        n_samples = len(X) if hasattr(X, "__len__") else 1
        make_classifier(units=4, max_iter=2, **params).fit(X, np.arange(n_samples) % 2)


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([3] * 5, r"sequence_length has shape \(5,\); expected .* shape \(12,\)"),
        ([0] + [3] * 11, r"sequence_length\[0\] = 0 is out of range"),
        ([9] + [3] * 11, r"sequence_length\[0\] = 9 is out of range.* 8 steps"),
        ([1.5] + [3] * 11, "whole number"),
    ],
)
def test_bad_sequence_length(lengths, match, make_classifier, tiny_data):
    X = np.zeros((12, 8, 3))
    _, y = tiny_data
    with pytest.raises((ValueError, TypeError), match=match):
        make_classifier(units=4, max_iter=2).fit(X, y, sequence_length=lengths)


def test_sequence_length_with_ragged_list(make_classifier, tiny_data):
    X, y = tiny_data
    with pytest.raises(ValueError, match="only for padded arrays"):
        make_classifier(units=4, max_iter=2).fit(
            X, y, sequence_length=[len(x) for x in X]
        )


def test_wrong_feature_count_at_predict(tiny_classifier):
    with pytest.raises(ValueError, match="X has 2 features per step, but .* 3"):
        tiny_classifier.predict([np.ones((3, 2)), np.ones((2, 2))])


def test_wrong_width_for_tabular_fit(make_classifier):
    X = np.random.RandomState(0).normal(size=(10, 5))
    clf = make_classifier(units=4, max_iter=2).fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="X has 4 features, but .* expecting 5"):
        clf.predict(X[:, :4])


def test_unseen_token_id_at_predict(token_classifier):
    with pytest.raises(ValueError, match="token id 9 at step 1.* 0..5"):
        token_classifier.predict([np.array([1, 9]), np.array([1])])


def test_dataframe_input_records_feature_names(make_classifier, cat_dog_data):
    pd = pytest.importorskip("pandas")
    X, labels = cat_dog_data
    frame = pd.DataFrame(
        pad(X, value=0.0)[:, :, 0], columns=[f"t{i}" for i in range(8)]
    )
    clf = make_classifier(mask_value=0.0).fit(frame, labels)
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert clf.n_features_in_ == 8
    clf.fit(X, labels)
    assert not hasattr(clf, "feature_names_in_")
    assert clf.n_features_in_ == 3
