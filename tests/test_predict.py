"""Batched prediction: sequences run sorted by length, answers in caller order."""

import numpy as np


def test_predictions_come_back_in_caller_order(fitted_network):
    clf, X = fitted_network
    proba = clf.predict_proba(X)
    order = np.random.RandomState(3).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba([X[i] for i in order]), proba[order], rtol=1e-10
    )
