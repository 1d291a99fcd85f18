"""Compiled steps shared by every fit of the same network (skrnn._engines)."""

import keras
import numpy as np
import pytest

from skrnn import _engines, _runners


@pytest.fixture
def fresh_pool(monkeypatch):
    """An empty pool for this test, counting the engines it builds."""
    pool = _engines._EnginePool(_engines.ENGINE_POOL_SIZE)
    monkeypatch.setattr(_engines, "_POOL", pool)
    built = []
    new_engine = _engines._new_engine

    def counting(model):
        built.append(model)
        return new_engine(model)

    monkeypatch.setattr(_engines, "_new_engine", counting)
    return pool, built


def test_fits_of_one_network_build_one_engine(fresh_pool, make_classifier, ragged_data):
    pool, built = fresh_pool
    X, y = ragged_data
    for seed in range(3):
        clf = make_classifier(random_state=seed, learning_rate_init=0.01 * (seed + 1))
        clf.fit(X, y).predict_proba(X)
    assert len(built) == 1
    assert len(pool) == 1
    # A different width is a different graph.
    make_classifier(units=7).fit(X, y)
    assert len(built) == 2


def test_sharing_changes_no_result(fresh_pool, make_classifier, ragged_data):
    """A model fitted after others used its engine equals one fitted alone."""
    pool, _ = fresh_pool
    X, y = ragged_data
    first = make_classifier(random_state=1, dropout=0.2).fit(X, y)
    proba_first = first.predict_proba(X)
    make_classifier(random_state=2, dropout=0.2).fit(X, y).predict_proba(X)
    # The second fit left its own state in the engine; the first is unaffected.
    np.testing.assert_array_equal(first.predict_proba(X), proba_first)
    pool.clear()
    alone = make_classifier(random_state=1, dropout=0.2).fit(X, y)
    np.testing.assert_array_equal(alone.predict_proba(X), proba_first)
    np.testing.assert_array_equal(alone.loss_curve_, first.loss_curve_)


def test_training_a_copy_leaves_the_source_intact(make_classifier, tiny_data):
    """copy_state gives the target buffers of its own.

    Keras' JAX trainer donates the state it is given to its compiled step, so
    a target sharing the source's arrays would delete the source's weights.
    """
    X, y = tiny_data
    source = make_classifier(max_iter=1).fit(X, y).model_
    target = _engines._new_engine(source)
    _engines.copy_state(source, target)
    before = source.get_weights()
    values = keras.ops.convert_to_numpy(keras.ops.zeros((2, 3, 3)))
    target.train_on_batch([values, np.array([3, 2])], np.array([0, 1]))
    for weight, kept in zip(source.get_weights(), before, strict=True):
        np.testing.assert_array_equal(weight, kept)


def test_estimators_sharing_an_engine_stay_usable(
    fresh_pool, make_classifier, tiny_data
):
    """Fits, predictions, pickles and refits that take turns on one engine."""
    import pickle

    X, y = tiny_data
    first = make_classifier(max_iter=2).fit(X, y)
    proba = first.predict_proba(X)
    second = make_classifier(max_iter=2, random_state=1).fit(X, y)
    second.predict_proba(X)
    np.testing.assert_array_equal(first.predict_proba(X), proba)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(first)).predict_proba(X), proba
    )
    first.partial_fit(X, y)
    second.partial_fit(X, y)
    first.predict_proba(X)


def test_the_pool_is_bounded_least_recently_used_first(
    fresh_pool, monkeypatch, make_classifier, tiny_data
):
    pool, built = fresh_pool
    pool.size = 2
    for units in (2, 3, 2, 4):
        make_classifier(units=units, max_iter=1).fit(*tiny_data)
    assert len(pool) == 2
    assert len(built) == 3
    # units=3 was the least recently used, so it was dropped and is rebuilt;
    # units=2 and 4 are still there.
    make_classifier(units=2, max_iter=1).fit(*tiny_data)
    make_classifier(units=4, max_iter=1).fit(*tiny_data)
    assert len(built) == 3
    make_classifier(units=3, max_iter=1).fit(*tiny_data)
    assert len(built) == 4


