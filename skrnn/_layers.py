"""The custom Keras layers of skrnn's networks, all reading true lengths.

Registered for Keras' serialisation under the package name ``"skrnn"``, so
saved networks load by class name wherever the classes live.
"""

import keras

__all__ = [
    "AttentionPooling",
    "ConvolutionBranch",
    "FlatSteps",
    "LastStep",
    "LengthMask",
    "L2Penalty",
    "RealStepFeature",
    "SequenceDropout",
    "StepPooling",
]


@keras.saving.register_keras_serializable(package="skrnn")
class LengthMask(keras.layers.Layer):
    """Boolean ``(batch, time)`` mask, True on each row's first steps.

    Called as ``LengthMask()(values, lengths)``; ``values`` only supplies the
    number of time steps. Row ``i`` is True on its first
    ``max(lengths[i], minimum) + extra`` steps: by default its real steps, and
    with ``extra``/``minimum`` the steps a head reads past the input's end.
    """

    def __init__(self, minimum=0, extra=0, **kwargs):
        super().__init__(**kwargs)
        self.minimum = minimum
        self.extra = extra

    def call(self, values, lengths):
        steps = keras.ops.arange(keras.ops.shape(values)[1], dtype=lengths.dtype)
        ends = keras.ops.maximum(lengths, self.minimum) + self.extra
        return keras.ops.expand_dims(steps, 0) < keras.ops.expand_dims(ends, 1)

    def get_config(self):
        return {**super().get_config(), "minimum": self.minimum, "extra": self.extra}

    def compute_output_spec(self, values, lengths):
        # Declared explicitly: tracing `call` on a symbolic (None) time axis fails.
        return keras.KerasTensor(values.shape[:2], dtype="bool")


@keras.saving.register_keras_serializable(package="skrnn")
class RealStepFeature(LengthMask):
    """A ``(batch, time, 1)`` feature: 1.0 on each row's real steps, 0.0 after.

    Lets a network that runs past the input's end tell padding from data.
    """

    def call(self, values, lengths):
        real = super().call(values, lengths)
        return keras.ops.expand_dims(keras.ops.cast(real, self.compute_dtype), -1)

    def compute_output_spec(self, values, lengths):
        return keras.KerasTensor((*values.shape[:2], 1), dtype=self.compute_dtype)


@keras.saving.register_keras_serializable(package="skrnn")
class LastStep(keras.layers.Layer):
    """Each row's output at its last real step, ``outputs[i, lengths[i] - 1]``.

    Called as ``LastStep()(outputs, lengths)`` on ``(batch, time, units)``
    outputs; returns ``(batch, units)``.
    """

    def call(self, outputs, lengths):
        # A gather on the flattened (batch * time) axis: its gradient is far
        # cheaper than take_along_axis's (about 3% of a training step, not 30%).
        shape = keras.ops.shape(outputs)
        flat = keras.ops.reshape(outputs, (-1, shape[2]))
        steps = keras.ops.cast(shape[1], lengths.dtype)
        rows = keras.ops.arange(shape[0], dtype=lengths.dtype)
        return keras.ops.take(flat, rows * steps + lengths - 1, axis=0)

    def compute_output_spec(self, outputs, lengths):
        return keras.KerasTensor(
            (outputs.shape[0], outputs.shape[2]), dtype=outputs.dtype
        )


class _LengthPooling(keras.layers.Layer):
    """A pooling over steps that reads real steps from lengths, not from a mask.

    A Keras mask that arrives with the outputs (from a bidirectional layer)
    says the same as the lengths; it is consumed here, not passed on.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def compute_output_spec(self, outputs, lengths):
        return keras.KerasTensor(
            (outputs.shape[0], outputs.shape[2]), dtype=outputs.dtype
        )


def _step_mask(values, lengths):
    """``(batch, time)`` boolean: True on each row's first ``lengths`` steps."""
    steps = keras.ops.arange(keras.ops.shape(values)[1], dtype=lengths.dtype)
    return keras.ops.expand_dims(steps, 0) < keras.ops.expand_dims(lengths, 1)


def _real_steps(outputs, lengths):
    """``(batch, time, 1)`` boolean: True on each row's real steps."""
    return keras.ops.expand_dims(_step_mask(outputs, lengths), -1)


# A feature whose deviation over a sequence is below this share of (1 + its
# mean's magnitude) is constant there up to float32 rounding: it becomes zero
# rather than rounding noise blown up to unit scale.
ZSCORE_FLOOR = 1e-5


