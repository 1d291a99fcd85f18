"""skrnn: scikit-learn classifiers for variable-length sequences, on Keras 3 RNNs."""

from skrnn._classifier import SequenceRNNClassifier

__all__ = ["SequenceRNNClassifier", "__version__"]

__version__ = "0.1.0"
