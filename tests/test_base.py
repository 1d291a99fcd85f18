"""The shared base: parameter checks, atomic fitting, seeding and global state."""

import random

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import pad
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from tensorflow.python.framework.config import is_op_determinism_enabled

from skrnn import SequenceStandardScaler
from skrnn._base import BaseSequenceRNN
from skrnn._preprocessing import stack_windows

# ------------------------------------------------------------------ parameters

PARAM_ERRORS = [
    (
        "maxlen < 1",
        {"maxlen": 0},
        InvalidParameterError,
        "'maxlen' parameter .* must be an int in the range",
    ),
    (
        "unknown cell",
        {"cell": "rnn"},
        InvalidParameterError,
        "'cell' parameter .* must be a str among",
    ),
    (
        "unknown padding",
        {"padding": "both"},
        InvalidParameterError,
        "'padding' parameter",
    ),
    (
        "bad units tuple",
        {"units": (4, 0)},
        ValueError,
        "non-empty tuple of positive ints",
    ),
]


@pytest.mark.parametrize(
    "params, error, match",
    [case[1:] for case in PARAM_ERRORS],
    ids=[case[0] for case in PARAM_ERRORS],
)
def test_fit_rejects_bad_params(params, error, match, make_classifier, tiny_data):
    X, _ = tiny_data
    with pytest.raises(error, match=match):
        clf = make_classifier(**{"units": 4, "max_iter": 2, **params})
        clf.fit(X, np.arange(len(X)) % 2)


def test_predict_before_fit(make_classifier, tiny_data):
    with pytest.raises(NotFittedError):
        make_classifier(units=4, max_iter=2).predict(tiny_data[0])


def test_negative_sample_weight(make_classifier, tiny_data):
    X, y = tiny_data
    with pytest.raises(ValueError, match="Negative values in data"):
        make_classifier(units=4, max_iter=2).fit(X, y, sample_weight=-np.ones(len(X)))


# ------------------------------------------------------------- atomic fitting


class FailAtEpoch(keras.callbacks.Callback):
    def __init__(self, error):
        super().__init__()
        self.error = error

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise self.error


class FailAtBatch(FailAtEpoch):
    def on_train_batch_end(self, batch, logs=None):
        raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("disk full")])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_failed_fit_leaves_a_fitted_estimator_as_it_was(
    error, method, make_classifier, robustness_data
):
    X, Y = robustness_data
    clf = make_classifier(units=5, max_iter=3, warm_start=True).fit(X, Y)
    before = dict(vars(clf))
    proba = clf.predict_proba(X)
    weights = clf.model_.get_weights()
    # A new fit that its input refuses (a single class in y) changes nothing.
    clf.set_params(warm_start=False)
    with pytest.raises(ValueError):
        clf.fit(X, np.zeros(len(X)))
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    # Nor does a fit or partial_fit that fails during training.
    clf.set_params(warm_start=True, callbacks=[FailAtEpoch(error)], max_iter=4)
    if method == "partial_fit":
        # partial_fit runs one epoch; fail inside its first batch instead.
        clf.set_params(callbacks=[FailAtBatch(error)])
    with pytest.raises(type(error)):
        getattr(clf, method)(X, Y)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    for kept, original in zip(clf.model_.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(kept, original)
    assert set(vars(clf)) == set(before)
    assert clf.n_iter_ == before["n_iter_"] and clf.history_ == before["history_"]


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("disk full")])
def test_failed_first_fit_leaves_the_estimator_unfitted(
    error, make_classifier, robustness_data
):
    X, Y = robustness_data
    clf = make_classifier(units=5, max_iter=4, callbacks=[FailAtEpoch(error)])
    with pytest.raises(type(error)):
        clf.fit(X, Y)
    assert [name for name in vars(clf) if name.endswith("_")] == []
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.set_params(callbacks=None)
    assert clf.fit(X, Y).predict(X).shape == (40,)


# ------------------------------------------------------ seeding, global state


def test_same_random_state_same_model_different_differs(make_classifier, cat_dog_data):
    X, labels = cat_dog_data
    a = make_classifier(dropout=0.2).fit(X, labels).predict_proba(X)
    b = make_classifier(dropout=0.2).fit(X, labels).predict_proba(X)
    c = make_classifier(dropout=0.2, random_state=1).fit(X, labels).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_and_predict_leave_global_state_alone(make_classifier, cat_dog_data):
    X, labels = cat_dog_data
    keras.utils.set_random_seed(123)
    expected_keras_draw = np.asarray(keras.random.normal((4,)))
    expected_tf_draw = np.asarray(tf.random.uniform((4,)))
    # Unseeded Keras initializers draw from Python's RNG: make it before the
    # snapshot.
    name_before = keras.layers.Dense(1).name
    keras.utils.set_random_seed(123)
    python_state, numpy_state = random.getstate(), np.random.get_state()
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy().name
    determinism = is_op_determinism_enabled()

    for random_state in (0, None):
        clf = make_classifier(random_state=random_state, dropout=0.1).fit(X, labels)
        clf.predict_proba(X)

    assert random.getstate() == python_state
    assert all(
        np.array_equal(a, b)
        for a, b in zip(np.random.get_state(), numpy_state, strict=True)
    )
    assert keras.config.floatx() == floatx
    assert keras.config.dtype_policy().name == policy
    assert is_op_determinism_enabled() == determinism
    np.testing.assert_array_equal(
        np.asarray(keras.random.normal((4,))), expected_keras_draw
    )
    np.testing.assert_array_equal(np.asarray(tf.random.uniform((4,))), expected_tf_draw)
    # No clear_session(): Keras' layer-name counter kept counting.
    assert keras.layers.Dense(1).name != name_before


