"""Training controls: early stopping, warm start, partial_fit, weights, callbacks."""

import keras
import matplotlib
import numpy as np
import pytest
from conftest import make_ragged
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skrnn import SequenceRNNClassifier, TrainingCurveDisplay

matplotlib.use("Agg")

X, Y = make_ragged(n=60, seed=3)


def small(**params):
    params = {"units": 6, "max_iter": 4, "random_state": 0, **params}
    return SequenceRNNClassifier(**params)


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


def test_early_stopping_stops_early_and_restores_best_epoch():
    RecordWeights.epochs = []
    clf = small(
        max_iter=300,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        learning_rate_init=0.02,
        callbacks=[RecordWeights()],
    ).fit(X, Y)
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


def test_without_early_stopping_no_validation_attributes():
    clf = small().fit(X, Y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert set(clf.history_) == {"loss", "accuracy"}


def test_too_small_validation_set_is_a_clear_error():
    with pytest.raises(ValueError, match="early_stopping cannot hold out"):
        small(early_stopping=True, validation_fraction=0.01).fit(X[:20], Y[:20])


def test_partial_fit_k_calls_equal_k_epochs():
    k = 3
    clf = small()
    for _ in range(k):
        clf.partial_fit(X, Y, classes=[0, 1])
    assert clf.n_iter_ == k and len(clf.history_["loss"]) == k
    assert clf.t_ == k * len(X)
    reference = small(max_iter=k, tol=0.0, n_iter_no_change=k + 1).fit(X, Y)
    np.testing.assert_allclose(clf.history_["loss"], reference.history_["loss"])
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_partial_fit_needs_classes_first_and_known_labels():
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        small().partial_fit(X, Y)
    clf = small().partial_fit(X[:10], np.zeros(10, int), classes=[0, 1])
    assert clf.predict(X).shape == (60,)
    with pytest.raises(ValueError, match=r"labels \[7\] that are not among"):
        clf.partial_fit(X[:3], [0, 7, 1])
    with pytest.raises(ValueError, match="X has 2 features per step"):
        clf.partial_fit([x[:, :2] for x in X[:4]], Y[:4])


def test_warm_start_continues_from_last_weights():
    two_plus_two = small(max_iter=2, warm_start=True, shuffle=False, tol=0.0)
    two_plus_two.fit(X, Y).fit(X, Y)
    four = small(max_iter=4, shuffle=False, tol=0.0).fit(X, Y)
    assert two_plus_two.n_iter_ == 4 and two_plus_two.t_ == 4 * len(X)
    np.testing.assert_allclose(two_plus_two.loss_curve_, four.loss_curve_)
    np.testing.assert_array_equal(two_plus_two.predict_proba(X), four.predict_proba(X))


@pytest.mark.parametrize(
    "change, match",
    [
        ({"y": np.array(["a", "b"])[Y]}, "classes of the previous fit"),
        ({"X": [x[:, :2] for x in X]}, "X has 2 features per step"),
        ({"units": 3}, "units changed since the network was built"),
    ],
)
def test_warm_start_refuses_a_different_problem(change, match):
    clf = small(max_iter=1, warm_start=True).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(**{k: v for k, v in change.items() if k not in ("X", "y")})
    with pytest.raises(ValueError, match=match):
        clf.fit(change.get("X", X), change.get("y", Y))
    clf.set_params(units=6)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_class_weight_balanced_changes_the_decision():
    rng = np.random.RandomState(0)
    n = 200
    y = (rng.uniform(size=n) < 0.15).astype(int)
    X_imb = [rng.normal(loc=0.7 * label, size=(5, 2)) for label in y]
    plain = small(max_iter=40, learning_rate_init=0.01).fit(X_imb, y)
    balanced = small(max_iter=40, learning_rate_init=0.01, class_weight="balanced")
    balanced.fit(X_imb, y)
    recall_plain = (plain.predict(X_imb)[y == 1] == 1).mean()
    recall_balanced = (balanced.predict(X_imb)[y == 1] == 1).mean()
    assert recall_balanced > recall_plain + 0.15


def test_class_weight_dict_is_keyed_by_label():
    labels = np.array(["no", "yes"])[Y]
    by_class = small(class_weight={"yes": 3.0}).fit(X, labels)
    by_sample = small().fit(X, labels, sample_weight=np.where(labels == "yes", 3, 1))
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    with pytest.raises(ValueError, match=r"class_weight has labels \['maybe'\]"):
        small(class_weight={"maybe": 2.0}).fit(X, labels)
    with pytest.raises(ValueError, match="partial_fit does not support it"):
        small(class_weight="balanced").partial_fit(X, labels, classes=["no", "yes"])


def test_callbacks_are_copied_not_shared():
    counter = CountEpochs()
    clf = small(max_iter=3, callbacks=[counter]).fit(X, Y)
    assert counter.seen == 0 and clf.callbacks[0] is counter
    copy = clone(clf)
    assert copy.callbacks[0] is not counter
    search = GridSearchCV(clf, {"units": [3, 5]}, cv=2).fit(X, Y)
    assert counter.seen == 0 and search.best_estimator_.callbacks[0] is not counter


def test_keras_early_stopping_callback_ends_training():
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    clf = small(max_iter=50, callbacks=[stop]).fit(X, Y)
    assert clf.n_iter_ == 2


@pytest.mark.parametrize(
    "optimizer, cls", [("sgd", "SGD"), ("rmsprop", "RMSprop"), ("adam", "Adam")]
)
def test_optimizer_choices_and_clipnorm(optimizer, cls):
    clf = small(optimizer=optimizer, momentum=0.5, clipnorm=1.0).fit(X, Y)
    assert type(clf.model_.optimizer).__name__ == cls
    assert clf.model_.optimizer.clipnorm == 1.0
    if optimizer == "sgd":
        assert clf.model_.optimizer.momentum == 0.5


def test_adaptive_learning_rate_divides_by_five_until_tiny():
    clf = small(
        max_iter=100, learning_rate="adaptive", tol=100.0, n_iter_no_change=1
    ).fit(X, Y)
    final = float(keras.ops.convert_to_numpy(clf.model_.optimizer.learning_rate))
    # Epoch 1 improves; each later epoch is stale. 1e-3 / 5**k stays >= 1e-6
    # up to k = 4 (epochs 2-5 divide), so epoch 6 stops.
    np.testing.assert_allclose(final, 1e-3 / 5**4, rtol=1e-5)
    assert clf.n_iter_ == 6


def test_sample_weight_zero_equals_dropping():
    weights = np.ones(len(X))
    weights[::4] = 0
    kept = [x for x, w in zip(X, weights, strict=True) if w]
    a = small(max_iter=3).fit(X, Y, sample_weight=weights)
    b = small(max_iter=3).fit(kept, Y[weights > 0])
    assert a.n_iter_ == b.n_iter_
    assert not np.shares_memory(weights, a.history_["loss"])
    np.testing.assert_array_equal(weights[::4], 0)


def test_training_curve_display(tmp_path):
    import matplotlib.pyplot as plt

    clf = small(early_stopping=True, max_iter=6).fit(X, Y)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert set(display.lines_) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(), clf.loss_curve_)
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"
    display.figure_.savefig(tmp_path / "curve.png")
    assert (tmp_path / "curve.png").stat().st_size > 0
    _, ax = plt.subplots()
    assert TrainingCurveDisplay.from_estimator(clf, ax=ax).ax_ is ax
    plt.close("all")
    with pytest.raises(Exception, match="not fitted"):
        TrainingCurveDisplay.from_estimator(small())


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
