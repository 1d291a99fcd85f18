"""Variants of the classifier's convolutional branch (and of the recurrent
summary beside it), measured and not adopted.

Each variant swaps part of :class:`skrnn._layers.ConvolutionBranch` (or, for
``dropout``, what :mod:`skrnn._model` builds in its place) for the rest of
the process, so a benchmark can run the package's estimators with it
(``panel.py`` and ``rules.py`` take ``--branch-variant NAME``):

- ``positions``: the first block also reads two channels giving each step's
  place in its own sequence, ``t / (n - 1)`` and ``1 - t / (n - 1)`` for step
  ``t`` of ``n``, so a feature can depend on where a value is, which the
  average over steps otherwise cannot tell.
- ``mean-max``: the last block is pooled by its maximum over real steps as
  well as its mean, side by side (the maximum is the pooling MiniRocket's
  sibling ROCKET pairs with its convolutions).
- ``dropout``: the branch's averaged features pass through dropout (rate
  0.3, in training only) before the head, as the recurrent summary's are
  dropped by ``summary_dropout``.
- ``attention-last``: the recurrent summary is the attention pooling's
  weighted mean side by side with the output at the last real step, so the
  head can read both what the steps hold and what the recurrent network
  carried to the end (where a value was, which ``pooling='last'`` gives
  the simple rules and costs the panel's long series).
- ``linear-both-ends``: the linear read of the steps
  (:class:`skrnn._layers.FlatSteps`, ``linear_steps``) also reads the last
  ``steps`` steps of each sequence aligned at its end, beside the first ones
  aligned at its start, so a step's place counts from either end of
  sequences of different lengths. Both ends are read at ``FlatSteps``'
  ``scale`` (4 since round 46; round 45 measured them unscaled).
- ``linear-x1``, ``linear-x4``, ``linear-x10``: the linear read's steps are
  multiplied by 1, 4 or 10, whatever ``FlatSteps``' own ``scale``. Adam
  moves each weight by about the learning rate per update, whatever the
  gradient's scale, so the read's output moves 4 or 10 times faster: a
  logistic regression's weights of a few units are reached in fewer
  epochs, where the zero-initialised read otherwise keeps training going
  after the network has converged. Round 46 adopted 4
  (``skrnn._model.LINEAR_STEPS_SCALE``); ``linear-x1`` is round 44's read.

``positions``, ``mean-max`` and ``attention-last`` keep the branch's
guarantees: the channels, the maximum and the last step depend only on a
sequence's own real steps. ``dropout`` is
Keras' ``Dropout``, whose draws in training depend on a sequence's place in
its batch: good enough to measure accuracy, not to ship.
"""

import keras

import skrnn._model
from skrnn._layers import (
    AttentionPooling,
    ConvolutionBranch,
    FlatSteps,
    LastStep,
    _mean_over_real_steps,
)


def _relative_positions(steps, lengths):
    """``(batch, time, 2)``: each step's place from the start and from the end."""
    time = keras.ops.cast(keras.ops.arange(keras.ops.shape(steps)[1]), steps.dtype)
    last = keras.ops.cast(keras.ops.reshape(lengths, (-1, 1, 1)), steps.dtype) - 1
    place = time[None, :, None] / keras.ops.maximum(last, 1)
    place = place * keras.ops.ones_like(steps[..., :1])
    return keras.ops.concatenate([place, 1 - place], axis=-1)


def _with_positions():
    input_width = ConvolutionBranch.input_width
    first_block_input = ConvolutionBranch.first_block_input

    def width(self, n_features):
        return input_width(self, n_features) + 2

    def read(self, steps, lengths):
        return keras.ops.concatenate(
            [
                first_block_input(self, steps, lengths),
                _relative_positions(steps, lengths),
            ],
            axis=-1,
        )

    ConvolutionBranch.input_width = width
    ConvolutionBranch.first_block_input = read


