"""The Keras network: masking by length, last-step and EOS read-out, options."""

import copy
import warnings

import keras
import numpy as np
import pytest
from conftest import pad
from sklearn.exceptions import ConvergenceWarning

from skrnn._model import LINEAR_STEPS_SCALE
from skrnn._runners import runner

# predict equals the model called on one sequence exactly under TensorFlow;
# under JAX, skrnn's compiled forward pass (padded, in fixed shapes) fuses
# float32 operations differently from Keras' own call, so the two agree to
# float32 rounding.
RTOL = 1e-7 if keras.backend.backend() == "tensorflow" else 1e-6
# What float64 input trains in: float64 where the backend computes in it
# (TensorFlow; JAX only with jax_enable_x64, which is off by default).
FLOAT64 = "float64" if runner().float64 else "float32"


def with_params(clf, **params):
    """A shallow copy sharing the fitted model, read with other input params."""
    return copy.copy(clf).set_params(**params)


# ---------------- one fitted model, many ways of writing the same sequences


def test_every_input_form_gives_the_same_probabilities(fitted_network):
    clf, X = fitted_network
    expected = clf.predict_proba(X)
    lengths = [len(x) for x in X]
    rng = np.random.RandomState(1)
    garbage = pad(X, value=0.0) + rng.normal(size=pad(X).shape) * np.isnan(pad(X))
    forms = {
        "nan post-padded": (clf, pad(X), {}),
        "nan pre-padded": (with_params(clf, padding="pre"), pad(X, side="pre"), {}),
        "zero-padded": (with_params(clf, mask_value=0.0), pad(X, value=0.0), {}),
        "sequence_length": (clf, garbage, {"sequence_length": lengths}),
        "pre + sequence_length": (
            with_params(clf, padding="pre"),
            pad(X, value=7.0, side="pre"),
            {"sequence_length": lengths},
        ),
        "tuple": (clf, tuple(X), {}),
        "float32": (clf, pad(X).astype(np.float32), {}),
    }
    for name, (reader, data, kwargs) in forms.items():
        got = reader.predict_proba(data, **kwargs)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=name)


def test_more_padding_never_changes_a_prediction(fitted_network):
    clf, X = fitted_network
    expected = clf.predict_proba(X)
    longest = max(len(x) for x in X)
    for extra in (1, 5, 40):
        got = clf.predict_proba(pad(X, width=longest + extra))
        np.testing.assert_allclose(got, expected, rtol=1e-10)
        pre = with_params(clf, padding="pre")
        got = pre.predict_proba(pad(X, width=longest + extra, side="pre"))
        np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_interior_mask_value_step_is_data(fitted_network):
    clf, X = fitted_network
    zero_padded = with_params(clf, mask_value=0.0)
    seq = X[0].copy()
    seq[1] = 0.0  # an all-zero step inside the sequence
    as_array = pad([seq, X[1]], value=0.0)
    got = zero_padded.predict_proba(as_array)[0]
    np.testing.assert_allclose(got, clf.predict_proba([seq, X[1]])[0], rtol=1e-10)
    dropped = np.delete(seq, 1, axis=0)
    assert not np.allclose(got, clf.predict_proba([dropped, X[1]])[0])


def test_anything_after_eos_is_ignored(fitted_network):
    clf, X = fitted_network
    eos = with_params(clf, eos_value=-9.0)
    marker = np.full((1, X[0].shape[1]), -9.0)
    rng = np.random.RandomState(2)
    ended = [np.vstack([x, marker]) for x in X]
    expected = clf.predict_proba(ended)
    for tail_length in (1, 3, 10):
        tails = [rng.normal(size=(tail_length, x.shape[1])) * 50 for x in X]
        extended = [np.vstack([e, t]) for e, t in zip(ended, tails, strict=True)]
        np.testing.assert_allclose(eos.predict_proba(extended), expected, rtol=1e-10)
        # Also inside a NaN-padded array, even if the tail holds NaN.
        padded = pad(extended)
        padded[0, len(ended[0])] = np.nan
        np.testing.assert_allclose(eos.predict_proba(padded), expected, rtol=1e-10)


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_maxlen_keeps_the_documented_steps(fitted_network, truncating):
    clf, X = fitted_network
    maxlen = 3
    truncated = with_params(clf, maxlen=maxlen, truncating=truncating)
    kept = [x[-maxlen:] if truncating == "pre" else x[:maxlen] for x in X]
    np.testing.assert_allclose(
        truncated.predict_proba(X), clf.predict_proba(kept), rtol=1e-10
    )


