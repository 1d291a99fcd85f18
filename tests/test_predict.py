"""Batched prediction: sequences run sorted by length, answers in caller order."""

import gc
import logging
import weakref

import keras
import numpy as np

from skrnn._predict import _forward


def test_predictions_come_back_in_caller_order(fitted_network):
    clf, X = fitted_network
    proba = clf.predict_proba(X)
    order = np.random.RandomState(3).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba([X[i] for i in order]), proba[order], rtol=1e-10
    )


def _small_model(n_features):
    values = keras.Input((None, n_features))
    lengths = keras.Input((), dtype="int32")
    return keras.Model([values, lengths], keras.layers.SimpleRNN(2)(values))


def test_forward_passes_of_many_models_log_no_retracing():
    # Each model's forward pass traces once; TensorFlow must not read the
    # many functions as one function retracing.
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        for n_features in range(1, 9):
            forward = _forward(_small_model(n_features))
            forward(np.zeros((2, 3, n_features)), np.array([3, 2]))
    finally:
        logger.removeHandler(handler)
    assert not [m for m in messages if "retracing" in m]


def test_forward_pass_does_not_keep_its_model_alive():
    model = _small_model(3)
    assert _forward(model)(np.zeros((1, 4, 3)), np.array([4])).shape == (1, 2)
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None


def test_a_sequence_is_predicted_the_same_alone_or_with_others(make_regressor):
    """As scikit-learn's check_methods_subset_invariance asks, at its tolerance.

    Under JAX, whose networks compute in float32, this holds because every
    prediction runs in blocks of one shape.
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(70, 5))
    y = X.sum(axis=1)
    reg = make_regressor(max_iter=2).fit(X, y)
    together = reg.predict(X)
    alone = np.concatenate([reg.predict(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(alone, together, rtol=1e-7)