def test_inputs_are_not_mutated(make_classifier, cat_dog_data):
    X_original, labels = cat_dog_data
    X = [x.copy() for x in X_original]
    padded = pad(X)
    padded_copy = padded.copy()
    weights = np.linspace(0.5, 2.0, 30)
    make_classifier().fit(X, labels, sample_weight=weights).predict(padded)
    assert all(np.array_equal(a, b) for a, b in zip(X, X_original, strict=True))
    np.testing.assert_array_equal(padded, padded_copy)
    np.testing.assert_array_equal(weights, np.linspace(0.5, 2.0, 30))


def test_feature_scaling_equals_a_scaler_in_front(make_classifier, scales_data):
    X_scales, y_scales = scales_data
    built_in = make_classifier(max_iter=3, scaling="feature").fit(X_scales, y_scales)
    piped = make_pipeline(
        SequenceStandardScaler(), make_classifier(max_iter=3, scaling=None)
    ).fit(X_scales, y_scales)
    scaler = piped[0]
    np.testing.assert_allclose(built_in.feature_mean_, scaler.mean_)
    np.testing.assert_allclose(built_in.feature_scale_, scaler.scale_)
    np.testing.assert_allclose(
        built_in.predict_proba(X_scales),
        piped.predict_proba(X_scales),
        rtol=1e-6,
        atol=1e-9,
    )


def test_sequence_scaling_ignores_each_sequence_offset_and_scale(
    make_classifier, scales_data
):
    X_scales, y_scales = scales_data
    clf = make_classifier(max_iter=3, scaling="sequence").fit(X_scales, y_scales)
    rng = np.random.RandomState(0)
    moved = [x * rng.uniform(0.5, 3.0) + rng.normal(size=3) * 10 for x in X_scales]
    np.testing.assert_allclose(
        clf.predict_proba(moved), clf.predict_proba(X_scales), rtol=1e-6, atol=1e-9
    )
    assert clf.feature_mean_ is None and clf.feature_scale_ is None


def test_window_stacks_consecutive_real_steps(make_classifier, scales_data):
    X_scales, y_scales = scales_data
    # The recurrent network alone: the convolutional branch unstacks windows,
    # and the linear read of the steps reads them where they stand.
    alone = {"conv_filters": None, "linear_steps": False}
    clf = make_classifier(max_iter=3, window=3, **alone)
    clf.fit(X_scales, y_scales)
    assert clf.window_ == 3
    values = np.full((len(X_scales), 11, 3), np.nan)
    lengths = np.array([len(x) for x in X_scales])
    for i, x in enumerate(X_scales):
        values[i, : len(x)] = x
    stacked, new_lengths = stack_windows(values, lengths, 3)
    assert stacked.shape == (len(X_scales), 4, 9)
    np.testing.assert_array_equal(new_lengths, -(-lengths // 3))
    expected = [a[:n] for a, n in zip(stacked, new_lengths, strict=True)]
    # Steps side by side, first step's features first.
    np.testing.assert_array_equal(expected[0][0], X_scales[0][:3].ravel())
    # A partial last window repeats the last real step; padding never enters.
    short = next(i for i, x in enumerate(X_scales) if len(x) % 3)
    x = X_scales[short]
    tail = np.concatenate([x[3 * (len(x) // 3) :], np.repeat(x[-1:], 3, axis=0)])
    np.testing.assert_array_equal(expected[short][-1], tail[:3].ravel())
    assert np.isfinite(stacked).all()
    np.testing.assert_allclose(
        clf.predict_proba(X_scales),
        make_classifier(max_iter=3, window=1, **alone)
        .fit(expected, y_scales)
        .predict_proba(expected),
        rtol=1e-6,
        atol=1e-9,
    )
    with pytest.raises(ValueError, match="X has 9 features per step.*expecting 3"):
        clf.predict(expected)


def test_auto_window_keeps_at_most_25_network_steps(make_classifier, scales_data):
    X_scales, y_scales = scales_data
    long_X = [
        np.random.RandomState(i).normal(size=(n, 1))
        for i, n in enumerate([150, 230, 301, 90])
    ]
    clf = make_classifier(window="auto", max_iter=1).fit(long_X, [0, 1, 0, 1])
    assert clf.window_ == 13  # ceil(301 / 25)
    assert (
        make_classifier(window="auto", max_iter=1).fit(X_scales, y_scales).window_ == 1
    )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"pooling": "sum"}, "'pooling' parameter"),
        ({"scaling": "minmax"}, "'scaling' parameter"),
        ({"window": 0}, "'window' parameter"),
        ({"window": "half"}, "'window' parameter"),
    ],
)
def test_new_parameters_are_validated(make_classifier, params, match, scales_data):
    X_scales, y_scales = scales_data
    with pytest.raises(ValueError, match=match):
        make_classifier(max_iter=3, **params).fit(X_scales, y_scales)


def test_window_refuses_token_ids(make_classifier):
    tokens = [np.array([1, 2, 3]), np.array([2, 3]), np.array([3, 1, 1, 2])]
    with pytest.raises(ValueError, match="window=2 groups steps.*window=1"):
        make_classifier(max_iter=3, embedding_dim=2, window=2).fit(tokens, [0, 1, 0])
    # scaling never touches token ids, and the automatic window is 1
    clf = make_classifier(
        max_iter=3, embedding_dim=2, window="auto", scaling="feature"
    ).fit(tokens, [0, 1, 0])
    assert clf.window_ == 1 and clf.feature_mean_ is None


def test_the_base_is_abstract(make_classifier):
    with pytest.raises(TypeError, match="abstract"):
        BaseSequenceRNN()