def test_output_equals_forward_pass_over_each_unpadded_sequence(fitted_network):
    clf, X = fitted_network
    proba = clf.predict_proba(X)
    for i, seq in enumerate(X):
        # The network reads the sequence as the estimator hands it over:
        # windows side by side, then scaled.
        values, lengths = clf._network_input(seq[None], np.array([len(seq)]))
        # Keras' own compiled call (JAX's eager call of a recurrent layer
        # retraces its loop each time: seconds per sequence).
        logits = clf.model_.predict_on_batch([values, lengths])
        logits = np.asarray(logits)[0]
        expected = np.exp(logits - logits.max())
        expected /= expected.sum()
        np.testing.assert_allclose(proba[i], expected, rtol=RTOL)


def test_univariate_forms_agree(make_classifier):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=n) for n in (3, 5, 2, 6, 4, 5)]
    y = [0, 1, 0, 1, 0, 1]
    clf = make_classifier(units=4, max_iter=2).fit(X, y)
    expected = clf.predict_proba(X)
    padded = pad([x[:, None] for x in X])[:, :, 0]
    np.testing.assert_allclose(clf.predict_proba(padded), expected, rtol=1e-10)
    as_2d_items = [x[:, None] for x in X]
    np.testing.assert_allclose(clf.predict_proba(as_2d_items), expected, rtol=1e-10)


def test_token_forms_agree(make_classifier):
    rng = np.random.RandomState(0)
    X = [rng.randint(1, 10, size=n) for n in (3, 5, 2, 6, 4, 5)]
    y = ["a", "b", "a", "b", "a", "b"]
    clf = make_classifier(units=4, embedding_dim=3, max_iter=2, eos_value=9)
    clf.fit(X, y)
    assert clf.n_features_in_ == 1
    expected = clf.predict_proba(X)
    zero_padded = np.zeros((len(X), 8), dtype=int)
    for i, x in enumerate(X):
        zero_padded[i, : len(x)] = x
    np.testing.assert_allclose(clf.predict_proba(zero_padded), expected, rtol=1e-10)
    cut = [x[: list(x).index(9) + 1] if 9 in x else x for x in X]
    no_eos = with_params(clf, eos_value=None)
    np.testing.assert_allclose(no_eos.predict_proba(cut), expected, rtol=1e-10)


# ------------------------------------------------- building and compiling


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "lstm"},
        {"cell": "gru", "bidirectional": True},
        {"units": (5, 3), "dropout": 0.2, "recurrent_dropout": 0.1},
        {"activation": "relu", "alpha": 0.0, "batch_size": 7, "shuffle": False},
    ],
)
def test_network_options_train_and_predict(params, make_classifier, cat_dog_data):
    X, labels = cat_dog_data
    clf = make_classifier(**params).fit(X, labels)
    assert clf.predict(X).shape == (30,)
    assert clf.n_iter_ >= 1 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.t_ == clf.n_iter_ * 30


def test_float32_input_trains_in_float32(make_classifier, cat_dog_data):
    X, labels = cat_dog_data
    clf = make_classifier().fit(pad(X).astype(np.float32), labels)
    assert clf.model_.inputs[0].dtype == "float32"
    assert make_classifier().fit(pad(X), labels).model_.inputs[0].dtype == FLOAT64


@pytest.mark.parametrize(
    "as_list",
    [
        pytest.param(lambda X: [x.astype(np.float32) for x in X], id="ragged"),
        pytest.param(lambda X: list(pad(X).astype(np.float32)), id="equal-length"),
        pytest.param(
            lambda X: list(pad(X)[:, :, 0].astype(np.float32)), id="univariate"
        ),
    ],
)
def test_list_of_float32_sequences_trains_in_float32(
    as_list, make_classifier, cat_dog_data
):
    """A list's precision is its sequences', whether or not their lengths differ."""
    X, labels = cat_dog_data
    clf = make_classifier().fit(as_list(X), labels)
    assert clf.model_.inputs[0].dtype == "float32"
    as64 = [np.asarray(x, dtype=np.float64) for x in as_list(X)]
    assert make_classifier().fit(as64, labels).model_.inputs[0].dtype == FLOAT64


