"""Classification: one class per sequence, from softmax logits."""

from dataclasses import dataclass

import keras
import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from skrnn._predict import log_softmax
from skrnn._tasks._common import (
    Head,
    Targets,
    Task,
    label_table,
    one_target_per_sequence,
    onnx_labels,
)
from skrnn._training import Dataset

__all__ = ["Classification"]


@dataclass(frozen=True, eq=False)
class Classification(Task):
    """One class per sequence, from softmax logits."""

    class_weight: object = None
    classes: np.ndarray = None

    attribute_names = ("classes_",)
    score_name = "accuracy"

    def read_targets(self, y, values, lengths, previous, *, partial, classes=None):
        """Class indices of ``y``; ``previous`` is the fitted task when continuing."""
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                "Classification supports binary and multiclass targets; got a "
                f"{target_type} target. Pass one label per sequence."
            )
        y = column_or_1d(y, warn=True)
        one_target_per_sequence(y, lengths, "labels")
        if previous is not None:
            classes = previous.classes
            if partial:
                _check_labels_known(y, classes)
            elif not np.array_equal(np.unique(y), classes):
                raise ValueError(
                    "warm_start can only continue with the classes of the previous "
                    f"fit {classes.tolist()}; y has {np.unique(y).tolist()}. Set "
                    "warm_start=False to train a new network."
                )
        elif partial:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: every "
                    "label that any call will see."
                )
            classes = np.unique(classes)
            _check_labels_known(y, classes)
        else:
            classes = np.unique(y)
        return Targets(
            Dataset(values, lengths, np.searchsorted(classes, y)),
            {"classes_": classes},
        )

    def sample_weights(self, weights, targets, partial):
        """``sample_weight`` times ``class_weight``."""
        classes = targets.attributes["classes_"]
        indices = targets.data.targets
        if self.class_weight is not None:
            if isinstance(self.class_weight, str):
                if partial:
                    raise ValueError(
                        "class_weight='balanced' needs the whole training set, so "
                        "partial_fit does not support it; pass a dict of class "
                        "weights."
                    )
                per_class = compute_class_weight(
                    "balanced", classes=np.arange(len(classes)), y=indices
                )
            else:
                unknown = set(self.class_weight) - set(classes.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight has labels {sorted(map(str, unknown))} that "
                        f"are not among the classes {classes.tolist()}; key it by "
                        "label."
                    )
                per_class = np.array([self.class_weight.get(c, 1.0) for c in classes])
            weights = weights * per_class[indices]
        n_weighted = len(np.unique(indices[weights > 0]))
        if len(classes) < 2 or (n_weighted < 2 and not partial):
            raise ValueError(
                "Classifier can't train when only one class is present: y, counting "
                f"only samples with non-zero sample_weight, has {n_weighted} class. "
                "Pass sequences of at least two classes."
            )
        return weights

    def stratify(self, data):
        return data.targets

    def head(self, attributes, dtype):
        return Head(
            n_outputs=len(attributes["classes_"]),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )

    def validation_logs(self, outputs, data):
        """Held-out ``val_loss`` (log loss) and ``val_accuracy``, weighted."""
        picked = log_softmax(outputs)[np.arange(len(data)), data.targets]
        weights = data.weights / data.weights.sum()
        return {
            "val_loss": float(-(weights * picked).sum()),
            "val_accuracy": float(
                (weights * (outputs.argmax(axis=1) == data.targets)).sum()
            ),
        }

    def predict(self, outputs):
        return self.classes[outputs.argmax(axis=1)]

    @staticmethod
    def score(y, predicted, sample_weight=None):
        return accuracy_score(y, predicted, sample_weight=sample_weight)

    # --------------------------------------------------------------- export

    def onnx_outputs(self, graph, logits, steps):
        """Output stage of the ONNX graph: ``probabilities`` and ``label``."""
        graph.op_named("Softmax", [logits], "probabilities", axis=1)
        best = graph.op("ArgMax", [logits], axis=1, keepdims=0)
        kind = onnx_labels(graph, self.classes, best, "label")
        return [
            ("probabilities", "float", ["batch", len(self.classes)]),
            ("label", kind, ["batch"]),
        ]

    def tf_outputs(self, tf, logits, steps):
        """The same stage in TensorFlow (``tf`` is the module)."""
        table, _ = label_table(self.classes)
        return {
            "probabilities": tf.nn.softmax(logits, axis=1),
            "label": tf.gather(tf.constant(table), tf.argmax(logits, axis=1)),
        }


def _check_labels_known(y, classes):
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"y has labels {unseen.tolist()[:5]} that are not among the classes "
            f"{classes.tolist()} given on the first call to partial_fit."
        )
