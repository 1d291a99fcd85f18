"""The training loop: stopping, early stopping, callbacks, warm start, partial_fit."""

import warnings

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skrnn._training import (
    MAX_PLATEAU_UPDATES,
    MIN_LOSS_DROP,
    MIN_STALE_UPDATES,
    Stopping,
)


class RecordWeights(keras.callbacks.Callback):
    """Keeps each epoch's weights in a class attribute (deep copies share it)."""

    epochs = []

    def on_epoch_end(self, epoch, logs=None):
        RecordWeights.epochs.append((logs["val_accuracy"], self.model.get_weights()))


class CountEpochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = 0

    def on_epoch_end(self, epoch, logs=None):
        self.seen += 1


# ------------------------------------------------------------ stopping rules


def test_stops_on_plateau_and_warns_at_max_iter(make_classifier, cat_dog_data):
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        make_classifier(max_iter=2).fit(*cat_dog_data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = make_classifier(max_iter=500, tol=10.0, n_iter_no_change=2)
        clf.fit(*cat_dog_data)
    # One improving epoch; stale epochs count from the first epoch whose loss
    # is MIN_LOSS_DROP below the first's, and training stops after
    # n_iter_no_change of them, or more: at least MIN_STALE_UPDATES updates
    # (30 sequences, batches of 30).
    patience = max(2, MIN_STALE_UPDATES)
    assert clf.n_iter_ == _counting_from(clf, updates_per_epoch=1) + patience - 1
    clf = make_classifier(max_iter=500, tol=10.0, n_iter_no_change=2, batch_size=1)
    clf.fit(*cat_dog_data)
    # 30 updates an epoch: patience is ceil(MIN_STALE_UPDATES / 30) epochs.
    patience = max(2, -(-MIN_STALE_UPDATES // 30))
    assert clf.n_iter_ == _counting_from(clf, updates_per_epoch=30) + patience - 1


def _counting_from(clf, updates_per_epoch):
    """The first epoch (from 1) whose staleness counts: off the initial plateau."""
    first = clf.loss_curve_[0]
    for epoch, loss in enumerate(clf.loss_curve_, start=1):
        if (
            loss <= (1 - MIN_LOSS_DROP) * first
            or epoch * updates_per_epoch >= MAX_PLATEAU_UPDATES
        ):
            return max(epoch, 2)
    raise AssertionError("training stopped on its initial plateau")


def _rule(**kwargs):
    """A stopping rule patient for 3 epochs and no minimum of updates."""
    return Stopping(
        tol=1e-3, n_iter_no_change=3, adaptive=False, min_stale_updates=0, **kwargs
    )


def _epochs_until_stop(stopping, losses, scores=None):
    """Feed ``losses`` (and held-out ``scores``, if given; otherwise the
    monitored value is minus the loss) until a stop."""
    scores = [None] * len(losses) if scores is None else scores
    for epoch, (loss, score) in enumerate(zip(losses, scores, strict=True), start=1):
        if stopping.record_epoch(loss, optimizer=None, score=score):
            return epoch
    return None


def test_a_network_on_its_initial_plateau_is_not_stopped():
    # 40 flat epochs at the first epoch's loss, then it learns and levels off.
    losses = [0.70] * 40 + [0.30] + [0.30] * 10
    assert _epochs_until_stop(_rule(), losses) == 41 + 3
    # A continued fit (already trained) counts from its first epoch.
    assert _epochs_until_stop(_rule(plateau=False), losses) == 1 + 3
    # A drop smaller than MIN_LOSS_DROP still counts as the plateau.
    almost = (1 - MIN_LOSS_DROP / 2) * 0.70
    assert _epochs_until_stop(_rule(), [0.70, almost] + [almost] * 50) is None
    # The plateau lasts at most MAX_PLATEAU_UPDATES updates.
    per_epoch = MAX_PLATEAU_UPDATES // 10
    assert _epochs_until_stop(_rule(updates_per_epoch=per_epoch), [0.70] * 50) == 12


def test_a_network_that_has_not_beaten_its_first_held_out_score_is_not_stopped():
    """Held out, staleness counts once the score beats the first epoch's by
    ``tol`` (the loss having fallen too): a regressor's first held-out R² is
    about that of the mean target, which a network still learning may take
    longer than its patience to beat."""

    def epochs_until_stop(scores, losses=None, **kwargs):
        losses = losses or [0.70] + [0.30] * (len(scores) - 1)
        return _epochs_until_stop(_rule(**kwargs), losses, scores)

    # The loss falls at once; the held-out score stays at the first epoch's
    # (a tie within tol) for 30 epochs, then rises and levels off.
    scores = [0.0] * 30 + [0.0005] * 10 + [0.5] * 10
    assert epochs_until_stop(scores) == 41 + 3
    # Where the first epoch scored best, only MAX_PLATEAU_UPDATES end the wait.
    falling = [0.2] + [0.1] * 49
    assert epochs_until_stop(falling) is None
    per_epoch = MAX_PLATEAU_UPDATES // 10
    assert epochs_until_stop(falling, updates_per_epoch=per_epoch) == 12
    # A perfect first score cannot be beaten: it counts as beaten.
    assert epochs_until_stop([1.0] * 50) == 1 + 3
    # The loss must still have fallen.
    assert epochs_until_stop(scores, losses=[0.70] * 50) is None
    # A continued fit (already trained) counts from its first epoch.
    assert epochs_until_stop(scores, plateau=False) == 1 + 3


def test_adaptive_learning_rate_divides_by_five_until_tiny(
    make_classifier, training_data
):
    # 60 sequences in batches of 2: 30 updates an epoch, so each stale run
    # lasts ceil(MIN_STALE_UPDATES / 30) epochs (at least n_iter_no_change=1).
    clf = make_classifier(
        max_iter=200,
        learning_rate="adaptive",
        tol=100.0,
        n_iter_no_change=1,
        batch_size=2,
    ).fit(*training_data)
    patience = max(1, -(-MIN_STALE_UPDATES // 30))
    final = float(clf.model_.optimizer.learning_rate.numpy())
    # Epoch 1 improves; every later epoch off the initial plateau is stale.
    # 1e-3 / 5**k stays >= 1e-6 up to k = 4 (four stale runs divide), so the
    # fifth stale run stops.
    np.testing.assert_allclose(final, 1e-3 / 5**4, rtol=1e-5)
    counted_from = _counting_from(clf, updates_per_epoch=30)
    assert clf.n_iter_ == counted_from - 1 + 5 * patience


def test_divergence_is_reported(make_classifier):
    X = [np.full((4, 1), 1e200), np.full((3, 1), -1e200)] * 3
    # The recurrent network alone: no branch, whose normalisation would absorb
    # it, and no linear read of the steps.
    clf = make_classifier(
        units=4,
        max_iter=2,
        activation="linear",
        scaling=None,
        conv_filters=None,
        linear_steps=False,
    )
    with pytest.raises(ValueError, match="Training diverged"):
        clf.fit(X, [0, 1] * 3)


def test_verbose_prints_each_epoch_and_silent_otherwise(
    capsys, make_classifier, cat_dog_data
):
    X, labels = cat_dog_data
    clf = make_classifier(max_iter=3, verbose=1).fit(X, labels)
    clf.predict(X)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "loss: " in out and "accuracy: " in out
    make_classifier(max_iter=3).fit(X, labels).predict(X)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------ early stopping


def test_early_stopping_stops_early_and_restores_best_epoch(
    make_classifier, training_data
):
    RecordWeights.epochs = []
    clf = make_classifier(
        max_iter=300,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        learning_rate_init=0.02,
        callbacks=[RecordWeights()],
    ).fit(*training_data)
    assert clf.n_iter_ < 300
    assert clf.validation_scores_ == clf.history_["val_accuracy"]
    assert len(clf.validation_scores_) == clf.n_iter_ == len(RecordWeights.epochs)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(clf.history_)
    scores = [score for score, _ in RecordWeights.epochs]
    best_weights = RecordWeights.epochs[int(np.argmax(scores))][1]
    for kept, best in zip(clf.model_.get_weights(), best_weights, strict=True):
        np.testing.assert_array_equal(kept, best)


def test_without_early_stopping_no_validation_attributes(
    make_classifier, training_data
):
    clf = make_classifier().fit(*training_data)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert set(clf.history_) == {"loss", "accuracy"}


def test_too_small_validation_set_is_a_clear_error(make_classifier, training_data):
    X, Y = training_data
    with pytest.raises(ValueError, match="early_stopping cannot hold out"):
        clf = make_classifier(early_stopping=True, validation_fraction=0.01)
        clf.fit(X[:20], Y[:20])


# ----------------------------------------------------------------- callbacks


def test_callbacks_are_copied_not_shared(make_classifier, training_data):
    counter = CountEpochs()
    clf = make_classifier(max_iter=3, callbacks=[counter]).fit(*training_data)
    assert counter.seen == 0 and clf.callbacks[0] is counter
    copy = clone(clf)
    assert copy.callbacks[0] is not counter
    search = GridSearchCV(clf, {"units": [3, 5]}, cv=2).fit(*training_data)
    assert counter.seen == 0 and search.best_estimator_.callbacks[0] is not counter


def test_keras_early_stopping_callback_ends_training(make_classifier, training_data):
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    clf = make_classifier(max_iter=50, callbacks=[stop]).fit(*training_data)
    assert clf.n_iter_ == 2


# --------------------------------------------------- the average of the weights


def _weights_and_averages(clf):
    optimizer = clf.model_.optimizer
    weights = [np.asarray(v) for v in clf.model_.trainable_variables]
    # Keras keeps the average in the optimizer, one per trainable variable.
    averages = [np.asarray(v) for v in optimizer._model_variables_moving_average]
    return weights, averages


def test_fit_ends_on_the_average_of_the_weights(make_classifier, training_data):
    X, Y = training_data
    averaged = make_classifier(max_iter=6, weight_average=0.9).fit(X, Y)
    weights, averages = _weights_and_averages(averaged)
    assert len(weights) == len(averages) > 0
    for weight, average in zip(weights, averages, strict=True):
        np.testing.assert_array_equal(weight, average)
    last = make_classifier(max_iter=6, weight_average=None).fit(X, Y)
    assert not last.model_.optimizer.use_ema
    # The same updates, ending elsewhere: the average is not the last point.
    np.testing.assert_allclose(averaged.loss_curve_, last.loss_curve_, rtol=1e-5)
    assert not np.allclose(averaged.predict_proba(X), last.predict_proba(X))


class RecordAverages(keras.callbacks.Callback):
    """Whether the model held the optimizer's average at each epoch's end."""

    held = []

    def on_epoch_end(self, epoch, logs=None):
        weights = [v.numpy() for v in self.model.trainable_variables]
        averages = self.model.optimizer._model_variables_moving_average
        RecordAverages.held.append(
            all(
                np.array_equal(weight, average.numpy())
                for weight, average in zip(weights, averages, strict=True)
            )
        )


def test_early_stopping_scores_and_keeps_the_average_of_the_weights(
    make_classifier, training_data
):
    X, Y = training_data
    params = dict(
        max_iter=6, early_stopping=True, validation_fraction=0.2, n_iter_no_change=50
    )
    RecordAverages.held = []
    averaged = make_classifier(
        weight_average=0.5, callbacks=[RecordAverages()], **params
    ).fit(X, Y)
    # The held-out data scored the average, and callbacks saw it, each epoch.
    assert RecordAverages.held == [True] * averaged.n_iter_ == [True] * 6
    last = make_classifier(weight_average=None, **params).fit(X, Y)
    # Training went on from the last update's weights: the same updates.
    np.testing.assert_allclose(averaged.loss_curve_, last.loss_curve_, rtol=1e-5)
    # What was kept is an average, not the last update's weights.
    assert not np.allclose(averaged.predict_proba(X), last.predict_proba(X))


def test_partial_fit_keeps_the_last_updates_weights(make_classifier, training_data):
    X, Y = training_data
    averaged, last = (
        make_classifier(weight_average=0.5),
        make_classifier(weight_average=None),
    )
    for _ in range(2):
        averaged.partial_fit(X, Y, classes=[0, 1])
        last.partial_fit(X, Y, classes=[0, 1])
    np.testing.assert_allclose(
        averaged.predict_proba(X), last.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    weights, averages = _weights_and_averages(averaged)
    assert not all(np.allclose(w, a) for w, a in zip(weights, averages, strict=True))


def test_weight_average_must_lie_between_zero_and_one(make_classifier, tiny_data):
    for value in (0.0, 1.0, 1.5, "yes"):
        with pytest.raises(ValueError, match="'weight_average' parameter"):
            make_classifier(weight_average=value).fit(*tiny_data)


# ---------------------------------------------------- partial_fit, warm start


def test_partial_fit_k_calls_equal_k_epochs(make_classifier, training_data):
    X, Y = training_data
    k = 3
    clf = make_classifier()
    for _ in range(k):
        clf.partial_fit(X, Y, classes=[0, 1])
    assert clf.n_iter_ == k and len(clf.history_["loss"]) == k
    assert clf.t_ == k * len(X)
    # fit ends on the average of the weights, partial_fit on the last
    # update's (test_partial_fit_keeps_the_last_updates_weights).
    reference = make_classifier(
        max_iter=k, tol=0.0, n_iter_no_change=k + 1, weight_average=None
    )
    reference.fit(X, Y)
    np.testing.assert_allclose(clf.history_["loss"], reference.history_["loss"])
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_partial_fit_needs_classes_first_and_known_labels(
    make_classifier, training_data
):
    X, Y = training_data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        make_classifier().partial_fit(X, Y)
    clf = make_classifier().partial_fit(X[:10], np.zeros(10, int), classes=[0, 1])
    assert clf.predict(X).shape == (60,)
    with pytest.raises(ValueError, match=r"labels \[7\] that are not among"):
        clf.partial_fit(X[:3], [0, 7, 1])
    with pytest.raises(ValueError, match="X has 2 features per step"):
        clf.partial_fit([x[:, :2] for x in X[:4]], Y[:4])


def test_warm_start_continues_from_last_weights(make_classifier, training_data):
    X, Y = training_data
    # Without the average of the weights, which each fit would end on.
    settings = {"shuffle": False, "tol": 0.0, "weight_average": None}
    two_plus_two = make_classifier(max_iter=2, warm_start=True, **settings)
    two_plus_two.fit(X, Y).fit(X, Y)
    four = make_classifier(max_iter=4, **settings).fit(X, Y)
    assert two_plus_two.n_iter_ == 4 and two_plus_two.t_ == 4 * len(X)
    np.testing.assert_allclose(two_plus_two.loss_curve_, four.loss_curve_)
    np.testing.assert_array_equal(two_plus_two.predict_proba(X), four.predict_proba(X))


@pytest.mark.parametrize(
    "change, match",
    [
        ("labels", "classes of the previous fit"),
        ("features", "X has 2 features per step"),
        ("units", "units changed since the network was built"),
    ],
)
def test_warm_start_refuses_a_different_problem(
    change, match, make_classifier, training_data
):
    X, Y = training_data
    clf = make_classifier(max_iter=1, warm_start=True).fit(X, Y)
    before = clf.predict_proba(X)
    new_X, new_y = X, Y
    if change == "labels":
        new_y = np.array(["a", "b"])[Y]
    elif change == "features":
        new_X = [x[:, :2] for x in X]
    else:
        clf.set_params(units=3)
    with pytest.raises(ValueError, match=match):
        clf.fit(new_X, new_y)
    clf.set_params(units=6)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


# ------------------------------------------------------------ weights, batches


def test_sample_weight_zero_gives_the_predictions_and_loss_of_dropping(
    make_classifier, training_data
):
    X, Y = training_data
    weights = np.ones(len(X))
    weights[::4] = 0
    kept = [x for x, w in zip(X, weights, strict=True) if w]
    # One batch per epoch, so the two fits see the same sequences in each update.
    params = {"max_iter": 5, "batch_size": len(X), "shuffle": False}
    a = make_classifier(**params).fit(X, Y, sample_weight=weights)
    b = make_classifier(**params).fit(kept, Y[weights > 0])
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)
    np.testing.assert_allclose(a.feature_mean_, b.feature_mean_, rtol=1e-12)
    assert not np.shares_memory(weights, a.history_["loss"])
    np.testing.assert_array_equal(weights[::4], 0)


def test_length_buckets_cover_every_sequence_once_with_similar_lengths():
    from skrnn._training import _batches

    lengths = np.random.RandomState(0).randint(10, 201, size=4000)
    rng = np.random.RandomState(1)
    first = _batches(lengths, 64, True, rng)
    second = _batches(lengths, 64, True, rng)
    assert sorted(np.concatenate(first).tolist()) == list(range(4000))
    padded_steps = sum(len(b) * lengths[b].max() for b in first)
    # Random batches would pad ~1.9x the real steps; jittered buckets ~1.1x.
    assert padded_steps / lengths.sum() < 1.2
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    again = _batches(lengths, 64, True, np.random.RandomState(1))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert len(first[0]) == 4000 % 64  # the smaller batch comes first
    ordered = _batches(lengths, 64, False, rng)
    np.testing.assert_array_equal(np.sort(np.concatenate(ordered)), np.arange(4000))


def test_early_stopping_auto_for_a_classifier(make_classifier, training_data):
    X, y = training_data
    # 60 sequences hold out 6; 40 would hold out only 4, too few to stop on.
    held = make_classifier(early_stopping="auto").fit(X, y)
    assert held.validation_scores_ == held.history_["val_accuracy"]
    alone = make_classifier(early_stopping="auto").fit(X[:40], y[:40])
    assert alone.validation_scores_ is None
    # A class too rare to stratify: 'auto' trains on everything.
    rare = np.where(np.arange(60) == 0, 2, y)
    rare_fit = make_classifier(early_stopping="auto").fit(X, rare)
    assert rare_fit.validation_scores_ is None
    with pytest.raises(ValueError, match="early_stopping cannot hold out"):
        make_classifier(early_stopping=True).fit(X, rare)


def test_partial_fit_refuses_early_stopping(make_classifier, scales_data):
    X_scales, y_scales = scales_data
    with pytest.raises(ValueError, match="partial_fit .* early_stopping=True"):
        make_classifier(max_iter=3, early_stopping=True).partial_fit(
            X_scales, y_scales, classes=[0, 1]
        )


def test_convergence_warning_points_at_the_callers_line(make_classifier, scales_data):
    X_scales, y_scales = scales_data
    for model in (
        make_classifier(max_iter=1),
        make_pipeline(make_classifier(max_iter=1)),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X_scales, y_scales)
        (warning,) = [w for w in caught if w.category is ConvergenceWarning]
        assert warning.filename == __file__


def test_held_out_sequences_never_shape_what_is_learned_from_the_input(
    make_regressor, monkeypatch
):
    import skrnn._base

    held_out = []
    split = skrnn._base.train_test_split

    def recording_split(*args, **kwargs):
        train, validation = split(*args, **kwargs)
        held_out.append(validation)
        return train, validation

    monkeypatch.setattr(skrnn._base, "train_test_split", recording_split)
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in rng.randint(5, 40, size=50)]
    y = np.array([x[:, 0].sum() for x in X])
    params = {"early_stopping": True, "validation_fraction": 0.2, "max_iter": 2}
    learned = ("window_", "feature_mean_", "feature_scale_")
    learned += ("target_mean_", "target_scale_")

    def fit_with(i):
        """Fit with sequence ``i`` the longest by far, 100 times larger."""
        X_changed, y_changed = list(X), y.copy()
        X_changed[i] = np.tile(X[i] * 100, (-(-200 // len(X[i])), 1))
        y_changed[i] *= 100
        return make_regressor(**params).fit(X_changed, y_changed)

    base = make_regressor(**params).fit(X, y)
    validation = held_out[0]
    training = np.setdiff1d(np.arange(len(X)), validation)
    for index, should_change in ((validation[0], False), (training[0], True)):
        changed = fit_with(index)
        np.testing.assert_array_equal(held_out[-1], validation)
        for name in learned:
            same = np.array_equal(getattr(changed, name), getattr(base, name))
            assert same != should_change, (name, index)


@pytest.mark.parametrize("per_step", [False, True])
def test_a_padded_batch_trains_like_the_batch_itself(
    per_step, make_classifier, make_tagger, ragged_data
):
    """Rows of weight zero and steps past every end change no update.

    A batch padded to a fixed shape (as under JAX) divides Keras' loss by
    more rows and steps; the real rows' weights are scaled to make up for it.
    """
    from skrnn._engines import _new_engine, copy_state
    from skrnn._training import Dataset

    X, y = ragged_data
    if per_step:
        tags = [(x[:, 0] > 0).astype(int) for x in X]
        model = make_tagger(embedding_dim=None, max_iter=1).fit(X, tags).model_
    else:
        model = make_classifier(max_iter=1).fit(X, y).model_
    rng = np.random.RandomState(0)
    n, width, data_width = 5, 6, 16
    lengths = np.array([6, 2, 5, 3, 6])
    values = rng.normal(size=(n, data_width, 3)).astype(model.inputs[0].dtype)
    if per_step:
        targets = rng.randint(0, 2, size=(n, data_width))
        real = np.arange(data_width) < lengths[:, None]
        weights = real * rng.uniform(0.5, 2, size=(n, 1))
    else:
        targets = rng.randint(0, 2, size=n)
        weights = rng.uniform(0.5, 2, size=n)
    data = Dataset(values, lengths, targets, weights.astype(np.float32))
    exact = data.batch(np.arange(n), width)
    padded = data.batch(np.arange(n), data_width, rows=8)
    assert padded[0][0].shape[:2] == (8, data_width)
    trained, losses = [], []
    for inputs, batch_targets, batch_weights in (exact, padded):
        engine = _new_engine(model)
        copy_state(model, engine)
        logs = engine.train_on_batch(
            inputs, batch_targets, sample_weight=batch_weights, return_dict=True
        )
        losses.append(logs["loss"])
        trained.append(engine.get_weights())
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-6)
    for a, b in zip(*trained, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
