"""The estimator works wherever a scikit-learn classifier works."""

import pickle
import random
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import make_ragged, pad
from sklearn import config_context
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tensorflow.python.framework.config import is_op_determinism_enabled

from skrnn import SequenceRNNClassifier

X_RAGGED, Y = make_ragged(n=30, seed=1)
LABELS = np.array(["cat", "dog"])[Y]


def small(**params):
    params = {"units": 6, "max_iter": 4, "random_state": 0, **params}
    return SequenceRNNClassifier(**params)


def test_is_a_classifier_and_grid_search_stratifies():
    assert is_classifier(small())
    assert isinstance(
        check_cv(3, LABELS, classifier=is_classifier(small())), StratifiedKFold
    )


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog"])[Y],
        Y.astype(bool),
        np.array([-3, 7, 11])[np.arange(30) % 3],
        np.array(["a", "b", "c", "d"])[np.arange(30) % 4],
    ],
    ids=["strings", "bools", "ints", "four classes"],
)
def test_labels_of_any_type(labels):
    clf = small().fit(X_RAGGED, labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X_RAGGED)
    assert pred.dtype == labels.dtype and set(pred) <= set(labels)
    proba = clf.predict_proba(X_RAGGED)
    assert proba.shape == (30, len(np.unique(labels)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X_RAGGED)), proba)


def test_learns_a_simple_rule():
    X, y = make_ragged(n=300, seed=2)
    clf = SequenceRNNClassifier(
        units=16, max_iter=30, learning_rate_init=0.01, random_state=0
    )
    assert clf.fit(X[:200], y[:200]).score(X[200:], y[200:]) >= 0.9


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "lstm"},
        {"cell": "gru", "bidirectional": True},
        {"units": (5, 3), "dropout": 0.2, "recurrent_dropout": 0.1},
        {"activation": "relu", "alpha": 0.0, "batch_size": 7, "shuffle": False},
    ],
)
def test_network_options_train_and_predict(params):
    clf = small(**params).fit(X_RAGGED, LABELS)
    assert clf.predict(X_RAGGED).shape == (30,)
    assert clf.n_iter_ >= 1 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.t_ == clf.n_iter_ * 30


def test_pipeline_with_scaler_on_2d_sequences():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6)) * 100 + 50
    y = (X[:, -1] > 50).astype(int)
    pipe = make_pipeline(StandardScaler(), small())
    assert pipe.fit(X, y).predict(X).shape == (40,)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search(n_jobs):
    search = GridSearchCV(small(), {"cell": ["simple", "gru"]}, cv=3, n_jobs=n_jobs)
    search.fit(X_RAGGED, LABELS)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["cell"] in ("simple", "gru")
    assert search.predict(X_RAGGED[:5]).shape == (5,)


def test_cross_val_score():
    scores = cross_val_score(small(), X_RAGGED, LABELS, cv=3)
    assert scores.shape == (3,) and ((scores >= 0) & (scores <= 1)).all()


def test_clone_has_params_but_no_fit():
    clf = small(cell="gru").fit(X_RAGGED, LABELS)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "model_")


def test_pickle_fitted_and_unfitted():
    clf = small().fit(X_RAGGED, LABELS)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        loaded.predict_proba(X_RAGGED), clf.predict_proba(X_RAGGED)
    )
    unfitted = pickle.loads(pickle.dumps(small(cell="lstm")))
    assert unfitted.get_params() == small(cell="lstm").get_params()


def test_metadata_routing_of_sequence_length():
    lengths = np.array([len(x) for x in X_RAGGED])
    # Values past each sequence's length are noise: only routing hides them.
    padded = pad(X_RAGGED, value=0.0) + 5 * np.isnan(pad(X_RAGGED))
    reference = small().fit(X_RAGGED, LABELS)
    with config_context(enable_metadata_routing=True):
        routed = (
            small()
            .set_fit_request(sequence_length=True)
            .set_predict_request(sequence_length=True)
            .set_predict_proba_request(sequence_length=True)
            .set_score_request(sequence_length=True, sample_weight=False)
        )
        pipe = make_pipeline(routed)
        pipe.fit(padded, LABELS, sequence_length=lengths)
        np.testing.assert_allclose(
            pipe.predict_proba(padded, sequence_length=lengths),
            reference.predict_proba(X_RAGGED),
            rtol=1e-10,
        )
        grid = {"units": [3, 6]}
        search = GridSearchCV(routed, grid, cv=2).fit(
            padded, LABELS, sequence_length=lengths
        )
    plain = GridSearchCV(small(), grid, cv=2).fit(X_RAGGED, LABELS)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )


def test_same_random_state_same_model_different_differs():
    a = small(dropout=0.2).fit(X_RAGGED, LABELS).predict_proba(X_RAGGED)
    b = small(dropout=0.2).fit(X_RAGGED, LABELS).predict_proba(X_RAGGED)
    c = small(dropout=0.2, random_state=1).fit(X_RAGGED, LABELS).predict_proba(X_RAGGED)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_and_predict_leave_global_state_alone():
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
        clf = small(random_state=random_state, dropout=0.1).fit(X_RAGGED, LABELS)
        clf.predict_proba(X_RAGGED)

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


def test_inputs_are_not_mutated():
    X = [x.copy() for x in X_RAGGED]
    padded = pad(X)
    padded_copy = padded.copy()
    weights = np.linspace(0.5, 2.0, 30)
    small().fit(X, LABELS, sample_weight=weights).predict(padded)
    assert all(np.array_equal(a, b) for a, b in zip(X, X_RAGGED, strict=True))
    np.testing.assert_array_equal(padded, padded_copy)
    np.testing.assert_array_equal(weights, np.linspace(0.5, 2.0, 30))


def test_dataframe_input_records_feature_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        pad(X_RAGGED, value=0.0)[:, :, 0], columns=[f"t{i}" for i in range(8)]
    )
    clf = small(mask_value=0.0).fit(frame, LABELS)
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert clf.n_features_in_ == 8
    clf.fit(X_RAGGED, LABELS)
    assert not hasattr(clf, "feature_names_in_")
    assert clf.n_features_in_ == 3


def test_float32_input_trains_in_float32():
    clf = small().fit(pad(X_RAGGED).astype(np.float32), LABELS)
    assert clf.model_.inputs[0].dtype == "float32"
    assert small().fit(pad(X_RAGGED), LABELS).model_.inputs[0].dtype == "float64"


def test_stops_on_plateau_and_warns_at_max_iter():
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        small(max_iter=2).fit(X_RAGGED, LABELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = small(max_iter=500, tol=10.0, n_iter_no_change=2).fit(X_RAGGED, LABELS)
    # One improving epoch, then n_iter_no_change epochs without improvement.
    assert clf.n_iter_ == 3


def test_verbose_prints_each_epoch_and_silent_otherwise(capsys):
    clf = small(max_iter=3, verbose=1).fit(X_RAGGED, LABELS)
    clf.predict(X_RAGGED)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "loss: " in out and "accuracy: " in out
    small(max_iter=3).fit(X_RAGGED, LABELS).predict(X_RAGGED)
    assert capsys.readouterr().out == ""
