"""Regression: one value, or one row of values, per sequence."""

from dataclasses import dataclass

import keras
import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array

from skrnn._tasks._common import Head, Targets, Task, one_target_per_sequence
from skrnn._training import Dataset

__all__ = ["Regression"]


@dataclass(frozen=True, eq=False)
class Regression(Task):
    """One value, or one row of values, per sequence; trained standardised."""

    n_outputs: int = None
    y_ndim: int = None
    target_mean: np.ndarray = None
    target_scale: np.ndarray = None

    attribute_names = ("n_outputs_", "_y_ndim", "target_mean_", "target_scale_")
    score_name = "r2"

    def read_targets(self, y, values, lengths, previous, *, partial):
        """Targets as a float ``(n_samples, n_outputs)`` array."""
        y = check_array(
            y, ensure_2d=False, dtype=(np.float64, np.float32), input_name="y"
        )
        if y.ndim not in (1, 2):
            raise ValueError(
                f"y must have one value per sequence, or one row of values per "
                f"sequence; got an array of shape {y.shape}."
            )
        one_target_per_sequence(y, lengths, "targets")
        targets = y.reshape(len(y), -1)
        if previous is not None and targets.shape[1] != previous.n_outputs:
            raise ValueError(
                f"Cannot continue training: y has {targets.shape[1]} targets per "
                f"sequence but the network was fitted with {previous.n_outputs}. "
                "Set warm_start=False to train a new network."
            )
        return Targets(
            Dataset(values, lengths, targets),
            {"n_outputs_": targets.shape[1], "_y_ndim": y.ndim},
        )

    def scale_targets(self, attributes, train, validation, previous):
        """Standardise the targets by their weighted mean and deviation.

        Statistics are learned on the training part of the first fit and
        kept (``target_mean_``, ``target_scale_``); weighting them makes an
        integer weight act like a repeated sequence here too.
        """
        if previous is None:
            weights = train.weights / train.weights.sum()
            mean = weights @ train.targets
            scale = np.sqrt(weights @ (train.targets - mean) ** 2)
            attributes["target_mean_"] = mean
            attributes["target_scale_"] = np.where(scale > 1e-12, scale, 1.0)
        else:
            attributes["target_mean_"] = previous.target_mean
            attributes["target_scale_"] = previous.target_scale
        mean, scale = attributes["target_mean_"], attributes["target_scale_"]
        for part in (train, validation):
            if part is not None:
                part.targets = (part.targets - mean) / scale

    def head(self, attributes, dtype):
        return Head(
            n_outputs=attributes["n_outputs_"],
            loss=keras.losses.MeanSquaredError(dtype=dtype),
        )

    def validation_logs(self, outputs, data):
        """Held-out ``val_loss`` (mean squared error) and ``val_r2``, weighted."""
        return {
            "val_loss": float(
                np.average(
                    ((outputs - data.targets) ** 2).mean(axis=1),
                    weights=data.weights,
                )
            ),
            "val_r2": float(
                r2_score(data.targets, outputs, sample_weight=data.weights)
            ),
        }

    def predict(self, outputs):
        predicted = outputs * self.target_scale + self.target_mean
        return predicted[:, 0] if self.y_ndim == 1 else predicted

    @staticmethod
    def score(y, predicted, sample_weight=None):
        return r2_score(y, predicted, sample_weight=sample_weight)

    # --------------------------------------------------------------- export

    def _affine(self):
        return (
            np.asarray(self.target_scale, np.float32),
            np.asarray(self.target_mean, np.float32),
        )

    def onnx_outputs(self, graph, logits, steps):
        """Output stage of the ONNX graph: ``predictions`` in ``y``'s shape."""
        scale, mean = self._affine()
        predictions = graph.op(
            "Add",
            [
                graph.op("Mul", [logits, graph.constant(scale, "target_scale")]),
                graph.constant(mean, "target_mean"),
            ],
        )
        if self.y_ndim == 1:
            graph.op_named("Squeeze", [predictions, graph.ints([1])], "predictions")
            return [("predictions", "float", ["batch"])]
        graph.rename(predictions, "predictions")
        return [("predictions", "float", ["batch", self.n_outputs])]

    def tf_outputs(self, tf, logits, steps):
        scale, mean = self._affine()
        predictions = logits * scale + mean
        if self.y_ndim == 1:
            predictions = predictions[:, 0]
        return {"predictions": predictions}
