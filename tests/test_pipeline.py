"""One input pipeline, three renderings: numpy, ONNX and TensorFlow agree.

No network is trained: random pipelines on random ragged input.
"""

import itertools
from dataclasses import replace

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from skrnn._export._onnx import OPSET, input_graph
from skrnn._export._tf import tf_input_stage
from skrnn._preprocessing import InputPipeline, feature_statistics, stack_windows

N_FEATURES = 3


def ragged_input(rng, tokens, n=9):
    """NaN-padded (or id-padded) values, their lengths, and the ragged lists."""
    lengths = rng.randint(1, 14, size=n)
    width = lengths.max() + 2
    if tokens:
        values = rng.randint(1, 20, size=(n, width)).astype(np.int64)
        values[np.arange(width) >= lengths[:, None]] = 0
    else:
        values = rng.normal(3.0, 2.0, size=(n, width, N_FEATURES)).astype(np.float32)
        values[np.arange(width) >= lengths[:, None]] = np.nan
    return values, lengths.astype(np.int64)


def random_pipeline(rng, tokens, window, scaling, n_scalers):
    if tokens:
        return InputPipeline(tokens=True, step_width=1)
    width = window * N_FEATURES
    return InputPipeline(
        tokens=False,
        step_width=N_FEATURES,
        window=window,
        scaling=scaling,
        feature_mean=rng.normal(size=width) if scaling == "feature" else None,
        feature_scale=rng.uniform(0.5, 2, size=width) if scaling == "feature" else None,
        scalers=tuple(
            (rng.normal(size=N_FEATURES), rng.uniform(0.5, 2, size=N_FEATURES))
            for _ in range(n_scalers)
        ),
    )


def onnx_rendering(pipeline, values, lengths):
    model = onnx.helper.make_model(
        input_graph(pipeline, onnx),
        opset_imports=[onnx.helper.make_opsetid("", OPSET)],
    )
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString())
    return session.run(None, {"values": values, "lengths": lengths})


def tf_rendering(pipeline, values, lengths):
    import tensorflow as tf

    out_values, out_lengths = tf_input_stage(
        pipeline, tf.constant(values), tf.constant(lengths)
    )
    return out_values.numpy(), out_lengths.numpy()


def numpy_rendering(pipeline, values, lengths):
    # The estimators feed the canonical form: padding zeroed.
    real = np.arange(values.shape[1]) < lengths[:, None]
    if not pipeline.tokens:
        real = real[..., None]
    canonical = np.where(real, values, 0).astype(values.dtype)
    return pipeline.transform(canonical, lengths)


CASES = [
    (False, window, scaling, n_scalers)
    for window, scaling, n_scalers in itertools.product(
        (1, 2, 5), (None, "feature", "sequence"), (0, 2)
    )
] + [(True, 1, None, 0)]


