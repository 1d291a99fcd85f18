"""Build the Keras model: a recurrent network read at each sequence's last real step.

The model takes two inputs, right-padded ``values`` and integer ``lengths``.
Padding values are never inspected: unlike ``keras.layers.Masking``, a step
that happens to equal the padding value inside a sequence is still data.

* A unidirectional network runs over the padded batch without a mask and the
  head reads each sequence's output at its last real step (``lengths - 1``).
  Because padding comes after the real steps, it cannot reach those outputs,
  so the result is exactly that of the sequence alone, with no per-step mask
  cost and no mask to keep LSTM/GRU layers off their cuDNN kernels on GPU.
* A bidirectional network also reads backwards, from the padding end, so it
  gets a boolean step mask built from the lengths inside the graph.
* An optional convolutional branch (:class:`ConvolutionBranch`, the LSTM-FCN
  design) reads the same input beside the recurrent network; it zeroes the
  padded steps before every convolution, normalises and pools over real steps
  only, and joins the recurrent summary before the output layer.

Only the public Keras API is used, so the graph is backend-neutral.
"""

import keras

from skrnn._layers import (
    AttentionPooling,
    ConvolutionBranch,
    FlatSteps,
    L2Penalty,
    LastStep,
    LengthMask,
    RealStepFeature,
    SequenceDropout,
    StepPooling,
)

__all__ = [
    "OPTIMIZERS",
    "build_model",
    "compile_model",
    "keras_activation_name",
]

POOLINGS = ("last", "mean", "max", "attention")
# Whether summary_dropout drops each sequence's whole recurrent summary (True)
# or each of its units (False, as LSTM-FCN does; kept to rerun the benchmark
# rounds that measured it).
SUMMARY_DROPOUT_WHOLE = True
# The linear read of the steps reads them multiplied by this. Adam moves a
# weight by about the learning rate per update whatever its gradient, so the
# zero-initialised read reaches a logistic regression's weights (a few units)
# in a quarter of the updates (round 46 in benchmarks/RESULTS.md).
LINEAR_STEPS_SCALE = 4.0

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}

_CELLS = {
    "simple": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}


def keras_activation_name(function):
    """The name of ``function`` if it is one of Keras' own activations, else None.

    Compared by identity: a user's function named ``'tanh'`` is not Keras'.
    """
    name = getattr(function, "__name__", None)
    if name is None:
        return None
    try:
        return name if keras.activations.get(name) is function else None
    except ValueError:
        return None