def test_key_ignores_seed_and_learning_rate_only(make_classifier, tiny_data):
    def key(**params):
        clf = make_classifier(max_iter=1, **params).fit(*tiny_data)
        return _engines.graph_key(clf.model_)

    base = key()
    assert base is not None
    assert key(random_state=5, learning_rate_init=0.1) == base
    for params in (
        {"dropout": 0.1},
        {"clipnorm": 0.5},
        {"optimizer": "sgd"},
        {"weight_average": None},
    ):
        assert key(**params) != base, params


def test_a_custom_activation_is_never_shared(fresh_pool, make_classifier, tiny_data):
    _, built = fresh_pool
    clf = make_classifier(activation=lambda x: keras.ops.tanh(x), max_iter=1)
    clf.fit(*tiny_data).predict(tiny_data[0])
    assert _engines.graph_key(clf.model_) is None
    assert built == []


def test_fits_of_one_network_trace_one_training_step(
    fresh_pool, monkeypatch, make_classifier, ragged_data
):
    """Batches of every width, and later fits, reuse the engine's one trace."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the concrete training step is TensorFlow's")
    traces = []
    trace_body = _engines._train_step_on

    def counting(engine_ref, data):
        traces.append(data)
        return trace_body(engine_ref, data)

    monkeypatch.setattr(_engines, "_train_step_on", counting)
    X, y = ragged_data
    for seed in range(2):
        clf = make_classifier(random_state=seed, batch_size=5, shuffle=seed == 0)
        clf.fit(X, y)
    assert {len(x) for x in X} != {max(len(x) for x in X)}  # widths vary
    assert len(traces) == 1
    # The same data in the other precision trains another network: a new graph.
    other = np.float32 if traces[0][0][0].dtype == "float64" else np.float64
    make_classifier(batch_size=5).fit([np.asarray(x, other) for x in X], y)
    assert len(traces) == 2


def test_a_cached_training_step_does_not_keep_its_model(make_classifier, tiny_data):
    """A model that is its own engine is freed with its estimator."""
    import gc
    import weakref

    clf = make_classifier(activation=lambda x: keras.ops.tanh(x), max_iter=2)
    clf.fit(*tiny_data)
    model = weakref.ref(clf.model_)
    del clf
    gc.collect()
    assert model() is None


def test_callbacks_see_and_steer_the_estimators_model(make_classifier, ragged_data):
    """At epoch end the model callbacks hold is current, and changes go back."""
    X, y = ragged_data
    seen = []

    class Freeze(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            # Trainable weights: a counter of updates changes regardless.
            seen.append([w.numpy().copy() for w in self.model.trainable_weights])
            # Stop learning after the second epoch.
            if epoch == 1:
                self.model.optimizer.learning_rate = 0.0

    # The fit keeps the last epoch's weights, not their average.
    clf = make_classifier(max_iter=4, callbacks=[Freeze()], weight_average=None)
    clf.fit(X, y)
    final = [w.numpy() for w in clf.model_.trainable_weights]
    for before, after in zip(seen[-1], final, strict=True):
        np.testing.assert_array_equal(before, after)
    assert not all(np.array_equal(a, b) for a, b in zip(seen[0], seen[1], strict=True))
    for later in seen[2:]:
        for a, b in zip(seen[1], later, strict=True):
            np.testing.assert_array_equal(a, b)


def test_an_interrupted_fit_leaves_the_engine_usable(
    fresh_pool, make_classifier, ragged_data
):
    X, y = ragged_data

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_classifier(callbacks=[Interrupt()]).fit(X, y)
    pool, built = fresh_pool
    assert len(pool) == 1
    clf = make_classifier().fit(X, y)
    pool.clear()
    np.testing.assert_array_equal(
        clf.predict_proba(X), make_classifier().fit(X, y).predict_proba(X)
    )


def test_fits_in_threads_equal_serial_fits(make_classifier, ragged_data):
    """Concurrent fits of one network borrow engines of their own."""
    from concurrent.futures import ThreadPoolExecutor

    X, y = ragged_data
    seeds = [0, 1, 2, 3]
    serial = [make_classifier(random_state=s).fit(X, y).predict_proba(X) for s in seeds]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(
            pool.map(
                lambda s: make_classifier(random_state=s).fit(X, y).predict_proba(X),
                seeds,
            )
        )
    for expected, got in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.fixture
def fresh_forwards(monkeypatch):
    """No forward pass compiled yet, for this test."""
    from collections import OrderedDict

    forwards = OrderedDict()
    monkeypatch.setattr(_engines, "_FORWARDS", forwards)
    return forwards


def test_models_of_one_graph_predict_through_one_trace(
    fresh_forwards, make_classifier, ragged_data
):
    X, y = ragged_data
    first = make_classifier(random_state=0).fit(X, y)
    second = make_classifier(random_state=1).fit(X, y)
    answers = [clf.predict_proba(X) for clf in (first, second, first)]
    # One graph, one compiled forward pass.
    assert len(fresh_forwards) == 1
    # Each model's answers come from its own weights: they are what its own
    # network computes, and the two models differ.
    for clf, proba in zip((first, second, first), answers, strict=True):
        values, lengths = clf._network_input(*clf._validate_X(X, None, reset=False))
        logits = np.asarray(clf.model_.predict_on_batch([values, lengths]), float)
        expected = np.exp(logits - logits.max(axis=1, keepdims=True))
        expected /= expected.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(answers[0], answers[1])
    np.testing.assert_array_equal(answers[0], answers[2])


def test_compiled_forward_passes_are_bounded(fresh_forwards):
    for n_features in range(1, _engines.ENGINE_POOL_SIZE + 4):
        values = keras.Input((None, n_features))
        lengths = keras.Input((), dtype="int32")
        model = keras.Model([values, lengths], keras.layers.SimpleRNN(2)(values))
        assert _runners.runner().forward(model) is not None
    assert len(fresh_forwards) == _engines.ENGINE_POOL_SIZE


def test_models_of_one_graph_predict_concurrently(make_classifier, ragged_data):
    """Threads share the compiled forward pass; each reads its own weights."""
    from concurrent.futures import ThreadPoolExecutor

    X, y = ragged_data
    models = [make_classifier(random_state=seed).fit(X, y) for seed in (0, 1)]
    serial = [clf.predict_proba(X) for clf in models]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda clf: clf.predict_proba(X), models * 8))
    for got, expected in zip(threaded, serial * 8, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_under_jax_a_network_compiles_a_few_programs(
    fresh_pool, monkeypatch, make_classifier, ragged_data
):
    """Batches of fixed rows and widths rounded to powers of two."""
    if keras.backend.backend() != "jax":
        pytest.skip("fixed batch shapes are the JAX runner's")
    pool, _ = fresh_pool
    X, y = ragged_data
    assert {len(x) for x in X} == set(range(2, 9))
    params = {"batch_size": 5, "early_stopping": False}
    clf = make_classifier(**params).fit(X, y)
    key = _engines.graph_key(clf.model_)
    engine = pool.take(key)
    pool.give_back(key, engine)
    step = _runners._JAX_STEPS[engine]
    # Every batch has 5 rows; a short epoch runs them all 8 steps wide.
    assert step._cache_size() == 1
    make_classifier(random_state=1, **params).fit(X, y)
    assert step._cache_size() == 1
    # Long epochs: widths 2..8 run as 2, 4 or 8 steps.
    monkeypatch.setattr(_runners, "JAX_ONE_WIDTH_BATCHES", 1)
    make_classifier(random_state=2, **params).fit(X, y)
    assert step._cache_size() <= 3