def test_float64_input_fits_and_predicts_without_a_warning(
    make_classifier, cat_dog_data
):
    """Under JAX without x64, float64 input trains in float32, silently."""
    X, labels = cat_dog_data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = make_classifier().fit(pad(X), labels)
        probabilities = clf.predict_proba(pad(X))
    assert probabilities.dtype == np.float64 and probabilities.shape == (30, 2)
    # What a user would see: the expected ConvergenceWarning (max_iter is
    # tiny) aside, and DeprecationWarnings raised inside Keras, which Python
    # does not show by default.
    shown = [
        w
        for w in caught
        if not issubclass(w.category, (ConvergenceWarning, DeprecationWarning))
    ]
    assert not shown, [str(w.message) for w in shown]


@pytest.mark.parametrize(
    "optimizer, cls", [("sgd", "SGD"), ("rmsprop", "RMSprop"), ("adam", "Adam")]
)
def test_optimizer_choices_and_clipnorm(optimizer, cls, make_classifier, training_data):
    clf = make_classifier(optimizer=optimizer, momentum=0.5, clipnorm=1.0)
    clf.fit(*training_data)
    assert type(clf.model_.optimizer).__name__ == cls
    assert clf.model_.optimizer.clipnorm == 1.0
    if optimizer == "sgd":
        assert clf.model_.optimizer.momentum == 0.5


# ------------------------------------------------------ the convolutional branch


def _branch(window=1, stride=1, dtype="float32", znorm=False):
    import keras

    from skrnn._layers import ConvolutionBranch

    layer = ConvolutionBranch(
        (3, 4),
        (3, 2),
        window=window,
        stride=stride,
        seed=0,
        dtype=dtype,
        znorm=znorm,
    )
    layer.build((None, None, 2 * window))
    # Normalisation weights away from (1, 0), so they are exercised.
    for normalization in layer.normalizations:
        size = normalization.gamma.shape[0]
        normalization.gamma.assign(np.linspace(0.5, 2, size))
        normalization.beta.assign(np.linspace(-1, 1, size))
    return layer, keras


@pytest.mark.parametrize("znorm", [False, True, "only"])
@pytest.mark.parametrize("window, stride", [(1, 1), (3, 1), (1, 3), (2, 3)])
def test_branch_output_of_each_sequence_is_that_of_the_sequence_alone(
    window, stride, znorm
):
    layer, keras = _branch(window, stride, znorm=znorm)
    rng = np.random.RandomState(0)
    lengths = np.array([1, 4, 9, 6], dtype="int32")
    values = rng.normal(size=(4, 12, 2 * window)).astype("float32")
    garbage = values.copy()
    for i, n in enumerate(lengths):
        garbage[i, n:] = rng.normal(size=garbage[i, n:].shape) * 100
    batch = np.asarray(layer(values, lengths))
    np.testing.assert_allclose(np.asarray(layer(garbage, lengths)), batch, atol=1e-6)
    for i, n in enumerate(lengths):
        alone = np.asarray(layer(values[i : i + 1, :n], lengths[i : i + 1]))
        np.testing.assert_allclose(alone[0], batch[i], rtol=1e-5, atol=1e-6)


def test_zscore_steps_standardise_real_steps_only():
    from skrnn._layers import zscore_steps

    rng = np.random.RandomState(2)
    lengths = np.array([2, 9, 5], dtype="int32")
    values = rng.normal(size=(3, 9, 2)).astype("float32")
    values[0, 2:] = np.nan  # padding never enters
    # Each sequence's features shifted and stretched by its own amounts: the
    # same shapes.
    shift = rng.uniform(-50, 50, size=(3, 1, 2)).astype("float32")
    stretch = rng.uniform(0.1, 20, size=(3, 1, 2)).astype("float32")
    expected = np.asarray(zscore_steps(values, lengths))
    moved = np.asarray(zscore_steps(values * stretch + shift, lengths))
    np.testing.assert_allclose(moved, expected, rtol=1e-3, atol=1e-4)
    for i, n in enumerate(lengths):
        real = expected[i, :n]
        np.testing.assert_allclose(real.mean(axis=0), 0, atol=1e-6)
        np.testing.assert_allclose(real.std(axis=0), 1, rtol=1e-5)
        np.testing.assert_array_equal(expected[i, n:], 0)
    # A feature constant over a sequence reads as zeros, not rounding noise.
    constant = np.full((1, 6, 2), 1234.5, "float32")
    constant[0, :, 1] = np.linspace(0, 1, 6)
    scaled = np.asarray(zscore_steps(constant, np.array([6], "int32")))
    np.testing.assert_array_equal(scaled[0, :, 0], 0)
    np.testing.assert_allclose(scaled[0, :, 1].std(), 1, rtol=1e-5)