def build_model(
    *,
    n_features,
    n_outputs,
    units=(64,),
    cell="simple",
    bidirectional=False,
    activation="tanh",
    dropout=0.0,
    recurrent_dropout=0.0,
    embedding_dim=None,
    vocabulary_size=None,
    alpha=0.0,
    seed=0,
    dtype="float32",
    per_step=False,
    past_end=None,
    pooling="last",
    conv_filters=None,
    conv_kernel_size=(8, 5, 3),
    conv_stride=1,
    conv_znorm=False,
    window=1,
    summary_dropout=0.0,
    linear_steps=None,
    network_dropout=0.0,
):
    """Build an uncompiled model mapping ``[values, lengths]`` to output logits.

    Parameters
    ----------
    n_features : int
        Features per step of ``values`` (ignored when ``embedding_dim`` is set:
        token ids are one per step).
    n_outputs : int
        Width of the linear output layer (number of classes).
    units : tuple of int, default=(64,)
        Units of each stacked recurrent layer, first to last. Empty, with
        ``conv_filters``: the convolutional branch alone (for ablations).
    cell : {'simple', 'lstm', 'gru'}, default='simple'
        Recurrent layer type.
    bidirectional : bool, default=False
        Whether each recurrent layer also reads the sequence backwards.
    activation : str or callable, default='tanh'
        Activation of the recurrent layers.
    dropout, recurrent_dropout : float, default=0.0
        Dropout on the inputs and on the recurrent state of each recurrent layer.
    embedding_dim : int, default=None
        When set, ``values`` are integer token ids fed through an ``Embedding``
        of this width with ``vocabulary_size`` rows.
    vocabulary_size : int, default=None
        Number of token ids (largest id + 1); required with ``embedding_dim``.
    alpha : float, default=0.0
        L2 penalty on every kernel, ``alpha * sum(w ** 2)`` added to the loss.
    seed : int, default=0
        Seed of every initializer and dropout mask, so building and training are
        reproducible without touching global random state.
    dtype : str, default='float32'
        Compute and variable dtype of the numeric layers.
    per_step : bool, default=False
        False: one output per sequence, read at its last real step. True: one
        output per step, ``(batch, time, n_outputs)``.
    past_end : int, default=None
        With ``per_step``: None reads each sequence's real steps only; an int
        ``k`` lets sequence ``i`` run for ``max(lengths[i], k) + 1`` steps,
        padding steps being fed after its end with a feature that tells the
        network the input has ended (1 on real steps, 0 after).
    pooling : {'last', 'mean', 'max', 'attention'}, default='last'
        How the recurrent outputs become one vector per sequence.
    conv_filters : tuple of int, default=None
        Filters of each block of a :class:`ConvolutionBranch` beside the
        recurrent network, joined to its summary before the output layer;
        None: no branch. Not with ``per_step``.
    conv_kernel_size : tuple of int, default=(8, 5, 3)
        Kernel width of each block of the branch.
    conv_stride : int, default=1
        Stride of the branch's first block, in original steps.
    conv_znorm : bool, default=False
        Whether the branch's first block also reads each sequence
        standardised by its own real steps, beside the values.
    window : int, default=1
        Original steps stacked in each step of ``values`` (the branch
        unstacks them).
    summary_dropout : float, default=0.0
        With the branch: the share of training sequences whose whole
        recurrent summary is dropped (zeroed, the others scaled up) before
        the output layer. Ignored without the branch.
    linear_steps : int, default=None
        An int: a linear read of the first this many steps of ``values``,
        each feature of each step at its place (padding zeroed), added to the
        logits. Not with ``embedding_dim`` or ``per_step``.
    network_dropout : float, default=0.0
        With ``linear_steps``: the share of training sequences whose
        network logits are dropped (zeroed, the others scaled up), leaving
        the linear read to predict them alone.

    Returns
    -------
    model : keras.Model
        Functional model with inputs ``values`` and ``lengths`` and one output,
        the logits.
    """
    seeds = iter(range(seed, seed + 1000))
    regularizer = L2Penalty(alpha) if alpha > 0 else None
    if embedding_dim is None:
        values = keras.Input((None, n_features), dtype=dtype, name="values")
        hidden = values
    else:
        values = keras.Input((None,), dtype="int32", name="values")
        hidden = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.05, 0.05, seed=next(seeds)
            ),
            dtype=dtype,
            name="embedding",
        )(values)
        embedded = hidden
    lengths = keras.Input((), dtype="int32", name="lengths")
    if past_end is not None:
        flag = RealStepFeature(dtype=dtype, name="real_steps")(values, lengths)
        hidden = keras.layers.Concatenate(dtype=dtype, name="with_input_flag")(
            [hidden, flag]
        )
    ends = {} if past_end is None else {"minimum": past_end, "extra": 1}
    mask = (
        LengthMask(dtype=dtype, name="length_mask", **ends)(values, lengths)
        if bidirectional
        else None
    )

    def recurrent_layer(n_units, return_sequences, name, go_backwards=False):
        return _CELLS[cell](
            n_units,
            activation=activation,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            return_sequences=return_sequences,
            go_backwards=go_backwards,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            kernel_regularizer=regularizer,
            recurrent_regularizer=regularizer,
            seed=next(seeds),
            dtype=dtype,
            name=name,
        )

    if linear_steps and (per_step or embedding_dim is not None):
        raise ValueError(
            "A linear read of the steps (linear_steps) needs numeric steps and "
            "one output per sequence."
        )
    if not units and (per_step or not conv_filters):
        raise ValueError(
            "A network without recurrent layers (units=()) needs the convolutional "
            "branch (conv_filters) and one output per sequence."
        )
    for depth, n_units in enumerate(units):
        name = f"{cell}_rnn_{depth}"
        if bidirectional:
            return_sequences = per_step or pooling != "last" or depth < len(units) - 1
            # An explicit backward layer, so it gets its own seeds (a copy of the
            # forward layer would start from identical weights).
            layer = keras.layers.Bidirectional(
                recurrent_layer(n_units, return_sequences, name),
                backward_layer=recurrent_layer(
                    n_units, return_sequences, f"{name}_backward", go_backwards=True
                ),
                dtype=dtype,
                name=f"bidirectional_{depth}",
            )
            hidden = layer(hidden, mask=mask)
        else:
            hidden = recurrent_layer(n_units, True, name)(hidden)
    if not units:
        # Ablation only: the convolutional branch alone.
        hidden = None
    elif not per_step:
        if pooling in ("mean", "max"):
            hidden = StepPooling(pooling, dtype=dtype, name=f"{pooling}_pooling")(
                hidden, lengths
            )
        elif pooling == "attention":
            hidden = AttentionPooling(
                seed=next(seeds), dtype=dtype, name="attention_pooling"
            )(hidden, lengths)
        elif not bidirectional:
            hidden = LastStep(dtype=dtype, name="last_step")(hidden, lengths)
        if summary_dropout > 0 and conv_filters:
            # A sequence's whole recurrent summary is dropped at once, so the
            # branch also learns to classify alone.
            if SUMMARY_DROPOUT_WHOLE:
                hidden = SequenceDropout(
                    summary_dropout,
                    seed=next(seeds),
                    dtype=dtype,
                    name="summary_dropout",
                )(hidden, values, lengths)
            else:
                hidden = keras.layers.Dropout(
                    summary_dropout,
                    seed=next(seeds),
                    dtype=dtype,
                    name="summary_dropout",
                )(hidden)
    if conv_filters and not per_step:
        # The branch seeds its blocks with consecutive seeds from this one.
        branch_seed = next(seeds)
        for _ in conv_filters[1:]:
            next(seeds)
        branch = ConvolutionBranch(
            conv_filters,
            conv_kernel_size,
            window=window if embedding_dim is None else 1,
            stride=conv_stride,
            alpha=alpha,
            seed=branch_seed,
            znorm=conv_znorm,
            dtype=dtype,
            name="convolution_branch",
        )(values if embedding_dim is None else embedded, lengths)
        hidden = (
            branch
            if hidden is None
            else keras.layers.Concatenate(dtype=dtype, name="with_convolutions")(
                [hidden, branch]
            )
        )
    logits = keras.layers.Dense(
        n_outputs,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        kernel_regularizer=regularizer,
        dtype=dtype,
        name="logits",
    )(hidden)
    if linear_steps:
        if network_dropout > 0:
            # A sequence's whole network output is dropped at once, so the
            # linear read also learns to predict alone.
            logits = SequenceDropout(
                network_dropout, seed=next(seeds), dtype=dtype, name="network_dropout"
            )(logits, values, lengths)
        flat = FlatSteps(
            linear_steps, scale=LINEAR_STEPS_SCALE, dtype=dtype, name="flat_steps"
        )(values, lengths)
        linear = keras.layers.Dense(
            n_outputs, kernel_initializer="zeros", dtype=dtype, name="linear_steps"
        )(flat)
        logits = keras.layers.Add(dtype=dtype, name="with_linear_steps")(
            [logits, linear]
        )
    return keras.Model([values, lengths], logits, name="sequence_rnn")


