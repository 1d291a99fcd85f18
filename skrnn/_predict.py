"""Running a fitted network on canonical input, in length-sorted batches.

Every head predicts through :func:`predict_outputs`; training shares its batch
helpers, so prediction and training cut batches the same way.
"""

import functools

import keras
import numpy as np

from skrnn._engines import compiled_forward

__all__ = ["batch_values", "log_softmax", "partial_first", "predict_outputs"]

# Sequences per compiled predict call: large enough to amortise the call, small
# enough to keep a padded batch modest in memory.
PREDICT_BATCH_SIZE = 1024
# Under JAX, batch widths are rounded up to a multiple of this many steps.
JAX_WIDTH_STEP = 32


def batch_values(values, batch, width):
    """``values[batch]`` cut to ``width`` steps (rounded up under JAX).

    Under JAX every new input shape is compiled anew, so widths are rounded up
    to a multiple of ``JAX_WIDTH_STEP`` (at most the longest sequence): a
    bounded set of shapes, and none added for fixed-length data. TensorFlow
    relaxes its traced signature to any width after the second one, so it gets
    each batch's exact width.
    """
    if keras.backend.backend() == "jax":
        width = -(-width // JAX_WIDTH_STEP) * JAX_WIDTH_STEP
    return values[batch, :width]


def partial_first(batches):
    """Put a smaller last batch first.

    Keras compiles one graph for the first batch's exact shape and, at the
    first different shape, one relaxed graph for all shapes; a batch that
    differs in both size and width early keeps it at those two traces.
    """
    if len(batches) > 1 and len(batches[-1]) < len(batches[0]):
        return [batches[-1], *batches[:-1]]
    return batches


def _call_compiled(model, call, dtypes, values, lengths):
    """``call`` on the cast inputs; holding ``model`` keeps the weights it reads."""
    values, lengths = (
        np.asarray(array, dtype=dtype)
        for array, dtype in zip((values, lengths), dtypes, strict=True)
    )
    return call(values, lengths).numpy()


def _dtypes(model):
    """The numpy dtypes of ``model``'s inputs."""
    return [np.dtype(tensor.dtype) for tensor in model.inputs]


def _forward(model):
    """A function running ``model`` on ``[values, lengths]`` for prediction.

    Under TensorFlow it is a compiled forward pass whose signature leaves batch
    and time open (Keras' ``predict_on_batch`` traces the first shape exactly,
    then again for any shape), skips Keras' per-call set-up, and is traced once
    per graph (:func:`skrnn._engines.compiled_forward`). Other backends use
    ``predict_on_batch``.
    """
    if keras.backend.backend() != "tensorflow":
        return lambda values, lengths: model.predict_on_batch([values, lengths])
    # The holder keeps ``model``, and so its weights, alive while in use.
    return functools.partial(
        _call_compiled, model, compiled_forward(model), _dtypes(model)
    )


def log_softmax(logits):
    """Log-probabilities over the last axis of float64 logits, computed stably."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def predict_outputs(model, values, lengths, steps=None):
    """Run ``model`` on every sequence, in batches of similar length.

    Parameters
    ----------
    model : keras.Model
        Model taking ``[values, lengths]``.
    values : ndarray
        Right-padded sequences.
    lengths : ndarray of int
        True lengths.
    steps : ndarray of int, default=None
        Steps each sequence runs for, when the model reads past the input's
        end (``values`` must be that wide); None: ``lengths``.

    Returns
    -------
    outputs : ndarray of shape (n_sequences, n_outputs) or \
            (n_sequences, n_steps, n_outputs)
        Model outputs in the caller's order, as float64; per-step outputs are
        padded with NaN past each batch's width.
    """
    steps = lengths if steps is None else steps
    forward = _forward(model)
    # Sorting by length lets each batch stop at its own longest sequence.
    order = np.argsort(steps, kind="stable")
    outputs = None
    for batch in partial_first(
        [
            order[i : i + PREDICT_BATCH_SIZE]
            for i in range(0, len(order), PREDICT_BATCH_SIZE)
        ]
    ):
        width = steps[batch[-1]]
        result = forward(batch_values(values, batch, width), lengths[batch])
        if outputs is None:
            shape = (len(order),) + result.shape[1:]
            if result.ndim == 3:
                shape = (len(order), values.shape[1], result.shape[2])
            outputs = np.full(shape, np.nan)
        if result.ndim == 3:
            outputs[batch, : result.shape[1]] = result
        else:
            outputs[batch] = result
    return outputs
