"""Running a fitted network on canonical input, in length-sorted batches.

Every head predicts through :func:`predict_outputs`; training shares its batch
helpers, so prediction and training cut batches the same way.
"""

import numpy as np

from skrnn._runners import runner

__all__ = ["log_softmax", "partial_first", "predict_outputs"]

# Sequences per compiled predict call: large enough to amortise the call (about
# a millisecond), small enough that the activations of a batch (the
# convolutional branch's read every input step) stay modest in memory: 1,024
# sequences of 150 steps took 170 MB more than 256 do.
PREDICT_BATCH_SIZE = 256


def partial_first(batches):
    """Put a smaller last batch first.

    Keras compiles one graph for the first batch's exact shape and, at the
    first different shape, one relaxed graph for all shapes; a batch that
    differs in both size and width early keeps it at those two traces.
    """
    if len(batches) > 1 and len(batches[-1]) < len(batches[0]):
        return [batches[-1], *batches[:-1]]
    return batches


def _forward(model):
    """A function running ``model`` on ``[values, lengths]`` for prediction.

    The backend's runner compiles it (see :mod:`skrnn._engines`): under
    TensorFlow a forward pass whose signature leaves batch and time open,
    traced once per graph; under JAX one program per graph and batch shape.
    """
    return runner().forward(model)


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
    run = runner()
    forward = run.forward(model)
    # Sorting by length lets each batch stop at its own longest sequence.
    order = np.argsort(steps, kind="stable")
    outputs = None
    for batch in partial_first(
        [
            order[i : i + PREDICT_BATCH_SIZE]
            for i in range(0, len(order), PREDICT_BATCH_SIZE)
        ]
    ):
        _, width = run.batch_shape(len(batch), steps[batch[-1]], None, values.shape[1])
        result = forward(values[batch, :width], lengths[batch])
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
