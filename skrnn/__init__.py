"""skrnn: scikit-learn estimators for variable-length sequences, on Keras 3 RNNs.

The public names are imported on first use, so ``import skrnn`` is quick and
light modules (``skrnn.datasets``, ``skrnn.SequenceStandardScaler``, the
sequence helpers) never pull in TensorFlow.
"""

import importlib

from skrnn._version import __version__

# Public name -> the module that defines it.
_PUBLIC = {
    "InconsistentVersionWarning": "skrnn._persistence",
    "SequenceRNNClassifier": "skrnn._classifier",
    "SequenceRNNRegressor": "skrnn._regressor",
    "SequenceRNNTagger": "skrnn._tagger",
    "SequenceStandardScaler": "skrnn._preprocessing",
    "TrainingCurveDisplay": "skrnn._plotting",
    "export": "skrnn._export",
    "load": "skrnn._persistence",
    "to_padded": "skrnn._sequences",
}

__all__ = [*sorted(_PUBLIC), "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    if name == "datasets":
        return importlib.import_module("skrnn.datasets")
    raise AttributeError(f"module 'skrnn' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_PUBLIC])