def test_branch_with_znorm_reads_the_values_and_their_shapes():
    plain, _ = _branch()
    layer, keras = _branch(znorm=True)
    only, _ = _branch(znorm="only")
    # Its first block reads each feature twice: as given, and standardised.
    assert layer.convolutions[0].kernel.shape == (3, 4, 3)
    assert only.convolutions[0].kernel.shape == plain.convolutions[0].kernel.shape
    rng = np.random.RandomState(3)
    lengths = np.array([4, 7], dtype="int32")
    values = rng.normal(size=(2, 7, 2)).astype("float32")
    moved = values * 3.0 + 5.0
    # Reading the values too, a shifted and stretched sequence reads apart; ...
    assert not np.allclose(
        np.asarray(layer(moved, lengths)), np.asarray(layer(values, lengths)), atol=1e-2
    )
    # ... through the standardised half alone, or with 'only', it reads alike.
    for branch in (layer, only):
        kernel = np.asarray(branch.convolutions[0].kernel).copy()
        if branch is layer:
            kernel[:, :2] = 0  # the first block ignores the values as given
        branch.convolutions[0].kernel.assign(kernel)
        np.testing.assert_allclose(
            np.asarray(branch(moved, lengths)),
            np.asarray(branch(values, lengths)),
            rtol=1e-4,
            atol=1e-5,
        )


def test_branch_trains_as_it_predicts_whatever_the_padding():
    layer, keras = _branch(window=2, stride=2)
    rng = np.random.RandomState(1)
    lengths = np.array([3, 7, 5], dtype="int32")
    values = rng.normal(size=(3, 7, 4)).astype("float32")
    wide = np.concatenate([values, np.full((3, 6, 4), 50.0, "float32")], axis=1)
    wide[0, 3:7] = -80.0
    # No statistic crosses sequences or steps: in training as at predict, the
    # padding's width and values and the rest of the batch change nothing.
    expected = np.asarray(layer(values, lengths))
    for data in (values, wide):
        np.testing.assert_allclose(
            np.asarray(layer(data, lengths, training=True)), expected, rtol=1e-5
        )
    np.testing.assert_allclose(
        np.asarray(layer(wide[1:2], lengths[1:2], training=True))[0],
        expected[1],
        rtol=1e-5,
    )


def test_summary_dropout_draws_depend_on_the_sequence_not_its_place():
    from skrnn._layers import SequenceDropout

    rng = np.random.RandomState(0)
    values = rng.normal(size=(40, 6, 2)).astype("float32")
    lengths = rng.randint(1, 7, size=40).astype("int32")
    summary = np.ones((40, 3), "float32")
    layer = SequenceDropout(0.5, seed=3)
    layer.build(summary.shape)
    first = np.asarray(layer(summary, values, lengths, training=True))
    dropped = (first == 0).all(axis=1)
    assert 10 <= dropped.sum() <= 30  # about half
    np.testing.assert_allclose(first[~dropped], 2.0)  # kept ones scaled up
    # The same sequences in another order, with one removed and one repeated,
    # at the same update: each is dropped as before.
    order = np.r_[np.arange(39, 0, -1), 7]
    again = SequenceDropout(0.5, seed=3)
    again.build(summary.shape)
    second = np.asarray(
        again(summary[order], values[order], lengths[order], training=True)
    )
    np.testing.assert_array_equal(second, first[order])
    # The next update draws anew; at predict nothing is dropped.
    third = np.asarray(layer(summary, values, lengths, training=True))
    assert not np.array_equal(third, first)
    np.testing.assert_array_equal(np.asarray(layer(summary, values, lengths)), summary)


