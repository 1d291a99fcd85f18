"""The ONNX graph of a fitted estimator, written from its description.

The graph is written from the fitted weights with ONNX's own operators: each
recurrent layer becomes one native ``RNN``, ``GRU`` or ``LSTM`` node reading
the true lengths (``sequence_lens``), so no layer becomes a ``Loop`` and
padding never reaches the state. The input pipeline
(:func:`input_stage`, the ONNX rendering of
:class:`skrnn._preprocessing.InputPipeline`) comes before the network, and the
task's output stage (softmax, labels, target scaling) after it.

Only ``onnx`` is needed to write the file, and only ``onnxruntime`` and numpy
to run it (:func:`skrnn.to_padded` turns ragged sequences into the inputs
without importing TensorFlow).
"""

import numpy as np

__all__ = ["OPSET", "input_graph", "onnx_graph", "onnx_module"]

# ONNX opset of the graph (onnxruntime >= 1.13 runs it).
OPSET = 17
# ONNX's names of Keras' activations that its recurrent operators support.
_ONNX_ACTIVATIONS = {
    "tanh": "Tanh",
    "relu": "Relu",
    "sigmoid": "Sigmoid",
    "hard_sigmoid": "HardSigmoid",
}
# Keras' LSTM gates are (input, forget, cell, output); ONNX wants i, o, f, c.
_LSTM_ORDER = (0, 3, 1, 2)


def onnx_module():
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "Exporting to ONNX needs the onnx package: pip install 'skrnn[onnx]'."
        ) from None
    return onnx


class _Graph:
    """Nodes and constants of one ONNX graph, with fresh names."""

    def __init__(self, onnx):
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes, self.initializers = [], []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, value, hint="const", dtype=None):
        array = np.asarray(value, dtype=dtype)
        name = self.name(hint)
        if array.dtype.kind in "OUS":
            tensor = self.helper.make_tensor(
                name,
                self.onnx.TensorProto.STRING,
                array.shape,
                [str(v).encode() for v in array.ravel()],
            )
        else:
            tensor = self.onnx.numpy_helper.from_array(array, name)
        self.initializers.append(tensor)
        return name

    def ints(self, value):
        """An int64 constant (indices, axes, shapes)."""
        return self.constant(value, "ints", np.int64)

    def op(self, op_type, inputs, n_outputs=1, hint=None, **attributes):
        outputs = [self.name(hint or op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), outputs, **attributes)
        )
        return outputs[0] if n_outputs == 1 else outputs

    def rename(self, source, target):
        """Expose ``source`` under the graph output name ``target``."""
        self.op_named("Identity", [source], target)

    def op_named(self, op_type, inputs, output, **attributes):
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), [output], **attributes)
        )
        return output


def _layers(model):
    """The model's recurrent layers, first to last, as (forward, backward|None)."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            found.append((layer.forward_layer, layer.backward_layer))
        elif isinstance(layer, keras.layers.RNN):
            found.append((layer, None))
    return found


def _activation_name(function, what="activation"):
    """ONNX's name for one of Keras' own activations; refuse anything else."""
    from skrnn._model import keras_activation_name

    name = keras_activation_name(function)
    if name not in _ONNX_ACTIVATIONS:
        shown = getattr(function, "__name__", function)
        raise ValueError(
            f"Cannot export: the recurrent {what} {shown!r} has no ONNX "
            "equivalent. ONNX's recurrent operators take Keras' "
            f"{sorted(_ONNX_ACTIVATIONS)}."
        )
    return _ONNX_ACTIVATIONS[name]


def _recurrent_weights(layer, cell):
    """W, R, B of one direction in ONNX's layout (gates first, then units)."""
    kernel, recurrent, bias = (
        np.asarray(w, dtype=np.float32) for w in layer.get_weights()
    )
    units = recurrent.shape[0]
    if cell == "simple":
        return (
            kernel.T,
            recurrent.T,
            np.concatenate([bias, np.zeros(units, np.float32)]),
        )
    if cell == "gru":
        # reset_after=True: bias is (input bias, recurrent bias), gates z, r, h
        # in both frameworks; ONNX's linear_before_reset=1 is the same cell.
        return kernel.T, recurrent.T, bias.reshape(-1)

    # LSTM: reorder the gate blocks.
    def gates(matrix):
        blocks = np.split(matrix, 4, axis=-1)
        return np.concatenate([blocks[i] for i in _LSTM_ORDER], axis=-1)

    return (
        gates(kernel).T,
        gates(recurrent).T,
        np.concatenate([gates(bias), np.zeros(4 * units, np.float32)]),
    )


