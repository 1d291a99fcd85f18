"""Bad input gets a clear error that says what was wrong and how to fix it."""

import numpy as np
import pytest
from conftest import make_ragged
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skrnn import SequenceRNNClassifier

X_OK, Y_OK = make_ragged(n=12)


def small(**params):
    params = {"units": 4, "max_iter": 2, "random_state": 0, **params}
    return SequenceRNNClassifier(**params)


@pytest.fixture(scope="module")
def fitted():
    return small().fit(X_OK, Y_OK)


@pytest.fixture(scope="module")
def fitted_tokens():
    X = [np.array([1, 2, 3]), np.array([4, 5]), np.array([2, 2, 2, 1])] * 2
    return small(embedding_dim=2).fit(X, [0, 1, 0, 1, 0, 1])


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
    (
        "maxlen < 1",
        X_OK,
        {"maxlen": 0},
        InvalidParameterError,
        "'maxlen' parameter .* must be an int in the range",
    ),
    (
        "unknown cell",
        X_OK,
        {"cell": "rnn"},
        InvalidParameterError,
        "'cell' parameter .* must be a str among",
    ),
    (
        "unknown padding",
        X_OK,
        {"padding": "both"},
        InvalidParameterError,
        "'padding' parameter",
    ),
    (
        "bad units tuple",
        X_OK,
        {"units": (4, 0)},
        ValueError,
        "non-empty tuple of positive ints",
    ),
]


@pytest.mark.parametrize(
    "X, params, error, match",
    [case[1:] for case in FIT_ERRORS],
    ids=[case[0] for case in FIT_ERRORS],
)
def test_fit_rejects_bad_X(X, params, error, match):
    with pytest.raises(error, match=match):
        n_samples = len(X) if hasattr(X, "__len__") else 1
        small(**params).fit(X, np.arange(n_samples) % 2)


def test_y_length_mismatch():
    with pytest.raises(ValueError, match="X has 12 sequences but y has 11 labels"):
        small().fit(X_OK, Y_OK[:-1])


def test_single_class():
    with pytest.raises(ValueError, match="only one class is present.* 1 class"):
        small().fit(X_OK, np.zeros(len(X_OK)))


def test_continuous_y():
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        small().fit(X_OK, np.linspace(0, 1, len(X_OK)))


def test_multilabel_y():
    with pytest.raises(ValueError, match="binary and multiclass targets"):
        small().fit(X_OK, np.eye(2)[Y_OK])


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([3] * 5, r"sequence_length has shape \(5,\); expected .* shape \(12,\)"),
        ([0] + [3] * 11, r"sequence_length\[0\] = 0 is out of range"),
        ([9] + [3] * 11, r"sequence_length\[0\] = 9 is out of range.* 8 steps"),
        ([1.5] + [3] * 11, "whole numbers"),
    ],
)
def test_bad_sequence_length(lengths, match):
    X = np.zeros((12, 8, 3))
    with pytest.raises((ValueError, TypeError), match=match):
        small().fit(X, Y_OK, sequence_length=lengths)


def test_sequence_length_with_ragged_list():
    with pytest.raises(ValueError, match="only for padded arrays"):
        small().fit(X_OK, Y_OK, sequence_length=[len(x) for x in X_OK])


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        small().predict(X_OK)


def test_wrong_feature_count_at_predict(fitted):
    with pytest.raises(ValueError, match="X has 2 features per step, but .* 3"):
        fitted.predict([np.ones((3, 2)), np.ones((2, 2))])


def test_wrong_width_for_tabular_fit():
    X = np.random.RandomState(0).normal(size=(10, 5))
    clf = small().fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="X has 4 features, but .* expecting 5"):
        clf.predict(X[:, :4])


def test_unseen_token_id_at_predict(fitted_tokens):
    with pytest.raises(ValueError, match="token id 9 at step 1.* 0..5"):
        fitted_tokens.predict([np.array([1, 9]), np.array([1])])


def test_negative_sample_weight():
    with pytest.raises(ValueError, match="Negative values in data"):
        small().fit(X_OK, Y_OK, sample_weight=-np.ones(len(X_OK)))


def test_divergence_is_reported():
    X = [np.full((4, 1), 1e200), np.full((3, 1), -1e200)] * 3
    with pytest.raises(ValueError, match="Training diverged"):
        small(activation="linear").fit(X, [0, 1] * 3)


def test_failed_fit_leaves_fitted_estimator_unchanged(fitted):
    before = fitted.predict_proba(X_OK)
    with pytest.raises(ValueError):
        fitted.fit(X_OK, np.zeros(len(X_OK)))
    np.testing.assert_array_equal(fitted.predict_proba(X_OK), before)
