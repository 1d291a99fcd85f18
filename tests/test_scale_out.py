"""Grid searches across processes: joblib's process pool and a Dask cluster."""

import joblib
import numpy as np
import pytest
from conftest import make_ragged
from sklearn.model_selection import GridSearchCV

from skrnn import SequenceRNNClassifier

X, Y = make_ragged(n=40, seed=6)
GRID = {"units": [3, 6], "learning_rate_init": [0.001, 0.01]}


def search(n_jobs):
    estimator = SequenceRNNClassifier(max_iter=3, random_state=0)
    return GridSearchCV(estimator, GRID, cv=2, n_jobs=n_jobs).fit(X, Y)


@pytest.fixture(scope="module")
def serial():
    return search(n_jobs=None)


def assert_same_search(got, expected):
    np.testing.assert_allclose(
        got.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )
    assert got.best_params_ == expected.best_params_
    np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))


@pytest.mark.slow
def test_grid_search_in_two_processes_matches_serial(serial):
    assert_same_search(search(n_jobs=2), serial)


def test_grid_search_on_a_dask_cluster_matches_serial(serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        got = search(n_jobs=-1)
    assert_same_search(got, serial)
