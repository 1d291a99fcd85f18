"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skrnn import (
    SequenceRNNClassifier,
    SequenceRNNRegressor,
    SequenceStandardScaler,
)


@parametrize_with_checks(
    [SequenceRNNClassifier(), SequenceRNNRegressor(), SequenceStandardScaler()]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