def zscore_steps(values, lengths):
    """Each feature of each sequence standardised by its own real steps.

    ``values`` is ``(batch, time, features)``, right-padded; padded steps
    come out zero and never enter the statistics.
    """
    ops = keras.ops
    real = _real_steps(values, lengths)
    zeros = ops.zeros_like(values)
    count = ops.maximum(
        ops.sum(ops.cast(real, values.dtype), axis=1, keepdims=True), 1.0
    )
    mean = ops.sum(ops.where(real, values, zeros), axis=1, keepdims=True) / count
    centred = ops.where(real, values - mean, zeros)
    std = ops.sqrt(ops.sum(centred * centred, axis=1, keepdims=True) / count)
    floor = ZSCORE_FLOOR * (1.0 + ops.abs(mean))
    return centred / ops.where(std > floor, std, ops.ones_like(std))


def _mean_over_real_steps(outputs, real):
    """Mean of ``(batch, time, units)`` outputs over the steps ``real`` marks."""
    weights = keras.ops.cast(real, outputs.dtype)
    return keras.ops.sum(outputs * weights, axis=1) / keras.ops.sum(weights, axis=1)


@keras.saving.register_keras_serializable(package="skrnn")
class StepPooling(_LengthPooling):
    """Mean or max of each row's outputs over its real steps only.

    Called as ``StepPooling(mode)(outputs, lengths)`` on ``(batch, time,
    units)`` outputs; returns ``(batch, units)``. Steps past ``lengths[i]``
    never enter the result, whatever they hold.
    """

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("mean", "max"):
            raise ValueError(f"mode must be 'mean' or 'max'; got {mode!r}.")
        self.mode = mode

    def call(self, outputs, lengths):
        real = _real_steps(outputs, lengths)
        if self.mode == "max":
            # Every row has a real step, so its maximum is finite.
            lowest = keras.ops.cast(float("-inf"), outputs.dtype)
            return keras.ops.max(keras.ops.where(real, outputs, lowest), axis=1)
        return _mean_over_real_steps(outputs, real)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="skrnn")