def _recurrent(graph, sequence, lengths32, forward, backward, cell):
    """One recurrent layer over time-major ``sequence``; returns (Y, Y_h) names."""
    directions = [forward] if backward is None else [forward, backward]
    weights = [_recurrent_weights(layer, cell) for layer in directions]
    W, R, B = (np.stack([w[i] for w in weights]) for i in range(3))
    activation = _activation_name(forward.cell.activation)
    if cell == "simple":
        op_type, per_direction, attributes = "RNN", [activation], {}
    else:
        gate = _activation_name(
            forward.cell.recurrent_activation, "recurrent_activation"
        )
        if cell == "gru":
            op_type, per_direction = "GRU", [gate, activation]
            attributes = {"linear_before_reset": 1}
        else:
            op_type, per_direction, attributes = (
                "LSTM",
                [gate, activation, activation],
                {},
            )
    attributes["activations"] = per_direction * len(directions)
    units = R.shape[-1]
    return graph.op(
        op_type,
        [
            sequence,
            graph.constant(W, "W"),
            graph.constant(R, "R"),
            graph.constant(B, "B"),
            lengths32,
        ],
        n_outputs=2,
        hint=op_type.lower(),
        hidden_size=units,
        direction="forward" if backward is None else "bidirectional",
        **attributes,
    )


# ------------------------------------------------------------ input stage


def real_steps(g, values, lengths, time_axis=1):
    """Boolean, True on real steps: ``(N, T, 1)``, or ``(N, 1, T)`` for
    channel-first ``values`` (``time_axis=2``)."""
    shape = g.op("Shape", [values])
    width = g.op("Gather", [shape, g.ints(time_axis)], axis=0)
    steps = g.op("Range", [g.ints(0), width, g.ints(1)])
    real = g.op(
        "Less",
        [
            g.op("Unsqueeze", [steps, g.ints([0])]),
            g.op("Unsqueeze", [lengths, g.ints([1])]),
        ],
    )
    return g.op("Unsqueeze", [real, g.ints([3 - time_axis])])


def zero_padding(g, values, real):
    return g.op("Where", [real, values, g.constant(0.0, dtype=np.float32)])


def mean_over_real_steps(g, values, real, axis):
    """The mean of ``values`` over the steps where boolean ``real`` holds."""
    weights = g.op("Cast", [real], to=g.onnx.TensorProto.FLOAT)
    axes = g.ints([axis])
    total = g.op("ReduceSum", [g.op("Mul", [values, weights]), axes], keepdims=0)
    return g.op("Div", [total, g.op("ReduceSum", [weights, axes], keepdims=0)])


def affine(g, values, shift, scale):
    values = g.op("Sub", [values, g.constant(shift, "shift", np.float32)])
    return g.op("Div", [values, g.constant(scale, "scale", np.float32)])


def stack_windows(g, values, lengths, k, step_width):
    """Each ``k`` consecutive real steps side by side; new values and lengths.

    Steps past a sequence's end repeat its last real step, as
    :func:`skrnn._preprocessing.stack_windows` does.
    """
    width = g.op("Gather", [g.op("Shape", [values]), g.ints([1])], axis=0)
    padded_width = g.op(
        "Mul",
        [
            g.op("Div", [g.op("Add", [width, g.ints([k - 1])]), g.ints([k])]),
            g.ints([k]),
        ],
    )
    steps = g.op("Range", [g.ints(0), g.op("Squeeze", [padded_width]), g.ints(1)])
    last = g.op("Sub", [g.op("Max", [lengths, g.ints(1)]), g.ints(1)])
    source = g.op(
        "Min",
        [
            g.op("Unsqueeze", [steps, g.ints([0])]),
            g.op("Unsqueeze", [last, g.ints([1])]),
        ],
    )
    filled = g.op(
        "GatherND",
        [values, g.op("Unsqueeze", [source, g.ints([2])])],
        batch_dims=1,
    )
    # Batch kept (0), windows inferred (-1), k steps' features side by side.
    stacked = g.op("Reshape", [filled, g.ints([0, -1, k * step_width])])
    new_lengths = g.op("Div", [g.op("Add", [lengths, g.ints(k - 1)]), g.ints(k)])
    return stacked, new_lengths


