"""Export fitted estimators and pipelines to ONNX, for serving without TensorFlow.

The graph is written from the fitted weights with ONNX's own operators: each
recurrent layer becomes one native ``RNN``, ``GRU`` or ``LSTM`` node reading
the true lengths (``sequence_lens``), so no layer becomes a ``Loop`` and
padding never reaches the state. Everything skrnn does to the input before the
network (a ``SequenceStandardScaler`` in front, the windows, the built-in
scaling) and after it (softmax, labels, target scaling) is in the graph too.

Only ``onnx`` is needed to write the file, and only ``onnxruntime`` and numpy
to run it (:func:`skrnn.to_padded` turns ragged sequences into the inputs
without importing TensorFlow).
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from skrnn._version import __version__

__all__ = ["export"]

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
FORMATS = ("onnx", "tf_saved_model")


def _onnx():
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


class _Builder:
    """Writes the graph of one fitted estimator, with scalers in front."""

    def __init__(self, estimator, scalers, onnx):
        self.estimator = estimator
        self.scalers = scalers
        self.graph = _Graph(onnx)
        self.onnx = onnx

    # -------------------------------------------------------------- input

    def real_steps(self, values, lengths, time_axis=1):
        """Boolean, True on real steps: ``(N, T, 1)``, or ``(N, 1, T)`` for
        channel-first ``values`` (``time_axis=2``)."""
        g = self.graph
        shape = g.op("Shape", [values])
        width = g.op("Gather", [shape, g.ints(time_axis)], axis=0)
        steps = g.op(
            "Range",
            [g.ints(0), width, g.ints(1)],
        )
        real = g.op(
            "Less",
            [
                g.op("Unsqueeze", [steps, g.ints([0])]),
                g.op("Unsqueeze", [lengths, g.ints([1])]),
            ],
        )
        return g.op("Unsqueeze", [real, g.ints([3 - time_axis])])

    def zero_padding(self, values, real):
        g = self.graph
        return g.op("Where", [real, values, g.constant(0.0, dtype=np.float32)])

    def affine(self, values, shift, scale):
        g = self.graph
        values = g.op("Sub", [values, g.constant(shift, "shift", np.float32)])
        return g.op("Div", [values, g.constant(scale, "scale", np.float32)])

    def window(self, values, lengths, k):
        """Each ``k`` consecutive real steps side by side; new values and lengths.

        Steps past a sequence's end repeat its last real step, as
        ``stack_windows`` does.
        """
        g = self.graph
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
        stacked = g.op(
            "Reshape", [filled, g.ints([0, -1, k * self.estimator._step_width()])]
        )
        new_lengths = g.op("Div", [g.op("Add", [lengths, g.ints(k - 1)]), g.ints(k)])
        return stacked, new_lengths

    def zscore(self, values, real, lengths):
        """Each sequence standardised by its own real steps."""
        g = self.graph
        count = g.op(
            "Unsqueeze",
            [
                g.op("Cast", [lengths], to=self.onnx.TensorProto.FLOAT),
                g.ints([1, 2]),
            ],
        )
        axis = g.ints([1])
        mean = g.op("Div", [g.op("ReduceSum", [values, axis], keepdims=1), count])
        centred = self.zero_padding(g.op("Sub", [values, mean]), real)
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
                g.constant(1e-8, dtype=np.float32),
                g.op("Add", [g.constant(1.0, dtype=np.float32), g.op("Abs", [mean])]),
            ],
        )
        std = g.op(
            "Where",
            [g.op("Greater", [std, floor]), std, g.constant(1.0, dtype=np.float32)],
        )
        return g.op("Div", [centred, std])

    # ------------------------------------------------------------ network

    def run_steps(self, values, lengths):
        """Steps each sequence runs for, and ``values`` padded that wide.

        A tagger in EOS mode runs past the input's end (as ``_steps`` says);
        every other head runs over the real steps.
        """
        est, g = self.estimator, self.graph
        if not getattr(est, "_eos_mode", False):
            return values, lengths
        steps = g.op(
            "Add",
            [
                g.op("Max", [lengths, g.ints(est.max_output_length or 0)]),
                g.ints(1),
            ],
        )
        width = g.op("Gather", [g.op("Shape", [values]), g.ints([1])])
        longest = g.op("ReduceMax", [steps], axes=[0], keepdims=1)
        extra = g.op("Max", [g.op("Sub", [longest, width]), g.ints([0])])
        zero = g.ints([0])
        before = [zero] * (2 if est._tokens else 3)
        after = [zero, extra] if est._tokens else [zero, extra, zero]
        return g.op("Pad", [values, g.op("Concat", [*before, *after], axis=0)]), steps

    def network(self, values, lengths):
        """The network's logits: ``(N, n_outputs)``, or per step ``(N, T, n_outputs)``.

        Per-step logits come with the steps each sequence ran for.
        """
        est, g = self.estimator, self.graph
        model = est.model_
        network = est._network
        cell = network["cell"]
        values, steps = self.run_steps(values, lengths)
        real = self.real_steps(values, lengths)
        if est._tokens:
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
            flag = g.op("Cast", [real], to=self.onnx.TensorProto.FLOAT)
            sequence = g.op("Concat", [sequence, flag], axis=2)
        sequence = g.op("Transpose", [sequence], perm=[1, 0, 2])
        steps32 = g.op("Cast", [steps], to=self.onnx.TensorProto.INT32)
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
        kernel, bias = (
            g.constant(np.asarray(w, np.float32), name)
            for w, name in zip(
                model.get_layer("logits").get_weights(), ("kernel", "bias"), strict=True
            )
        )
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
        return g.op("Gemm", [pooled, kernel, bias]), steps

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
        hidden = g.op("Transpose", [values], perm=[0, 2, 1])  # (N, C, T)

        for depth, (convolution, normalization) in enumerate(
            zip(layer.convolutions, layer.normalizations, strict=True)
        ):
            hidden = self.zero_padding(hidden, self.real_steps(hidden, lengths, 2))
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
        weights = g.op(
            "Cast",
            [self.real_steps(hidden, lengths, 2)],
            to=self.onnx.TensorProto.FLOAT,
        )
        axis = g.ints([2])
        total = g.op("ReduceSum", [g.op("Mul", [hidden, weights]), axis], keepdims=0)
        count = g.op("ReduceSum", [weights, axis], keepdims=0)
        return g.op("Div", [total, count], hint="convolutions")

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
            weights = g.op("Cast", [real], to=self.onnx.TensorProto.FLOAT)
            total = g.op(
                "ReduceSum", [g.op("Mul", [sequence, weights]), axis], keepdims=0
            )
            return g.op("Div", [total, g.op("ReduceSum", [weights, axis], keepdims=0)])
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
        scale = g.op(
            "Sqrt",
            [
                g.op(
                    "Add",
                    [
                        variance,
                        g.constant(normalization.epsilon, dtype=np.float32),
                    ],
                )
            ],
        )
        gamma, beta = (
            g.constant(np.asarray(w, np.float32)[None, :, None], name)
            for w, name in (
                (normalization.gamma, "gamma"),
                (normalization.beta, "beta"),
            )
        )
        return g.op("Add", [g.op("Mul", [g.op("Div", [centred, scale]), gamma]), beta])

    # --------------------------------------------------------------- all

    def build(self):
        est, g, onnx = self.estimator, self.graph, self.onnx
        TensorProto = onnx.TensorProto
        tokens = est._tokens
        inputs = [
            onnx.helper.make_tensor_value_info(
                "values",
                TensorProto.INT64 if tokens else TensorProto.FLOAT,
                ["batch", "time"] if tokens else ["batch", "time", est._step_width()],
            ),
            onnx.helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"]),
        ]
        values, lengths = "values", "lengths"
        if not tokens:
            # Padding may hold anything (NaN): zero it, unless windows are
            # stacked, which read real steps only and come padded with them.
            real = None
            if est.window_ == 1:
                real = self.real_steps(values, lengths)
                values = self.zero_padding(values, real)
            for scaler in self.scalers:
                values = self.affine(values, *scaler._shift_and_scale())
                if real is not None:
                    values = self.zero_padding(values, real)
            if est.window_ > 1:
                values, lengths = self.window(values, lengths, est.window_)
                if est.scaling is not None:
                    real = self.real_steps(values, lengths)
            if est.scaling == "feature":
                values = self.zero_padding(
                    self.affine(values, est.feature_mean_, est.feature_scale_), real
                )
            elif est.scaling == "sequence":
                values = self.zscore(values, real, lengths)
        logits, steps = self.network(values, lengths)
        outputs = (
            self.tagger_head(logits, steps)
            if hasattr(self.estimator, "_eos_mode")
            else self.head(logits)
        )
        # Constants some path made but did not use (onnxruntime warns of them).
        used = {name for node in g.nodes for name in node.input}
        initializers = [t for t in g.initializers if t.name in used]
        return onnx.helper.make_graph(
            g.nodes, "skrnn", inputs, outputs, initializer=initializers
        )

    def labels(self, index, hint):
        """``classes_[index]`` and the ONNX type of the labels."""
        classes = np.asarray(self.estimator.classes_)
        TensorProto = self.onnx.TensorProto
        if classes.dtype.kind in "OUS":
            table, label_type = classes.astype(str), TensorProto.STRING
        elif classes.dtype.kind in "iub":
            table, label_type = classes.astype(np.int64), TensorProto.INT64
        else:
            table, label_type = classes.astype(np.float32), TensorProto.FLOAT
        g = self.graph
        g.op_named("Gather", [g.constant(table, "classes"), index], hint, axis=0)
        return label_type

    def tagger_head(self, logits, steps):
        """Per-step probabilities and labels, and how many of each to read."""
        est, g, onnx = self.estimator, self.graph, self.onnx
        TensorProto = onnx.TensorProto
        n_classes = len(est.classes_)
        g.op_named("Softmax", [logits], "probabilities", axis=2)
        best = g.op("ArgMax", [logits], axis=2, keepdims=0)
        # The label of a step is its most probable class (the EOS aside).
        class_logits = g.op(
            "Slice",
            [
                logits,
                g.ints([0]),
                g.ints([n_classes]),
                g.ints([2]),
            ],
        )
        label_type = self.labels(
            g.op("ArgMax", [class_logits], axis=2, keepdims=0), "labels"
        )
        g.rename(steps, "n_steps")
        if est._eos_mode:
            # predict's cut: before the first step whose best label is the EOS,
            # or at the longest allowed output (steps - 1).
            positions = g.op(
                "Range",
                [
                    g.ints(0),
                    g.op("Gather", [g.op("Shape", [best]), g.ints(1)]),
                    g.ints(1),
                ],
            )
            last = g.op(
                "Unsqueeze",
                [
                    g.op("Sub", [steps, g.ints(1)]),
                    g.ints([1]),
                ],
            )
            is_eos = g.op("Equal", [best, g.ints(n_classes)])
            ends = g.op("Where", [is_eos, positions, last])
            g.op_named(
                "ReduceMin",
                [g.op("Min", [ends, last])],
                "n_labels",
                axes=[1],
                keepdims=0,
            )
        else:
            g.rename(steps, "n_labels")
        width = n_classes + est._eos_mode
        return [
            onnx.helper.make_tensor_value_info(
                "probabilities", TensorProto.FLOAT, ["batch", "steps", width]
            ),
            onnx.helper.make_tensor_value_info(
                "labels", label_type, ["batch", "steps"]
            ),
            onnx.helper.make_tensor_value_info(
                "n_labels", TensorProto.INT64, ["batch"]
            ),
            onnx.helper.make_tensor_value_info("n_steps", TensorProto.INT64, ["batch"]),
        ]

    def head(self, logits):
        est, g, onnx = self.estimator, self.graph, self.onnx
        TensorProto = onnx.TensorProto
        if hasattr(est, "classes_"):
            g.op_named("Softmax", [logits], "probabilities", axis=1)
            label_type = self.labels(
                g.op("ArgMax", [logits], axis=1, keepdims=0), "label"
            )
            return [
                onnx.helper.make_tensor_value_info(
                    "probabilities", TensorProto.FLOAT, ["batch", len(est.classes_)]
                ),
                onnx.helper.make_tensor_value_info("label", label_type, ["batch"]),
            ]
        predictions = g.op(
            "Add",
            [
                g.op(
                    "Mul",
                    [logits, g.constant(est.target_scale_, "target_scale", np.float32)],
                ),
                g.constant(est.target_mean_, "target_mean", np.float32),
            ],
        )
        if est._y_ndim == 1:
            g.op_named("Squeeze", [predictions, g.ints([1])], "predictions")
            shape = ["batch"]
        else:
            g.rename(predictions, "predictions")
            shape = ["batch", est.n_outputs_]
        return [
            onnx.helper.make_tensor_value_info("predictions", TensorProto.FLOAT, shape)
        ]


def _json_params(estimator):
    """``get_params`` as JSON, with a readable string for anything else."""
    params = {}
    for name, value in estimator.get_params(deep=False).items():
        try:
            json.dumps(value)
        except TypeError:
            value = repr(value)
        params[name] = value
    return params


def _split(estimator):
    """The scalers in front and the final skrnn estimator of ``estimator``."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from skrnn._base import BaseSequenceRNN
    from skrnn._preprocessing import SequenceStandardScaler

    steps = (
        [step for _, step in estimator.steps]
        if isinstance(estimator, Pipeline)
        else [estimator]
    )
    steps = [step for step in steps if step not in (None, "passthrough")]
    *scalers, final = steps
    if not isinstance(final, BaseSequenceRNN):
        raise TypeError(
            "export takes a fitted skrnn estimator, or a Pipeline of "
            f"SequenceStandardScaler steps ending in one; got {type(final).__name__} "
            "as the final step."
        )
    for scaler in scalers:
        if not isinstance(scaler, SequenceStandardScaler):
            raise TypeError(
                f"Cannot export a Pipeline step {type(scaler).__name__}: only "
                "SequenceStandardScaler steps can come before the skrnn estimator."
            )
        check_is_fitted(scaler)
    check_is_fitted(final)
    if scalers and final._tokens:
        raise TypeError("A SequenceStandardScaler cannot come before token ids.")
    return scalers, final