class AttentionPooling(_LengthPooling):
    """Weighted mean of each row's outputs over its real steps, weights learned.

    A linear score per step, ``outputs @ kernel``, goes through a softmax
    over the real steps only (padding gets no weight), and the outputs are
    averaged with those weights. Called as ``AttentionPooling()(outputs,
    lengths)``; returns ``(batch, units)``.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed

    def build(self, outputs_shape, lengths_shape=None):
        self.kernel = self.add_weight(
            shape=(outputs_shape[-1], 1),
            initializer=keras.initializers.GlorotUniform(seed=self.seed),
            name="kernel",
        )

    def call(self, outputs, lengths):
        real = _real_steps(outputs, lengths)
        scores = keras.ops.matmul(outputs, self.kernel)
        scores = keras.ops.where(real, scores, keras.ops.cast(-1e9, scores.dtype))
        weights = keras.ops.softmax(scores, axis=1)
        return keras.ops.sum(outputs * weights, axis=1)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="skrnn")
class L2Penalty(keras.regularizers.Regularizer):
    """``alpha * sum(w ** 2)``, returned in Keras' float type.

    Keras adds the compiled loss to the penalties in ``keras.config.floatx()``;
    casting the penalty of float64 weights keeps that sum well-typed and leaves
    gradients exact (the gradient of a cast is the identity).
    """

    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, weights):
        penalty = self.alpha * keras.ops.sum(keras.ops.square(weights))
        return keras.ops.cast(penalty, keras.config.floatx())

    def get_config(self):
        return {"alpha": self.alpha}


@keras.saving.register_keras_serializable(package="skrnn")
class ConvolutionBranch(keras.layers.Layer):
    """Masked convolution blocks and a global average over real steps.

    Each block is ``Conv1D`` (no bias), a normalisation and ReLU, as in the
    fully convolutional network of LSTM-FCN (Karim et al. 2017), with layer
    normalisation across the filters of each step where LSTM-FCN has batch
    normalisation: no statistic crosses sequences or steps, so training is
    the same function as prediction, a sequence's output never depends on
    the rest of its batch, and a sample weight acts exactly like repeating
    the sequence. Padding never reaches the branch: the padded steps are
    zeroed before every convolution, so each sequence's output equals that
    of the sequence run alone (zeros past both of its ends), and the final
    average is over real steps only.

    Called as ``ConvolutionBranch(...)(values, lengths)`` on right-padded
    ``(batch, time, window * n_features)`` values; returns ``(batch,
    filters[-1])``.

    Parameters
    ----------
    filters : tuple of int
        Filters of each block, first to last.
    kernel_sizes : tuple of int
        Kernel width of each block, in the steps that block reads.
    window : int, default=1
        Steps the input stacks side by side in each of its steps (see
        ``window``); the branch unstacks them and reads the original steps.
    stride : int, default=1
        Original steps per step of the first block's output: its kernel
        spans ``kernel_sizes[0] * stride`` steps and moves by ``stride``, a
        cheap first stage for long series. A sequence of ``n`` steps
        becomes ``ceil(n / stride)`` steps.
    znorm : bool or 'only', default=False
        Whether the first block also reads each feature of each sequence
        standardised by that sequence's own real steps (:func:`zscore_steps`),
        beside the feature itself: its shape, whatever its level and spread.
        ``'only'``: the standardised features alone (kept to rerun the
        benchmark round that measured it).
    alpha : float, default=0.0
        L2 penalty on the kernels, as :class:`L2Penalty`.
    seed : int, default=None
        Seed of the kernels' initialisers.
    """

    def __init__(
        self,
        filters,
        kernel_sizes,
        window=1,
        stride=1,
        alpha=0.0,
        seed=None,
        znorm=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.znorm = znorm if znorm == "only" else bool(znorm)
        self.filters = tuple(int(f) for f in filters)
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        self.window = int(window)
        self.stride = int(stride)
        self.alpha = float(alpha)
        self.seed = seed
        seeds = iter(range(seed or 0, (seed or 0) + len(self.filters)))
        self.convolutions = [
            keras.layers.Conv1D(
                n_filters,
                kernel_size * (self.stride if depth == 0 else 1),
                strides=self.stride if depth == 0 else 1,
                use_bias=False,
                kernel_initializer=keras.initializers.HeUniform(seed=next(seeds)),
                kernel_regularizer=L2Penalty(self.alpha) if self.alpha > 0 else None,
                dtype=self.dtype_policy,
                name=f"conv_{depth}",
            )
            for depth, (n_filters, kernel_size) in enumerate(
                zip(self.filters, self.kernel_sizes, strict=True)
            )
        ]
        self.normalizations = [
            keras.layers.LayerNormalization(
                epsilon=1e-3,
                dtype=self.dtype_policy,
                name=f"layer_normalization_{depth}",
            )
            for depth in range(len(self.filters))
        ]

    def input_width(self, n_features):
        """Channels the first block reads, for ``n_features`` per step."""
        return n_features * (2 if self.znorm is True else 1)

    def build(self, values_shape, lengths_shape=None):
        width = self.input_width(values_shape[-1] // self.window)
        for convolution, normalization in zip(
            self.convolutions, self.normalizations, strict=True
        ):
            convolution.build((None, None, width))
            width = convolution.filters
            normalization.build((None, None, width))

    def padding(self, depth):
        """Zeros before and after the steps of block ``depth``'s input.

        The kernel of output step ``j`` is centred on input steps
        ``[j * stride, (j + 1) * stride)``, and there are enough outputs for
        every real step; with ``stride=1`` this is Keras' ``'same'``.
        """
        stride = self.stride if depth == 0 else 1
        kernel = self.convolutions[depth].kernel_size[0]
        before = (kernel - stride) // 2
        return before, kernel - 1 - before + stride - 1

    def call(self, values, lengths):
        return _mean_over_real_steps(*self.step_features(values, lengths))

    def step_features(self, values, lengths):
        """The last block's features at each of its steps, before the average.

        Returns ``(features, real)``: features of shape ``(batch, steps,
        filters[-1])``, and ``real``, ``(batch, steps, 1)``, True at the steps
        that cover a real step (the others' features are not zeroed).
        """
        hidden = values
        if self.window > 1:
            # Unstack the windows: (batch, time, window * features) ->
            # (batch, time * window, features).
            shape = keras.ops.shape(values)
            hidden = keras.ops.reshape(
                hidden, (shape[0], shape[1] * self.window, shape[2] // self.window)
            )
            lengths = lengths * self.window
        hidden = self.first_block_input(hidden, lengths)
        for depth, (convolution, normalization) in enumerate(
            zip(self.convolutions, self.normalizations, strict=True)
        ):
            real = _step_mask(hidden, lengths)
            hidden = keras.ops.where(
                keras.ops.expand_dims(real, -1), hidden, keras.ops.zeros_like(hidden)
            )
            before, after = self.padding(depth)
            hidden = convolution(
                keras.ops.pad(hidden, ((0, 0), (before, after), (0, 0)))
            )
            if depth == 0 and self.stride > 1:
                lengths = (lengths + self.stride - 1) // self.stride
            real = _step_mask(hidden, lengths)
            hidden = keras.ops.relu(normalization(hidden))
        return hidden, keras.ops.expand_dims(real, -1)

    def first_block_input(self, steps, lengths):
        """What the first block reads from the unstacked ``steps``."""
        if self.znorm == "only":
            return zscore_steps(steps, lengths)
        if self.znorm:
            return keras.ops.concatenate([steps, zscore_steps(steps, lengths)], axis=-1)
        return steps

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_sizes": self.kernel_sizes,
            "window": self.window,
            "stride": self.stride,
            "alpha": self.alpha,
            "seed": self.seed,
            "znorm": self.znorm,
        }

    def compute_output_spec(self, values, lengths):
        return keras.KerasTensor(
            (values.shape[0], self.filters[-1]), dtype=self.compute_dtype
        )


@keras.saving.register_keras_serializable(package="skrnn")
class FlatSteps(keras.layers.Layer):
    """Each sequence's first ``steps`` steps side by side, padding zeroed.

    Called as ``FlatSteps(steps)(values, lengths)``; returns ``(batch, steps *
    features)``. Padded steps, and the places of steps a sequence does not
    have, hold zeros, so each feature of each step has a fixed place: a
    linear layer on it reads every step where it is (a logistic regression
    on the zero-padded steps). Steps after the first ``steps`` are not read.
    The steps are multiplied by ``scale``.
    """

    def __init__(self, steps, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.steps = int(steps)
        self.scale = float(scale)

    def call(self, values, lengths):
        values = keras.ops.where(
            _real_steps(values, lengths), values, keras.ops.zeros_like(values)
        )
        # Pad by a constant, then cut: the same graph whatever the batch's width.
        values = keras.ops.pad(values, ((0, 0), (0, self.steps), (0, 0)))
        flat = keras.ops.reshape(
            values[:, : self.steps], (-1, self.steps * values.shape[-1])
        )
        return flat * keras.ops.cast(self.scale, flat.dtype)

    def get_config(self):
        return {**super().get_config(), "steps": self.steps, "scale": self.scale}

    def compute_output_spec(self, values, lengths):
        return keras.KerasTensor(
            (values.shape[0], self.steps * values.shape[-1]), dtype=self.compute_dtype
        )


@keras.saving.register_keras_serializable(package="skrnn")
class SequenceDropout(keras.layers.Layer):
    """Drops each sequence's whole ``summary`` vector at rate ``rate`` in training.

    Called as ``SequenceDropout(rate)(summary, values, lengths)``. Whether a
    sequence is dropped at an update is a pseudo-random function of its own
    real steps, of the number of updates so far and of ``seed``, not of its
    place in the batch: a sequence given twice is dropped exactly as one of
    weight two, and removing a sequence changes no other's draws, so sample
    weights keep their meaning. Kept summaries are scaled by
    ``1 / (1 - rate)``; at predict nothing is dropped.
    """

    def __init__(self, rate, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = int(seed or 0)

    def build(self, summary_shape, values_shape=None, lengths_shape=None):
        # Variables, not constants of the graph: networks that differ only in
        # their seed share compiled steps (see skrnn._engines).
        self.offset = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.seed % 100_003),
            trainable=False,
            name="offset",
        )
        self.updates = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="updates"
        )

    def call(self, summary, values, lengths, training=None):
        if not training:
            return summary
        ops = keras.ops
        steps = ops.cast(values, summary.dtype)
        if len(steps.shape) == 2:  # token ids
            steps = ops.expand_dims(steps, -1)
        real = ops.expand_dims(_step_mask(steps, lengths), -1)
        shape = ops.shape(steps)
        position = ops.expand_dims(
            ops.expand_dims(ops.cast(ops.arange(shape[1]), summary.dtype), 0), -1
        )
        channel = ops.cast(ops.arange(shape[2]), summary.dtype)
        # Each real step and feature weighed differently: a fingerprint of the
        # sequence, the same for the same sequence wherever it sits.
        spread = ops.sin(position * 0.7071 + channel * 0.5 + 1.0)
        fingerprint = ops.sum(
            ops.where(real, steps * spread, ops.zeros_like(steps)), axis=(1, 2)
        )
        draw = ops.sin(
            fingerprint
            + ops.cast(self.offset, summary.dtype) * 0.618034
            + ops.cast(self.updates, summary.dtype) * 12.9898
        )
        uniform = draw * 43758.5453 - ops.floor(draw * 43758.5453)
        self.updates.assign_add(ops.cast(1, self.updates.dtype))
        kept = ops.expand_dims(uniform >= self.rate, -1)
        return ops.where(kept, summary / (1.0 - self.rate), ops.zeros_like(summary))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}

    def compute_output_spec(self, summary, values, lengths):
        return keras.KerasTensor(summary.shape, dtype=summary.dtype)