def zscore(g, values, real, lengths, floor=1e-8):
    """Each sequence standardised by its own real steps (zero-padded
    ``values``); a deviation below ``floor * (1 + |mean|)`` counts as none."""
    count = g.op(
        "Unsqueeze",
        [g.op("Cast", [lengths], to=g.onnx.TensorProto.FLOAT), g.ints([1, 2])],
    )
    axis = g.ints([1])
    mean = g.op("Div", [g.op("ReduceSum", [values, axis], keepdims=1), count])
    centred = zero_padding(g, g.op("Sub", [values, mean]), real)
    variance = g.op(
        "Div",
        [
            g.op("ReduceSum", [g.op("Mul", [centred, centred]), axis], keepdims=1),
            count,
        ],
    )
    std = g.op("Sqrt", [variance])
    floor = g.op(
        "Mul",
        [
            g.constant(floor, dtype=np.float32),
            g.op("Add", [g.constant(1.0, dtype=np.float32), g.op("Abs", [mean])]),
        ],
    )
    std = g.op(
        "Where",
        [g.op("Greater", [std, floor]), std, g.constant(1.0, dtype=np.float32)],
    )
    return g.op("Div", [centred, std])


def input_stage(g, pipeline, values, lengths):
    """The ONNX rendering of an :class:`~skrnn._preprocessing.InputPipeline`."""
    if pipeline.tokens:
        return values, lengths
    # Padding may hold anything (NaN): zero it, unless windows are stacked,
    # which read real steps only and come padded with them.
    real = None
    if pipeline.window == 1:
        real = real_steps(g, values, lengths)
        values = zero_padding(g, values, real)
    for shift, scale in pipeline.scalers:
        values = affine(g, values, shift, scale)
        if real is not None:
            values = zero_padding(g, values, real)
    if pipeline.window > 1:
        values, lengths = stack_windows(
            g, values, lengths, pipeline.window, pipeline.step_width
        )
        if pipeline.scaling is not None:
            # Windows past the end repeat the last real step; the sequence
            # statistics must not count them.
            real = real_steps(g, values, lengths)
            values = zero_padding(g, values, real)
    if pipeline.scaling == "feature":
        values = zero_padding(
            g, affine(g, values, pipeline.feature_mean, pipeline.feature_scale), real
        )
    elif pipeline.scaling == "sequence":
        values = zscore(g, values, real, lengths)
    return values, lengths


def _input_infos(onnx, pipeline):
    TensorProto = onnx.TensorProto
    return [
        onnx.helper.make_tensor_value_info(
            "values",
            TensorProto.INT64 if pipeline.tokens else TensorProto.FLOAT,
            ["batch", "time"]
            if pipeline.tokens
            else ["batch", "time", pipeline.step_width],
        ),
        onnx.helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"]),
    ]


def _finish(g, inputs, outputs):
    # Constants some path made but did not use (onnxruntime warns of them).
    used = {name for node in g.nodes for name in node.input}
    initializers = [t for t in g.initializers if t.name in used]
    return g.onnx.helper.make_graph(
        g.nodes, "skrnn", inputs, outputs, initializer=initializers
    )


def input_graph(pipeline, onnx):
    """A graph of the input stage alone: ``network_values``, ``network_lengths``.

    It lets the ONNX rendering be compared with the numpy and TensorFlow ones
    without training a network.
    """
    g = _Graph(onnx)
    values, lengths = input_stage(g, pipeline, "values", "lengths")
    g.rename(values, "network_values")
    g.rename(lengths, "network_lengths")
    TensorProto = onnx.TensorProto
    value_type = TensorProto.INT64 if pipeline.tokens else TensorProto.FLOAT
    return _finish(
        g,
        _input_infos(onnx, pipeline),
        [
            onnx.helper.make_tensor_value_info("network_values", value_type, None),
            onnx.helper.make_tensor_value_info(
                "network_lengths", TensorProto.INT64, ["batch"]
            ),
        ],
    )


# ---------------------------------------------------------------- network


