"""skrnn: scikit-learn classifiers for variable-length sequences, on Keras 3 RNNs."""

from skrnn._classifier import SequenceRNNClassifier
from skrnn._plotting import TrainingCurveDisplay

__all__ = ["SequenceRNNClassifier", "TrainingCurveDisplay", "__version__"]

__version__ = "0.1.0"
