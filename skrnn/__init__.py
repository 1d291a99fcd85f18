"""skrnn: scikit-learn estimators for variable-length sequences, on Keras 3 RNNs."""

from skrnn._classifier import SequenceRNNClassifier
from skrnn._persistence import InconsistentVersionWarning, load
from skrnn._plotting import TrainingCurveDisplay
from skrnn._preprocessing import SequenceStandardScaler
from skrnn._regressor import SequenceRNNRegressor
from skrnn._tagger import SequenceRNNTagger

__all__ = [
    "InconsistentVersionWarning",
    "SequenceRNNClassifier",
    "SequenceRNNRegressor",
    "SequenceRNNTagger",
    "SequenceStandardScaler",
    "TrainingCurveDisplay",
    "__version__",
    "load",
]

__version__ = "0.1.0"