class _Network:
    """Writes the network of one fitted estimator into a graph."""

    def __init__(self, graph, description):
        self.graph = graph
        self.description = description

    def run_steps(self, values, lengths):
        """Steps each sequence runs for, and ``values`` padded that wide.

        A task that runs past the input's end (a tagger in EOS mode) runs for
        ``max(length, past_end) + 1`` steps; every other one over the real
        steps.
        """
        g, past_end = self.graph, self.description.task.past_end
        if past_end is None:
            return values, lengths
        steps = g.op("Add", [g.op("Max", [lengths, g.ints(past_end)]), g.ints(1)])
        width = g.op("Gather", [g.op("Shape", [values]), g.ints([1])])
        longest = g.op("ReduceMax", [steps], axes=[0], keepdims=1)
        extra = g.op("Max", [g.op("Sub", [longest, width]), g.ints([0])])
        zero = g.ints([0])
        tokens = self.description.pipeline.tokens
        before = [zero] * (2 if tokens else 3)
        after = [zero, extra] if tokens else [zero, extra, zero]
        return g.op("Pad", [values, g.op("Concat", [*before, *after], axis=0)]), steps

    def network(self, values, lengths):
        """The network's logits: ``(N, n_outputs)``, or per step ``(N, T, n_outputs)``.

        Per-step logits come with the steps each sequence ran for.
        """
        g, description = self.graph, self.description
        model = description.model
        network = description.network
        cell = network["cell"]
        values, steps = self.run_steps(values, lengths)
        real = real_steps(g, values, lengths)
        if description.pipeline.tokens:
            ids = g.op(
                "Where",
                [
                    g.op("Squeeze", [real, g.ints([2])]),
                    values,
                    g.ints(0),
                ],
            )
            table = np.asarray(
                model.get_layer("embedding").get_weights()[0], np.float32
            )
            sequence = g.op("Gather", [g.constant(table, "embedding"), ids], axis=0)
        else:
            sequence = values
        branch = None
        if "convolution_branch" in {layer.name for layer in model.layers}:
            branch = self.convolutions(
                sequence, lengths, model.get_layer("convolution_branch")
            )
        if steps is not lengths:
            # RealStepFeature: 1 on the input's real steps, 0 after.
            flag = g.op("Cast", [real], to=g.onnx.TensorProto.FLOAT)
            sequence = g.op("Concat", [sequence, flag], axis=2)
        sequence = g.op("Transpose", [sequence], perm=[1, 0, 2])
        steps32 = g.op("Cast", [steps], to=g.onnx.TensorProto.INT32)
        outputs = final = None
        for forward, backward in _layers(model):
            outputs, final = _recurrent(g, sequence, steps32, forward, backward, cell)
            # (T, directions, N, H) -> (T, N, directions * H)
            sequence = g.op(
                "Reshape",
                [
                    g.op("Transpose", [outputs], perm=[0, 2, 1, 3]),
                    g.ints([0, 0, -1]),
                ],
            )
        kernel, bias = self.dense("logits")
        if len(model.outputs[0].shape) == 3:
            logits = g.op("Add", [g.op("MatMul", [sequence, kernel]), bias])
            return g.op("Transpose", [logits], perm=[1, 0, 2]), steps
        pooling = network.get("pooling", "last")
        if pooling == "last":
            pooled = g.op(
                "Reshape",
                [
                    g.op("Transpose", [final], perm=[1, 0, 2]),
                    g.ints([0, -1]),
                ],
            )
        else:
            pooled = self.pool(sequence, real, pooling, model)
        if branch is not None:
            pooled = g.op("Concat", [pooled, branch], axis=1)
        logits = g.op("Gemm", [pooled, kernel, bias])
        if "flat_steps" in {layer.name for layer in model.layers}:
            linear = self.linear_steps(values, real, model.get_layer("flat_steps"))
            logits = g.op("Add", [logits, linear])
        return logits, steps

    def dense(self, name):
        """The kernel and bias of the model's ``Dense`` layer ``name``, as constants."""
        weights = self.description.model.get_layer(name).get_weights()
        return [self.graph.constant(np.asarray(w, np.float32), name) for w in weights]

    def linear_steps(self, values, real, layer):
        """The linear read of the steps (:class:`skrnn._layers.FlatSteps`
        ``layer`` and its ``Dense``): ``(N, n_outputs)``."""
        g, after = self.graph, layer.steps
        padded = g.op(
            "Pad", [zero_padding(g, values, real), g.ints([0, 0, 0, 0, after, 0])]
        )
        first = g.op("Slice", [padded, g.ints([0]), g.ints([after]), g.ints([1])])
        flat = g.op("Reshape", [first, g.ints([0, -1])])
        return g.op("Gemm", [flat, *self.dense("linear_steps")], alpha=layer.scale)

    def convolutions(self, values, lengths, layer):
        """The convolutional branch on batch-major ``values``: ``(N, filters)``.

        Each block is one native ``Conv``, the layer normalisation across its
        filters, then ``Relu``; padded steps are zeroed before each, and the
        mean is over real steps, as in :class:`skrnn._model.ConvolutionBranch`.
        """
        g, window = self.graph, layer.window
        if window > 1:
            width = g.op("Gather", [g.op("Shape", [values]), g.ints([2])])
            features = g.op("Div", [width, g.ints([window])])
            values = g.op(
                "Reshape", [values, g.op("Concat", [g.ints([0, -1]), features], axis=0)]
            )
            lengths = g.op("Mul", [lengths, g.ints(window)])
        if layer.znorm:
            from skrnn._layers import ZSCORE_FLOOR

            real = real_steps(g, values, lengths)
            values = zero_padding(g, values, real)
            shapes = zscore(g, values, real, lengths, ZSCORE_FLOOR)
            values = (
                shapes
                if layer.znorm == "only"
                else g.op("Concat", [values, shapes], axis=2)
            )
        hidden = g.op("Transpose", [values], perm=[0, 2, 1])  # (N, C, T)

        for depth, (convolution, normalization) in enumerate(
            zip(layer.convolutions, layer.normalizations, strict=True)
        ):
            hidden = zero_padding(g, hidden, real_steps(g, hidden, lengths, 2))
            kernel = np.asarray(convolution.kernel, np.float32)  # (K, in, out)
            stride = convolution.strides[0]
            hidden = g.op(
                "Conv",
                [hidden, g.constant(kernel.transpose(2, 1, 0), "conv")],
                kernel_shape=[kernel.shape[0]],
                strides=[stride],
                pads=list(layer.padding(depth)),
            )
            hidden = g.op("Relu", [self.layer_normalization(hidden, normalization)])
            if stride > 1:
                lengths = g.op(
                    "Div", [g.op("Add", [lengths, g.ints(stride - 1)]), g.ints(stride)]
                )
        return mean_over_real_steps(g, hidden, real_steps(g, hidden, lengths, 2), 2)

    def pool(self, sequence, real, pooling, model):
        """Pool time-major ``sequence`` over real steps."""
        g = self.graph
        real = g.op("Transpose", [real], perm=[1, 0, 2])  # (T, N, 1)
        axis = g.ints([0])
        if pooling == "max":
            lowest = g.constant(-np.inf, dtype=np.float32)
            return g.op(
                # Before opset 18, ReduceMax takes its axes as an attribute.
                "ReduceMax",
                [g.op("Where", [real, sequence, lowest])],
                axes=[0],
                keepdims=0,
            )
        if pooling == "mean":
            return mean_over_real_steps(g, sequence, real, 0)
        kernel = np.asarray(
            model.get_layer("attention_pooling").get_weights()[0], np.float32
        )
        scores = g.op("MatMul", [sequence, g.constant(kernel, "attention")])
        scores = g.op("Where", [real, scores, g.constant(-1e9, dtype=np.float32)])
        weights = g.op("Softmax", [scores], axis=0)
        return g.op("ReduceSum", [g.op("Mul", [sequence, weights]), axis], keepdims=0)

    def layer_normalization(self, hidden, normalization):
        """Keras' ``LayerNormalization`` across the channels of ``(N, C, T)``."""
        g = self.graph
        # Before opset 18, ReduceMean takes its axes as an attribute.
        mean = g.op("ReduceMean", [hidden], axes=[1])
        centred = g.op("Sub", [hidden, mean])
        variance = g.op("ReduceMean", [g.op("Mul", [centred, centred])], axes=[1])
        epsilon = g.constant(normalization.epsilon, dtype=np.float32)
        scale = g.op("Sqrt", [g.op("Add", [variance, epsilon])])
        gamma, beta = (
            g.constant(np.asarray(w, np.float32)[None, :, None], name)
            for w, name in (
                (normalization.gamma, "gamma"),
                (normalization.beta, "beta"),
            )
        )
        return g.op("Add", [g.op("Mul", [g.op("Div", [centred, scale]), gamma]), beta])


_TYPES = {"float": "FLOAT", "int64": "INT64", "string": "STRING"}


def onnx_graph(description, onnx):
    """The whole graph: input stage, network, and the task's output stage."""
    g = _Graph(onnx)
    values, lengths = input_stage(g, description.pipeline, "values", "lengths")
    logits, steps = _Network(g, description).network(values, lengths)
    outputs = [
        onnx.helper.make_tensor_value_info(
            name, getattr(onnx.TensorProto, _TYPES[kind]), shape
        )
        for name, kind, shape in description.task.onnx_outputs(g, logits, steps)
    ]
    return _finish(g, _input_infos(onnx, description.pipeline), outputs)
