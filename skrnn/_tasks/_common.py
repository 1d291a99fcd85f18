"""The parts every task shares: what a task gives the network, and its defaults."""

from dataclasses import dataclass, field, replace

import numpy as np

from skrnn._training import Dataset

__all__ = [
    "Head",
    "Targets",
    "Task",
    "label_table",
    "onnx_labels",
    "one_target_per_sequence",
]


@dataclass(frozen=True)
class Head:
    """What a task puts on the shared network: output width, loss and metrics.

    ``per_step`` asks for one output per step instead of one per sequence;
    ``past_end`` lets the network run past the input's end (see
    :func:`skrnn._model.build_model`).
    """

    n_outputs: int
    loss: object
    metrics: list = field(default_factory=list)
    per_step: bool = False
    past_end: int = None


@dataclass
class Targets:
    """A task's reading of ``y``: training data, and the fitted attributes it sets.

    ``attributes`` maps names to values (``{"classes_": ...}``); they are set
    on the estimator when the fit succeeds.
    """

    data: Dataset
    attributes: dict


def label_table(classes):
    """``classes`` as a table an exported graph can hold, and its kind."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "OUS":
        return classes.astype(str), "string"
    if classes.dtype.kind in "iub":
        return classes.astype(np.int64), "int64"
    return classes.astype(np.float32), "float"


@dataclass(frozen=True, eq=False)
class Task:
    """Shared defaults; each task overrides what differs."""

    # The fitted attributes this task sets (besides the estimator's own).
    attribute_names = ()
    # What early stopping monitors, higher being better; logged as val_<name>.
    score_name = "score"

    def with_attributes(self, attributes):
        """This task with the fitted attributes of ``attributes`` (a mapping)."""
        return replace(
            self,
            **{
                name.rstrip("_").lstrip("_"): attributes[name]
                for name in self.attribute_names
                if name in attributes
            },
        )

    def attributes(self):
        """The fitted attributes, by the estimator's names for them."""
        return {
            name: getattr(self, name.rstrip("_").lstrip("_"))
            for name in self.attribute_names
        }

    # Steps the network runs past the input's end: None, or it runs for
    # max(length, past_end) + 1 steps (a tagger's EOS mode).
    past_end = None

    def steps(self, lengths):
        """Steps the network runs for, per sequence; None: its input length."""
        return None

    def sample_weights(self, weights, targets, partial):
        """Per-sequence (or per-step) training weights from ``sample_weight``."""
        return weights

    def stratify(self, data):
        """Labels to stratify the early-stopping split by; None: no stratifying."""
        return None

    def scale_targets(self, attributes, train, validation, previous):
        """Rescale the targets of ``train`` and ``validation`` in place.

        A task whose targets are numbers of any scale learns its scaling here,
        from ``train`` only (or takes ``previous``'s), into ``attributes``.
        """


def one_target_per_sequence(y, lengths, what):
    if len(y) != len(lengths):
        raise ValueError(
            f"X has {len(lengths)} sequences but y has {len(y)} {what}; pass one "
            f"{what[:-1]} per sequence."
        )


def onnx_labels(graph, classes, index, name):
    """Write ``classes[index]`` as the graph output ``name``; return its kind."""
    table, kind = label_table(classes)
    graph.op_named("Gather", [graph.constant(table, "classes"), index], name, axis=0)
    return kind
