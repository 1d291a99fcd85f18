"""Tagging: a label per step, or an output sequence ended by an EOS."""

from dataclasses import dataclass

import keras
import numpy as np

from skrnn._predict import log_softmax
from skrnn._sequences import pad_steps
from skrnn._tasks._common import Head, Targets, Task, label_table, onnx_labels
from skrnn._training import Dataset

__all__ = ["Tagging", "sequence_accuracy"]


def sequence_accuracy(predicted, true):
    """Positions where ``predicted`` equals ``true``, over the longer length."""
    longest = max(len(predicted), len(true))
    if longest == 0:
        return 1.0
    overlap = min(len(predicted), len(true))
    return float(np.sum(predicted[:overlap] == true[:overlap]) / longest)


@dataclass(frozen=True, eq=False)
class Tagging(Task):
    """A label per step (aligned), or an output sequence ended by an EOS."""

    eos_label: object = None
    max_output_length: int = None
    classes: np.ndarray = None

    attribute_names = ("classes_",)
    score_name = "accuracy"

    @property
    def eos_mode(self):
        return self.eos_label is not None

    @property
    def past_end(self):
        return (self.max_output_length or 0) if self.eos_mode else None

    def steps(self, lengths):
        """Steps the network emits for sequences of these input lengths."""
        if not self.eos_mode:
            return lengths
        return np.maximum(lengths, self.max_output_length or 0) + 1

    def max_labels(self, lengths):
        """Longest output each sequence may have, in labels."""
        return np.maximum(lengths, self.max_output_length or 0)

    def split_targets(self, Y, lengths):
        """Each target sequence as a 1-D array, cut at its EOS in EOS mode."""
        if isinstance(Y, (str, bytes)) or not hasattr(Y, "__len__"):
            raise TypeError(
                f"Y must be a list of label sequences, one per input sequence; "
                f"got {type(Y).__name__}."
            )
        if len(Y) != len(lengths):
            raise ValueError(
                f"X has {len(lengths)} sequences but Y has {len(Y)}; pass one label "
                "sequence per input sequence."
            )
        sequences = []
        for i, labels in enumerate(Y):
            labels = np.asarray(labels)
            if labels.ndim != 1:
                raise ValueError(
                    f"Y[{i}] has shape {labels.shape}; each target must be a 1-D "
                    "sequence of labels."
                )
            if self.eos_mode:
                ends = np.flatnonzero(labels == self.eos_label) if labels.size else []
                if len(ends):
                    labels = labels[: ends[0]]
            sequences.append(labels)
        return sequences

    def _check_target_lengths(self, sequences, lengths):
        limits = self.max_labels(lengths)
        for i, (labels, length, limit) in enumerate(
            zip(sequences, lengths, limits, strict=True)
        ):
            if not self.eos_mode and len(labels) != length:
                raise ValueError(
                    f"Y[{i}] has {len(labels)} labels but X[{i}] has {length} steps; "
                    "with eos_label=None (aligned mode) each input step needs one "
                    "label. Set eos_label for outputs of other lengths."
                )
            if len(labels) > limit:
                bound = f"the {limit} its input's length allows" + (
                    f" with max_output_length={self.max_output_length}"
                    if self.max_output_length is not None
                    else ""
                )
                raise ValueError(
                    f"Y[{i}] has {len(labels)} labels, more than {bound}. Set "
                    "max_output_length to allow longer outputs."
                )

    def read_targets(self, Y, values, lengths, previous, *, partial):
        """Padded per-step targets and weights that count only the steps that do."""
        sequences = self.split_targets(Y, lengths)
        self._check_target_lengths(sequences, lengths)
        seen = np.concatenate(sequences) if any(len(s) for s in sequences) else None
        if previous is not None:
            classes = previous.classes
            if seen is not None:
                unseen = np.setdiff1d(np.unique(seen), classes)
                if unseen.size:
                    raise ValueError(
                        f"Y has labels {unseen.tolist()[:5]} that the network was "
                        f"not fitted with ({classes.tolist()}). Set warm_start=False "
                        "to train a new network."
                    )
        else:
            if seen is None:
                raise ValueError("Y holds no labels; every target sequence is empty.")
            try:
                classes = np.unique(seen)
            except TypeError as error:
                raise TypeError(
                    f"The labels in Y cannot be sorted ({error}); use labels of one "
                    "type."
                ) from None
            if len(classes) < 2 and not self.eos_mode:
                raise ValueError(
                    "Y has a single label; a tagger needs at least two labels (or "
                    "an eos_label)."
                )
        steps = self.steps(lengths)
        width = int(steps.max())
        targets = np.zeros((len(lengths), width), dtype=np.int32)
        counted = np.zeros((len(lengths), width))
        eos = len(classes)
        for i, labels in enumerate(sequences):
            targets[i, : len(labels)] = np.searchsorted(classes, labels)
            if self.eos_mode:
                targets[i, len(labels)] = eos
            counted[i, : len(labels) + self.eos_mode] = 1.0
        data = Dataset(pad_steps(values, width), lengths, targets, counted, steps)
        return Targets(data, {"classes_": classes})

    def sample_weights(self, weights, targets, partial):
        """Each sequence's weight spread over its counted steps."""
        return targets.data.weights * weights[:, None]

    def head(self, attributes, dtype):
        return Head(
            n_outputs=len(attributes["classes_"]) + self.eos_mode,
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, reduction="mean_with_sample_weight", dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            per_step=True,
            past_end=self.past_end,
        )

    def decode(self, outputs, steps, n_classes):
        """Label indices of each sequence: per step, cut at the EOS in EOS mode."""
        decoded = []
        for rows, n in zip(outputs, steps, strict=True):
            best = rows[:n].argmax(axis=1)
            if self.eos_mode:
                ends = np.flatnonzero(best == n_classes)
                best = best[: ends[0]] if len(ends) else best[: n - 1]
            decoded.append(best)
        return decoded

    def validation_logs(self, outputs, data):
        """Held-out ``val_loss`` per counted step, and ``val_accuracy`` as ``score``.

        The accuracy is ``score``'s: per sequence, the positions predicted right
        over the longer of the predicted and true outputs, averaged over
        sequences by their weight.
        """
        # Steps past a batch's width are NaN; they are never counted.
        log_proba = log_softmax(outputs)
        counted = data.weights
        picked = np.take_along_axis(log_proba, data.targets[..., None], axis=2)[..., 0]
        loss = -(np.where(counted > 0, picked, 0) * counted).sum() / counted.sum()
        n_classes = outputs.shape[2] - self.eos_mode
        # A sequence's weight is the same on each of its counted steps.
        weights = counted.max(axis=1)
        n_labels = (counted > 0).sum(axis=1) - self.eos_mode
        accuracies = [
            sequence_accuracy(predicted, targets[:n])
            for predicted, targets, n in zip(
                self.decode(outputs, data.widths, n_classes),
                data.targets,
                n_labels,
                strict=True,
            )
        ]
        return {
            "val_loss": float(loss),
            "val_accuracy": float(np.average(accuracies, weights=weights)),
        }

    def predict(self, outputs, steps):
        return [
            self.classes[best]
            for best in self.decode(outputs, steps, len(self.classes))
        ]

    def score(self, Y, predicted, sample_weight=None):
        truth = self.split_targets(Y, np.arange(len(predicted)))
        accuracies = [
            sequence_accuracy(got, expected)
            for got, expected in zip(predicted, truth, strict=True)
        ]
        return float(np.average(accuracies, weights=sample_weight))

    # --------------------------------------------------------------- export

    def onnx_outputs(self, graph, logits, steps):
        """Per-step ``probabilities`` and ``labels``, and how many to read."""
        g = graph
        n_classes = len(self.classes)
        g.op_named("Softmax", [logits], "probabilities", axis=2)
        best = g.op("ArgMax", [logits], axis=2, keepdims=0)
        # The label of a step is its most probable class (the EOS aside).
        class_logits = g.op(
            "Slice", [logits, g.ints([0]), g.ints([n_classes]), g.ints([2])]
        )
        best_class = g.op("ArgMax", [class_logits], axis=2, keepdims=0)
        kind = onnx_labels(g, self.classes, best_class, "labels")
        g.rename(steps, "n_steps")
        if self.eos_mode:
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
            last = g.op("Unsqueeze", [g.op("Sub", [steps, g.ints(1)]), g.ints([1])])
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
        return [
            ("probabilities", "float", ["batch", "steps", n_classes + self.eos_mode]),
            ("labels", kind, ["batch", "steps"]),
            ("n_labels", "int64", ["batch"]),
            ("n_steps", "int64", ["batch"]),
        ]

    def tf_outputs(self, tf, logits, steps):
        n_classes = len(self.classes)
        table, _ = label_table(self.classes)
        labels = tf.gather(
            tf.constant(table), tf.argmax(logits[..., :n_classes], axis=2)
        )
        n_labels = steps
        if self.eos_mode:
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
