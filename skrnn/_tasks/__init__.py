"""What a network learns to output: classification, regression or tagging.

A task object owns, in one place, everything that differs between the
estimators once the input is read: turning ``y`` into training targets,
weights and fitted attributes; the loss, metrics and output width; the
held-out metric early stopping monitors, which is the metric ``score``
reports; decoding outputs into predictions; and the output stage of an
exported model (ONNX and TensorFlow).

A task is plain data: built from the estimator's parameters and, once fitted,
its fitted attributes (:meth:`Task.with_attributes`), so export and
prediction read a task, never an estimator.
"""

from skrnn._tasks._classification import Classification
from skrnn._tasks._common import Head, Targets, Task
from skrnn._tasks._regression import Regression
from skrnn._tasks._tagging import Tagging, sequence_accuracy

__all__ = [
    "Classification",
    "Head",
    "Regression",
    "Tagging",
    "Targets",
    "Task",
    "sequence_accuracy",
]