def export(estimator, path, *, format="onnx"):
    """Write a fitted estimator or pipeline as an ONNX model for onnxruntime.

    The graph takes the canonical form of the sequences and returns what
    ``predict`` and ``predict_proba`` return:

    * inputs: ``values``, float32 of shape ``(batch, time, n_features)``
      (int64 ``(batch, time)`` token ids for a model with ``embedding_dim``),
      right-padded with any value; ``lengths``, int64 of shape ``(batch,)``,
      the true length of each sequence. :func:`skrnn.to_padded` makes both
      from sequences in any form, without TensorFlow.
    * outputs of a classifier: ``probabilities`` (float32, ``(batch,
      n_classes)``, columns in the order of ``classes_``) and ``label`` (the
      predicted class itself, string, int64 or float32).
    * outputs of a regressor: ``predictions`` (float32, shaped like
      ``predict``'s output).
    * outputs of a tagger: ``probabilities`` (float32, ``(batch, steps,
      n_classes)``, plus a last EOS column in EOS mode), ``labels`` (the most
      probable label of each step), ``n_labels`` (int64: sequence ``i``'s
      predicted labels are ``labels[i, :n_labels[i]]``, cut before the first
      EOS as ``predict`` cuts them) and ``n_steps`` (int64: its
      ``predict_proba`` rows are ``probabilities[i, :n_steps[i]]``).

    Batch and time are dynamic: sequences longer than any seen at fit are
    fine. Recurrent layers become ONNX's native ``RNN``, ``GRU``
    (``linear_before_reset=1``) and ``LSTM`` operators reading ``lengths``.
    The file's metadata records skrnn's version, the estimator's class and
    its parameters.

    Parameters
    ----------
    estimator : SequenceRNNClassifier, SequenceRNNRegressor, SequenceRNNTagger \
            or Pipeline
        Fitted; a ``Pipeline`` may put ``SequenceStandardScaler`` steps before
        the skrnn estimator (their statistics are folded into the graph).
    path : str or path-like
        Destination file, customarily ``.onnx`` (a new directory for
        ``'tf_saved_model'``). It is written under a temporary name and
        renamed into place, so a failed export leaves nothing behind.
    format : {'onnx', 'tf_saved_model'}, default='onnx'
        ``'onnx'``: one ONNX file, for onnxruntime. ``'tf_saved_model'``: a
        TensorFlow SavedModel directory for TensorFlow Serving, whose
        ``serving_default`` signature takes and returns the same named
        tensors (it needs the TensorFlow backend).

    Returns
    -------
    path : pathlib.Path
        The file (or SavedModel directory) written.

    Raises
    ------
    ValueError, TypeError
        Before anything is written, for a model that cannot be exported (for
        example a custom activation, which ONNX's recurrent operators lack).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> from skrnn import SequenceRNNClassifier, export, to_padded
    >>> X = [np.random.rand(n, 2).astype(np.float32) for n in (3, 5, 4, 6)]
    >>> clf = SequenceRNNClassifier(units=4, max_iter=2).fit(X, [0, 1, 0, 1])
    >>> export(clf, "model.onnx")  # doctest: +SKIP
    >>> session = ort.InferenceSession("model.onnx")  # doctest: +SKIP
    >>> values, lengths = to_padded(X)
    >>> probabilities, label = session.run(  # doctest: +SKIP
    ...     None, {"values": values.astype(np.float32), "lengths": lengths})
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}; got {format!r}.")
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Directory {str(path.parent)!r} does not exist.")
    if format == "tf_saved_model":
        scalers, final = _split(estimator)
        if path.exists():
            raise FileExistsError(
                f"{str(path)!r} exists; a SavedModel is a directory written anew. "
                "Remove it or choose another path."
            )
        temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            _write_saved_model(final, scalers, temporary)
            os.replace(temporary, path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        return path
    onnx = _onnx()
    scalers, final = _split(estimator)
    graph = _Builder(final, scalers, onnx).build()
    model = onnx.helper.make_model(
        graph,
        opset_imports=[onnx.helper.make_opsetid("", OPSET)],
        producer_name="skrnn",
        producer_version=_version(),
        doc_string=f"{type(final).__name__} exported by skrnn {_version()}",
    )
    # Opset 17 runs on onnxruntime >= 1.13; an IR version it reads.
    model.ir_version = 8
    onnx.helper.set_model_props(
        model,
        {
            "skrnn_version": _version(),
            "estimator": type(final).__name__,
            "params": json.dumps(_json_params(final)),
            "pipeline": json.dumps([type(step).__name__ for step in scalers]),
        },
    )
    onnx.checker.check_model(model)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(model.SerializeToString())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _tf_serving_function(estimator, scalers):
    """The SavedModel's ``serve(values, lengths)``: the ONNX graph's twin in TF."""
    import tensorflow as tf

    model = estimator.model_
    tagger = hasattr(estimator, "_eos_mode")

    def real_steps(values, lengths):
        steps = tf.range(tf.shape(values)[1], dtype=tf.int64)
        return steps[None, :] < lengths[:, None]

    def masked(values, real):
        return tf.where(real[..., None], values, tf.zeros_like(values))

    def stack_windows(values, lengths, k):
        shape = tf.shape(values, out_type=tf.int64)
        n_windows = (shape[1] + k - 1) // k
        source = tf.minimum(
            tf.range(n_windows * k)[None, :], tf.maximum(lengths, 1)[:, None] - 1
        )
        filled = tf.gather(values, source, batch_dims=1)
        stacked = tf.reshape(filled, [shape[0], n_windows, k * shape[2]])
        return stacked, (lengths + k - 1) // k

    def zscore(values, real, lengths):
        count = tf.cast(lengths, values.dtype)[:, None, None]
        mean = tf.reduce_sum(values, axis=1, keepdims=True) / count
        centred = masked(values - mean, real)
        std = tf.sqrt(tf.reduce_sum(centred**2, axis=1, keepdims=True) / count)
        std = tf.where(std > 1e-8 * (1 + tf.abs(mean)), std, tf.ones_like(std))
        return centred / std

    def serve(values, lengths):
        lengths = tf.cast(lengths, tf.int64)
        if not estimator._tokens:
            real = real_steps(values, lengths)
            values = masked(values, real)
            for scaler in scalers:
                shift, scale = scaler._shift_and_scale()
                values = masked((values - shift) / scale, real)
            if estimator.window_ > 1:
                values, lengths = stack_windows(values, lengths, estimator.window_)
            real = real_steps(values, lengths)
            if estimator.scaling == "feature":
                values = masked(
                    (values - estimator.feature_mean_) / estimator.feature_scale_,
                    real,
                )
            elif estimator.scaling == "sequence":
                values = zscore(values, real, lengths)
        else:
            values = tf.where(real_steps(values, lengths), values, 0)
        steps = lengths
        if tagger and estimator._eos_mode:
            steps = tf.maximum(lengths, estimator.max_output_length or 0) + 1
            extra = tf.maximum(tf.reduce_max(steps) - tf.shape(values, tf.int64)[1], 0)
            paddings = [[0, 0], [0, extra]] + ([] if estimator._tokens else [[0, 0]])
            values = tf.pad(values, paddings)
        values = tf.cast(values, model.inputs[0].dtype)
        logits = model([values, tf.cast(lengths, tf.int32)], training=False)
        logits = tf.cast(logits, tf.float32)
        classes = getattr(estimator, "classes_", None)
        if classes is not None:
            table = tf.constant(
                classes.astype(str) if classes.dtype.kind in "OUS" else classes
            )
        if not tagger and classes is not None:
            return {
                "probabilities": tf.nn.softmax(logits, axis=1),
                "label": tf.gather(table, tf.argmax(logits, axis=1)),
            }
        if not tagger:
            predictions = logits * estimator.target_scale_.astype(
                np.float32
            ) + estimator.target_mean_.astype(np.float32)
            if estimator._y_ndim == 1:
                predictions = predictions[:, 0]
            return {"predictions": predictions}
        n_classes = len(classes)
        labels = tf.gather(table, tf.argmax(logits[..., :n_classes], axis=2))
        n_labels = steps
        if estimator._eos_mode:
            positions = tf.range(tf.shape(logits, tf.int64)[1])[None, :]
            is_eos = tf.argmax(logits, axis=2) == n_classes
            last = (steps - 1)[:, None]
            ends = tf.where(is_eos, positions, last)
            n_labels = tf.reduce_min(tf.minimum(ends, last), axis=1)
        return {
            "probabilities": tf.nn.softmax(logits, axis=2),
            "labels": labels,
            "n_labels": n_labels,
            "n_steps": steps,
        }

    return serve


def _write_saved_model(estimator, scalers, path):
    """Write a SavedModel whose ``serve`` signature mirrors the ONNX graph."""
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            "format='tf_saved_model' needs the TensorFlow backend; the active "
            f"Keras backend is {keras.backend.backend()!r}. Export to ONNX instead."
        )
    archive = keras.export.ExportArchive()
    archive.track(estimator.model_)
    features = [] if estimator._tokens else [estimator._step_width()]
    archive.add_endpoint(
        "serve",
        _tf_serving_function(estimator, scalers),
        input_signature=[
            tf.TensorSpec(
                [None, None, *features],
                tf.int64 if estimator._tokens else tf.float32,
                name="values",
            ),
            tf.TensorSpec([None], tf.int64, name="lengths"),
        ],
    )
    archive.write_out(str(path), verbose=False)


def _version():
    return __version__