@pytest.mark.parametrize("tokens, window, scaling, n_scalers", CASES)
def test_numpy_onnx_and_tensorflow_renderings_agree(tokens, window, scaling, n_scalers):
    rng = np.random.RandomState(window * 10 + n_scalers + len(str(scaling)))
    pipeline = random_pipeline(rng, tokens, window, scaling, n_scalers)
    values, lengths = ragged_input(rng, tokens)
    expected_values, expected_lengths = numpy_rendering(pipeline, values, lengths)
    assert expected_lengths.tolist() == (-(-lengths // window)).tolist()
    real = np.arange(expected_values.shape[1]) < expected_lengths[:, None]
    tolerance = 1e-6 * float32_condition(pipeline, values, lengths)
    renderings = {}
    for render in (onnx_rendering, tf_rendering):
        got_values, got_lengths = render(pipeline, values, lengths)
        np.testing.assert_array_equal(got_lengths, expected_lengths)
        # Only real steps reach the network; compare those.
        got = renderings[render.__name__] = got_values[:, : real.shape[1]][real]
        error = np.abs(got - expected_values[real])
        assert (error <= tolerance[real]).all(), (render.__name__, error.max())
    # The two float32 graphs compute the same formulas.
    np.testing.assert_allclose(
        renderings["onnx_rendering"], renderings["tf_rendering"], rtol=0, atol=1e-6
    )


def float32_condition(pipeline, values, lengths):
    """How much float32 rounding each output step can carry, relative to 1.

    The numpy rendering computes in float64; the exported graphs in float32.
    Standardising a sequence by its own statistics divides a difference by its
    spread, so a feature nearly constant over a sequence (two windows that
    happen to be close) amplifies float32 rounding by ``|value| / spread``.
    """
    width = -(-values.shape[1] // pipeline.window)
    n_inputs = 1 if pipeline.tokens else pipeline.window * pipeline.step_width
    shape = (len(lengths), width) + (() if pipeline.tokens else (n_inputs,))
    if pipeline.scaling != "sequence":
        return np.full(shape, 2.0)
    unscaled = replace(pipeline, scaling=None)
    stacked, stacked_lengths = numpy_rendering(unscaled, values, lengths)
    real = (np.arange(width) < stacked_lengths[:, None])[..., None]
    count = stacked_lengths[:, None, None]
    mean = np.where(real, stacked, 0).sum(axis=1, keepdims=True) / count
    spread = np.sqrt(
        np.where(real, (stacked - mean) ** 2, 0).sum(1, keepdims=True) / count
    )
    largest = np.abs(np.where(real, stacked, 0)).max(axis=1, keepdims=True)
    condition = 1 + largest / np.maximum(spread, 1e-30)
    return 4 * np.broadcast_to(condition, shape)


def test_fitted_statistics_weigh_sequences_like_repeats():
    rng = np.random.RandomState(0)
    values, lengths = ragged_input(rng, tokens=False, n=4)
    values = np.nan_to_num(values)
    weighted = InputPipeline.fit(
        values,
        lengths,
        np.array([2.0, 1.0, 0.0, 1.0]),
        tokens=False,
        window=2,
        scaling="feature",
    )
    repeated = InputPipeline.fit(
        values[[0, 0, 1, 3]],
        lengths[[0, 0, 1, 3]],
        np.ones(4),
        tokens=False,
        window=2,
        scaling="feature",
    )
    np.testing.assert_allclose(weighted.feature_mean, repeated.feature_mean)
    np.testing.assert_allclose(weighted.feature_scale, repeated.feature_scale)
    stacked, _ = stack_windows(values, lengths, 2)
    assert weighted.feature_mean.shape == (stacked.shape[2],)


@pytest.mark.parametrize("window", [1, 2, 5])
@pytest.mark.parametrize("scaling", [None, "feature", "sequence"])
def test_in_place_rendering_equals_the_copying_one(window, scaling):
    rng = np.random.RandomState(window)
    pipeline = random_pipeline(rng, False, window, scaling, n_scalers=0)
    values, lengths = ragged_input(rng, tokens=False, n=2500)
    canonical = np.nan_to_num(values)
    canonical[np.arange(values.shape[1]) >= lengths[:, None]] = 0
    width = -(-values.shape[1] // window) * window
    wide = np.zeros((len(values), width, N_FEATURES), np.float32)
    wide[:, : values.shape[1]] = canonical
    expected_values, expected_lengths = pipeline.transform(wide.copy(), lengths)
    got_values, got_lengths = pipeline.transform(wide, lengths, in_place=True)
    assert np.shares_memory(got_values, wide)
    np.testing.assert_array_equal(got_lengths, expected_lengths)
    np.testing.assert_allclose(got_values, expected_values, rtol=1e-6, atol=1e-6)


def test_chunked_statistics_equal_those_of_the_windowed_steps():
    rng = np.random.RandomState(1)
    values, lengths = ragged_input(rng, tokens=False, n=2500)
    values = np.nan_to_num(values)
    weights = rng.uniform(0, 3, size=len(values))
    weights[::7] = 0
    fitted = InputPipeline.fit(
        values, lengths, weights, tokens=False, window=3, scaling="feature"
    )
    stacked, stacked_lengths = stack_windows(values, lengths, 3)
    real = (np.arange(stacked.shape[1]) < stacked_lengths[:, None]) & (weights > 0)[
        :, None
    ]
    step_weights = np.broadcast_to(weights[:, None], real.shape)[real]
    mean, _, scale = feature_statistics(stacked[real], step_weights)
    np.testing.assert_allclose(fitted.feature_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(fitted.feature_scale, scale, rtol=1e-10)