def compile_model(
    model,
    *,
    loss,
    metrics,
    optimizer="adam",
    learning_rate=0.001,
    momentum=0.9,
    clipnorm=None,
    weight_average=None,
):
    """Compile ``model`` with one of ``OPTIMIZERS`` and build its slots.

    Parameters
    ----------
    model : keras.Model
        Model from :func:`build_model`.
    loss : keras.losses.Loss
        Training loss.
    metrics : list of keras.metrics.Metric
        Metrics reported per epoch.
    optimizer : {'adam', 'rmsprop', 'sgd'}, default='adam'
        Optimizer name.
    learning_rate : float, default=0.001
        Initial learning rate.
    momentum : float, default=0.9
        Momentum of ``'sgd'``.
    clipnorm : float, default=None
        Clip each gradient to this norm; None: no clipping.
    weight_average : float, default=None
        Momentum of an exponential moving average of the weights that the
        optimizer keeps (Keras' ``use_ema``); None: no average.

    Returns
    -------
    model : keras.Model
        The same model, compiled.
    """
    options = {"momentum": momentum} if optimizer == "sgd" else {}
    if weight_average is not None:
        options.update(use_ema=True, ema_momentum=weight_average)
    model.compile(
        optimizer=OPTIMIZERS[optimizer](
            learning_rate=learning_rate, clipnorm=clipnorm, **options
        ),
        loss=loss,
        metrics=metrics,
    )
    # Created here, the optimizer's slots are not created inside the first
    # traced training step, which TensorFlow would then trace a second time.
    model.optimizer.build(model.trainable_variables)
    return model