def test_strided_branch_reads_every_input_form_alike(
    make_classifier, ragged_data, monkeypatch
):
    import skrnn._network

    # Long enough, relative to this, that the first block strides.
    monkeypatch.setattr(skrnn._network, "AUTO_CONV_STEPS", 3)
    X, y = ragged_data
    clf = make_classifier(
        conv_filters=(4, 3), conv_kernel_size=(3, 2), window=1, max_iter=3
    ).fit(X, y)
    assert clf.model_.get_layer("convolution_branch").stride == 3
    expected = clf.predict_proba(X)
    lengths = [len(x) for x in X]
    np.testing.assert_allclose(clf.predict_proba(pad(X)), expected, rtol=1e-6)
    pre = with_params(clf, padding="pre")
    np.testing.assert_allclose(pre.predict_proba(pad(X, side="pre")), expected)
    garbage = np.nan_to_num(pad(X), nan=9.0)
    np.testing.assert_allclose(
        clf.predict_proba(garbage, sequence_length=lengths), expected, rtol=1e-6
    )
    # A prediction does not depend on the rest of the batch.
    for rows in (slice(0, 1), slice(3, 9), [5, 2, 17]):
        subset = [X[i] for i in np.arange(len(X))[rows]]
        np.testing.assert_allclose(
            clf.predict_proba(subset), expected[rows], rtol=1e-6, atol=1e-7
        )


def test_branch_switched_off_is_the_recurrent_network(make_classifier, ragged_data):
    X, y = ragged_data
    without = make_classifier(conv_filters=None).fit(X, y)
    names = [layer.name for layer in without.model_.layers]
    assert "convolution_branch" not in names and "with_convolutions" not in names
    with_branch = make_classifier(conv_filters=(2,), conv_kernel_size=8).fit(X, y)
    branch = with_branch.model_.get_layer("convolution_branch")
    assert branch.filters == (2,) and branch.kernel_sizes == (8,)
    assert with_branch.model_.get_layer("logits").kernel.shape == (6 + 2, 2)


def test_branch_with_token_ids_and_in_float64(make_classifier):
    rng = np.random.RandomState(0)
    X = [rng.randint(1, 6, size=n) for n in rng.randint(2, 9, size=20)]
    y = np.array([int((x == 3).any()) for x in X])
    tokens = make_classifier(
        conv_filters=(3,), conv_kernel_size=3, embedding_dim=4
    ).fit(X, y)
    assert tokens.predict_proba(X).shape == (20, 2)
    np.testing.assert_allclose(
        tokens.predict_proba(X[:4]), tokens.predict_proba(X)[:4], rtol=1e-6
    )
    values = [x.astype(np.float64)[:, None] for x in X]
    wide = make_classifier(conv_filters=(3,), conv_kernel_size=3).fit(values, y)
    assert wide.model_.get_layer("convolution_branch").compute_dtype == FLOAT64


@pytest.mark.parametrize(
    "params, match",
    [
        ({"conv_filters": (4, 0)}, "'conv_filters' parameter .* positive int"),
        ({"conv_filters": ()}, "'conv_filters' parameter .* non-empty"),
        ({"conv_filters": (4, True)}, "'conv_filters' parameter"),
        (
            {"conv_filters": (4, 4), "conv_kernel_size": (3, -1)},
            "'conv_kernel_size' parameter",
        ),
        (
            {"conv_filters": (4, 4, 4), "conv_kernel_size": (3, 2)},
            r"gives 2 kernel sizes for the 3 blocks .* one kernel size per block",
        ),
    ],
)
def test_bad_branch_parameters_are_refused_clearly(
    params, match, make_classifier, tiny_data
):
    with pytest.raises(ValueError, match=match):
        make_classifier(**params).fit(*tiny_data)


@pytest.mark.parametrize(
    "params",
    [
        {"conv_filters": "wide"},
        {"conv_kernel_size": 2.5},
        {"summary_dropout": 1.0},
        {"conv_znorm": "yes"},
        {"linear_steps": "yes"},
        {"network_dropout": 1.0},
    ],
)
def test_branch_parameter_types_are_validated(params, make_classifier, tiny_data):
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        make_classifier(**params).fit(*tiny_data)


def test_warm_start_refuses_a_changed_branch(make_classifier, tiny_data):
    clf = make_classifier(conv_filters=(3,), conv_kernel_size=2, warm_start=True).fit(
        *tiny_data
    )
    clf.set_params(conv_filters=(3, 3))
    with pytest.raises(ValueError, match="conv_filters changed"):
        clf.fit(*tiny_data)
    clf.set_params(conv_filters=[3])  # the same branch, written as a list
    assert clf.fit(*tiny_data).n_iter_ == 8


# ------------------------------------------------- the linear read of the steps


