"""SequenceRNNTagger: aligned labels, and outputs ended by an EOS label."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.utils import estimator_checks

import skrnn
from skrnn import SequenceRNNTagger
from skrnn._tasks import sequence_accuracy

rng = np.random.RandomState(0)
TOKENS = [rng.randint(0, 2, size=n) for n in rng.randint(3, 12, size=200)]
PARITY = [np.cumsum(x) % 2 for x in TOKENS]


def copy_until_marker(n, seed):
    """Tokens 1..5, a marker 6, then noise; the output copies up to the marker."""
    rng = np.random.RandomState(seed)
    X, Y = [], []
    for _ in range(n):
        body = rng.randint(1, 6, size=rng.randint(1, 7))
        X.append(np.concatenate([body, [6], rng.randint(1, 6, size=rng.randint(0, 4))]))
        Y.append(body)
    return X, Y


COPY_X, COPY_Y = copy_until_marker(200, seed=1)


@pytest.mark.slow
def test_aligned_mode_learns_running_parity(make_tagger):
    tagger = make_tagger(eos_label=None).fit(TOKENS[:150], PARITY[:150])
    predicted = tagger.predict(TOKENS[150:])
    assert [len(p) for p in predicted] == [len(x) for x in TOKENS[150:]]
    assert tagger.score(TOKENS[150:], PARITY[150:]) >= 0.99
    proba = tagger.predict_proba(TOKENS[150:153])
    assert [p.shape for p in proba] == [(len(x), 2) for x in TOKENS[150:153]]
    np.testing.assert_allclose([p.sum(axis=1) for p in proba[:1]], 1.0)


@pytest.mark.slow
def test_eos_mode_learns_where_outputs_end(make_tagger):
    tagger = make_tagger(max_iter=60).fit(COPY_X[:150], COPY_Y[:150])
    assert tagger.score(COPY_X[150:], COPY_Y[150:]) >= 0.99
    assert "<eos>" not in tagger.classes_.tolist()
    predicted = tagger.predict(COPY_X[150:])
    assert [len(p) for p in predicted] == [len(y) for y in COPY_Y[150:]]


def test_predictions_stop_at_the_first_predicted_eos(make_tagger):
    tagger = make_tagger(max_iter=3).fit(COPY_X, COPY_Y)
    eos = len(tagger.classes_)
    for proba, labels, x in zip(
        tagger.predict_proba(COPY_X), tagger.predict(COPY_X), COPY_X, strict=True
    ):
        assert proba.shape == (len(x) + 1, eos + 1)
        best = proba.argmax(axis=1)
        ends = np.flatnonzero(best == eos)
        cut = ends[0] if len(ends) else len(x)
        np.testing.assert_array_equal(labels, tagger.classes_[best[:cut]])


def test_targets_past_eos_never_change_the_loss(make_tagger):
    noisy = [
        np.concatenate([y, ["<eos>"], rng.choice(["1", "2", "3"], size=3)])
        for y in (np.array(y).astype(str) for y in COPY_Y)
    ]
    clean = [np.array(y).astype(str) for y in COPY_Y]
    a = make_tagger(max_iter=4).fit(COPY_X, clean)
    b = make_tagger(max_iter=4).fit(COPY_X, noisy)
    assert a.history_["loss"] == b.history_["loss"]
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    # A user label as EOS works the same way.
    numbers = [np.append(y, 0) for y in COPY_Y]
    c = make_tagger(max_iter=4, eos_label=0).fit(COPY_X, numbers)
    assert 0 not in c.classes_.tolist()


def test_outputs_longer_than_inputs_with_max_output_length(make_tagger):
    X = [np.array([t]) for t in rng.randint(1, 4, size=150)]
    Y = [np.full(int(x[0]) * 2, x[0]) for x in X]  # 1 -> [1, 1], 3 -> [3]*6
    with pytest.raises(ValueError, match="Set max_output_length"):
        make_tagger().fit(X, Y)
    tagger = make_tagger(max_output_length=6, max_iter=80).fit(X, Y)
    assert tagger.score(X, Y) >= 0.99
    assert [len(p) for p in tagger.predict([np.array([3]), np.array([1])])] == [6, 2]


def test_bidirectional_and_numeric_input(make_tagger):
    X = [rng.normal(size=(n, 2)) for n in rng.randint(3, 9, size=60)]
    Y = [(x[:, 0] > 0).astype(int) for x in X]
    for eos_label in (None, "<eos>"):
        tagger = make_tagger(
            bidirectional=True, embedding_dim=None, eos_label=eos_label
        )
        predicted = tagger.set_params(max_iter=3).fit(X, Y).predict(X)
        assert len(predicted) == 60


def test_score_counts_length_mismatches_as_wrong_steps():
    assert sequence_accuracy(np.array([1, 2]), np.array([1, 2, 3, 4])) == 0.5
    assert sequence_accuracy(np.array([1, 2, 9]), np.array([1, 2])) == 2 / 3
    assert sequence_accuracy(np.array([]), np.array([])) == 1.0


def test_bad_targets_are_clear_errors(make_tagger):
    with pytest.raises(ValueError, match="X has 200 sequences but Y has 2"):
        make_tagger().fit(TOKENS, PARITY[:2])
    with pytest.raises(ValueError, match=r"Y\[0\] has 1 labels but X\[0\] has"):
        make_tagger(eos_label=None).fit(TOKENS, [[0]] + PARITY[1:])
    with pytest.raises(ValueError, match=r"Y\[0\] has shape \(2, 2\)"):
        make_tagger().fit(TOKENS, [np.zeros((2, 2))] + PARITY[1:])
    with pytest.raises(TypeError, match="Y must be a list of label sequences"):
        make_tagger().fit(TOKENS, 5)


def test_works_with_sklearn_tools_and_saving(tmp_path, make_tagger):
    search = GridSearchCV(make_tagger(max_iter=2), {"units": [4, 8]}, cv=2)
    search.fit(COPY_X, COPY_Y)
    assert 0 <= search.best_score_ <= 1
    assert cross_val_score(make_tagger(max_iter=2), COPY_X, COPY_Y, cv=2).shape == (2,)
    fitted = make_tagger(max_iter=2).fit(COPY_X, COPY_Y)
    assert not hasattr(clone(fitted), "model_")
    fitted.save(tmp_path / "tagger.skrnn")
    for loaded in (
        skrnn.load(tmp_path / "tagger.skrnn"),
        pickle.loads(pickle.dumps(fitted)),
    ):
        for a, b in zip(loaded.predict(COPY_X), fitted.predict(COPY_X), strict=True):
            np.testing.assert_array_equal(a, b)


# scikit-learn's checks that do not fit on one label per sample. The others
# cannot apply: they fit on y with one label (or value) per sample and compare
# predictions of that shape, while a tagger's targets and predictions are
# sequences of labels.
APPLICABLE_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
    "check_estimator_cloneable",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_estimators_unfitted",
    "check_valid_tag_types",
]


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_applicable_sklearn_checks(check):
    getattr(estimator_checks, check)("SequenceRNNTagger", SequenceRNNTagger())


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("eos_label", [None, "<eos>"])
def test_a_sequence_is_tagged_the_same_alone_or_in_a_batch(
    bidirectional, eos_label, make_tagger
):
    X = [rng.normal(size=(n, 2)).astype(np.float32) for n in (2, 9, 4, 6)]
    Y = [(x[:, 0] > 0).astype(int) for x in X]
    tagger = make_tagger(
        embedding_dim=None,
        bidirectional=bidirectional,
        eos_label=eos_label,
        max_output_length=None if eos_label is None else 7,
        max_iter=2,
    ).fit(X * 5, Y * 5)
    together = tagger.predict_proba(X)
    for x, batched in zip(X, together, strict=True):
        np.testing.assert_allclose(tagger.predict_proba([x])[0], batched, rtol=1e-5)


@pytest.mark.parametrize("eos_label", [None, 9])
def test_early_stopping_monitors_the_accuracy_that_score_reports(eos_label):
    # The held-out accuracy early stopping keeps the best epoch by is score's
    # per-sequence accuracy, not the per-step accuracy of the training loss.
    from skrnn._tasks import Tagging

    rng = np.random.RandomState(0)
    lengths = rng.randint(2, 7, size=12)
    values = np.zeros((12, lengths.max(), 1))
    if eos_label is None:
        Y = [rng.randint(0, 3, size=n) for n in lengths]
    else:
        Y = [rng.randint(0, 3, size=rng.randint(0, n + 1)) for n in lengths]
    weights = rng.uniform(0.5, 2.0, size=12)
    task = Tagging(eos_label=eos_label)
    targets = task.read_targets(Y, values, lengths, None, partial=False)
    data = targets.data
    data.weights = task.sample_weights(weights, targets, partial=False)
    fitted = task.with_attributes(targets.attributes)
    outputs = rng.normal(size=(12, data.values.shape[1], 3 + (eos_label is not None)))
    logs = fitted.validation_logs(outputs, data)
    predicted = fitted.predict(outputs, data.widths)
    assert logs["val_accuracy"] == pytest.approx(
        fitted.score(Y, predicted, sample_weight=weights)
    )
    per_step = (outputs.argmax(axis=2) == data.targets)[data.weights > 0].mean()
    assert logs["val_accuracy"] != pytest.approx(per_step)
