"""skrnn: scikit-learn classifiers for variable-length sequences, on Keras 3 RNNs."""

from skrnn._classifier import SequenceRNNClassifier
from skrnn._plotting import TrainingCurveDisplay
from skrnn._preprocessing import SequenceStandardScaler

__all__ = [
    "SequenceRNNClassifier",
    "SequenceStandardScaler",
    "TrainingCurveDisplay",
    "__version__",
]

__version__ = "0.1.0"