def test_flat_steps_put_each_real_step_at_its_place():
    from skrnn._layers import FlatSteps

    values = np.arange(1.0, 13.0, dtype="float32").reshape(2, 3, 2)
    values[1, 2] = 99.0  # padding of the second sequence: never read
    lengths = np.array([3, 2], "int32")
    flat = np.asarray(FlatSteps(4)(values, lengths))
    np.testing.assert_array_equal(
        flat, [[1, 2, 3, 4, 5, 6, 0, 0], [7, 8, 9, 10, 0, 0, 0, 0]]
    )
    # Steps after the first ``steps`` are not read; a sequence alone reads the same.
    np.testing.assert_array_equal(
        np.asarray(FlatSteps(2)(values, lengths)), flat[:, :4]
    )
    np.testing.assert_array_equal(
        np.asarray(FlatSteps(4)(values[1:, :2], lengths[1:])), flat[1:]
    )
    # ``scale`` multiplies what is read, and is kept in the layer's config.
    scaled = FlatSteps.from_config(FlatSteps(4, scale=10.0).get_config())
    np.testing.assert_array_equal(np.asarray(scaled(values, lengths)), 10 * flat)
    # A layer saved before ``scale`` existed reads unscaled.
    config = FlatSteps(4).get_config()
    del config["scale"]
    np.testing.assert_array_equal(
        np.asarray(FlatSteps.from_config(config)(values, lengths)), flat
    )


def _layer_names(clf):
    return {layer.name for layer in clf.model_.layers}


def test_linear_steps_auto_reads_short_sequences_step_by_step(
    make_classifier, ragged_data
):
    X, y = ragged_data  # 2 to 8 steps
    clf = make_classifier().fit(X, y)
    assert {"flat_steps", "network_dropout", "linear_steps"} <= _layer_names(clf)
    assert clf.model_.get_layer("flat_steps").steps == max(len(x) for x in X)
    assert clf.model_.get_layer("flat_steps").scale == LINEAR_STEPS_SCALE
    assert clf.model_.get_layer("network_dropout").rate == 0.8
    off = make_classifier(linear_steps=False).fit(X, y)
    assert "flat_steps" not in _layer_names(off)
    windows = make_classifier(window=2).fit(X, y)
    assert "flat_steps" not in _layer_names(windows)  # not step by step
    forced = make_classifier(linear_steps=True, window=2).fit(X, y)
    assert "flat_steps" in _layer_names(forced)
    # Longer than 25 steps: read in windows, so no linear read.
    longer = [np.repeat(x, 4, axis=0) for x in X]
    clf = make_classifier().fit(longer, y)
    assert clf.window_ > 1 and "flat_steps" not in _layer_names(clf)
    without_dropout = make_classifier(network_dropout=0.0).fit(X, y)
    assert "network_dropout" not in _layer_names(without_dropout)


def test_linear_steps_predict_any_length_as_the_sequence_alone(
    make_classifier, ragged_data
):
    X, y = ragged_data
    clf = make_classifier(max_iter=10).fit(X, y)
    rng = np.random.RandomState(2)
    # Longer than any training sequence: steps after the eighth are not read
    # by the linear read (the network reads them all).
    new = [rng.normal(size=(n, 3)) for n in (1, 8, 30)]
    together = clf.predict_proba(new + X)
    for i, sequence in enumerate(new):
        np.testing.assert_allclose(
            clf.predict_proba([sequence])[0], together[i], rtol=RTOL, atol=1e-7
        )
    assert np.abs(clf.model_.get_layer("linear_steps").kernel).max() > 0  # it trained


def test_linear_steps_need_numeric_steps(make_classifier):
    X = [np.array([1, 2, 3]), np.array([4, 5]), np.array([2, 2, 2, 1])] * 2
    y = [0, 1, 0, 1, 0, 1]
    tokens = make_classifier(embedding_dim=2).fit(X, y)  # 'auto': none for ids
    assert "flat_steps" not in _layer_names(tokens)
    with pytest.raises(ValueError, match="token ids have no linear read"):
        make_classifier(embedding_dim=2, linear_steps=True).fit(X, y)


def test_warm_start_refuses_a_changed_linear_read(make_classifier, tiny_data):
    clf = make_classifier(warm_start=True).fit(*tiny_data)
    clf.set_params(linear_steps=False)
    with pytest.raises(ValueError, match="linear_steps changed"):
        clf.fit(*tiny_data)