def _with_mean_and_max():
    def call(self, values, lengths):
        features, real = self.step_features(values, lengths)
        # The features follow a ReLU, so zeroed padding never exceeds them.
        peak = keras.ops.max(
            keras.ops.where(real, features, keras.ops.zeros_like(features)), axis=1
        )
        return keras.ops.concatenate(
            [_mean_over_real_steps(features, real), peak], axis=-1
        )

    def compute_output_spec(self, values, lengths):
        return keras.KerasTensor(
            (values.shape[0], 2 * self.filters[-1]), dtype=self.compute_dtype
        )

    ConvolutionBranch.call = call
    ConvolutionBranch.compute_output_spec = compute_output_spec


def _with_dropout(rate=0.3):
    branch = skrnn._model.ConvolutionBranch

    def dropped(*args, **kwargs):
        layer = branch(*args, **kwargs)
        dropout = keras.layers.Dropout(
            rate, seed=kwargs["seed"], dtype=kwargs["dtype"], name="branch_dropout"
        )
        return lambda values, lengths: dropout(layer(values, lengths))

    skrnn._model.ConvolutionBranch = dropped


def _with_attention_and_last():
    attention = AttentionPooling.call

    def call(self, outputs, lengths):
        return keras.ops.concatenate(
            [attention(self, outputs, lengths), LastStep.call(self, outputs, lengths)],
            axis=-1,
        )

    def compute_output_spec(self, outputs, lengths):
        return keras.KerasTensor(
            (outputs.shape[0], 2 * outputs.shape[2]), dtype=outputs.dtype
        )

    AttentionPooling.call = call
    AttentionPooling.compute_output_spec = compute_output_spec


def _with_both_ends():
    from_start = FlatSteps.call

    def call(self, values, lengths):
        ops = keras.ops
        places = ops.arange(self.steps, dtype=lengths.dtype)
        index = ops.expand_dims(lengths, 1) - self.steps + places[None, :]
        real = ops.expand_dims(index >= 0, -1)
        index = ops.broadcast_to(
            ops.expand_dims(ops.maximum(index, 0), -1),
            (ops.shape(values)[0], self.steps, values.shape[-1]),
        )
        last = ops.take_along_axis(values, index, axis=1)
        # Read at the layer's own scale, as the steps from the start are.
        last = ops.where(real, last, ops.zeros_like(last)) * ops.cast(
            self.scale, last.dtype
        )
        return ops.concatenate(
            [
                from_start(self, values, lengths),
                ops.reshape(last, (-1, self.steps * values.shape[-1])),
            ],
            axis=-1,
        )

    def compute_output_spec(self, values, lengths):
        return keras.KerasTensor(
            (values.shape[0], 2 * self.steps * values.shape[-1]),
            dtype=self.compute_dtype,
        )

    FlatSteps.call = call
    FlatSteps.compute_output_spec = compute_output_spec


def _with_scaled_read(scale):
    def variant():
        from_start = FlatSteps.call

        def call(self, values, lengths):
            return from_start(self, values, lengths) * (scale / self.scale)

        FlatSteps.call = call

    return variant


VARIANTS = {
    "linear-both-ends": _with_both_ends,
    "linear-x1": _with_scaled_read(1.0),
    "linear-x4": _with_scaled_read(4.0),
    "linear-x10": _with_scaled_read(10.0),
    "positions": _with_positions,
    "mean-max": _with_mean_and_max,
    "dropout": _with_dropout,
    "attention-last": _with_attention_and_last,
}


def add_argument(parser):
    parser.add_argument(
        "--branch-variant",
        choices=sorted(VARIANTS),
        help="run with a measured, not adopted, variant of the convolutional "
        "branch (see benchmarks/branch_variants.py)",
    )


def apply(name):
    """Swap in variant ``name`` for the rest of the process (None: none)."""
    if name is not None:
        VARIANTS[name]()
