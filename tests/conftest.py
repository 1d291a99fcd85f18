"""Shared data sets, estimator factories and fitted models of the test suite."""

import os

# Quieten TensorFlow's C++ start-up logging in test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Light: the estimators import TensorFlow on first use.
import skrnn  # noqa: E402

# Property-based tests: a few seconds by default (CI); before a release run
# ``pytest --hypothesis-profile=thorough`` for many more examples.
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci")

# Each worker imports TensorFlow (about 1 GB): more than a few cost memory and
# gain little, as TensorFlow and XLA use every core themselves.
MAX_WORKERS = 4


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core, at most ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def make_ragged(n=24, n_features=3, min_len=2, max_len=8, seed=0):
    """Small ragged multivariate sequences with a learnable binary label."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(min_len, max_len + 1, size=n)
    X = [rng.normal(size=(length, n_features)) for length in lengths]
    y = np.array([int(seq[:, 0].mean() > 0) for seq in X])
    return X, y


def pad(X, width=None, value=np.nan, side="post"):
    """Pad a list of (len, F) arrays to a (n, width, F) array."""
    width = width or max(len(x) for x in X)
    out = np.full((len(X), width) + X[0].shape[1:], value, dtype=float)
    for i, x in enumerate(X):
        if side == "post":
            out[i, : len(x)] = x
        else:
            out[i, width - len(x) :] = x
    return out


# ------------------------------------------------------------------ data sets
# Seeded draws of ``make_ragged``: every test that asks gets the same sequences
# (treat them as read-only). Subprocess scripts in test_persistence.py and
# test_robustness.py draw theirs again with the same seeds.


@pytest.fixture(scope="session")
def ragged_data():
    """24 sequences (seed 0) and 0/1 labels."""
    return make_ragged()


@pytest.fixture(scope="session")
def tiny_data():
    """12 sequences (seed 0) and 0/1 labels: for checks that barely train."""
    return make_ragged(n=12)


@pytest.fixture(scope="session")
def cat_dog_data():
    """30 sequences (seed 1) labelled "cat" or "dog"."""
    X, y = make_ragged(n=30, seed=1)
    return X, np.array(["cat", "dog"])[y]


@pytest.fixture(scope="session")
def training_data():
    """60 sequences (seed 3) and 0/1 labels: enough to train for a while."""
    return make_ragged(n=60, seed=3)


@pytest.fixture(scope="session")
def scales_data():
    """30 sequences (seed 3) whose 3 features differ in scale 10^4-fold."""
    X, y = make_ragged(n=30, seed=3, min_len=3, max_len=11)
    return [x * [100.0, 1.0, 0.01] + [50.0, 0.0, -3.0] for x in X], y


@pytest.fixture(scope="session")
def persistence_data():
    """30 sequences (seed 4) and 0/1 labels."""
    return make_ragged(n=30, seed=4)


@pytest.fixture(scope="session")
def robustness_data():
    """40 sequences (seed 5) and 0/1 labels."""
    return make_ragged(n=40, seed=5)


# ----------------------------------------------------------------- factories


def _factory(name, **defaults):
    """Builds ``skrnn.<name>`` with ``defaults``, which keyword arguments override."""

    def make(**params):
        return getattr(skrnn, name)(**{**defaults, **params})

    return make


@pytest.fixture(scope="session")
def make_classifier():
    """A small, fast, seeded SequenceRNNClassifier; keywords override defaults."""
    return _factory("SequenceRNNClassifier", units=6, max_iter=4, random_state=0)


@pytest.fixture(scope="session")
def make_regressor():
    """A SequenceRNNRegressor that learns the regression tests' targets.

    It trains on every sequence it is given (``early_stopping=False``);
    tests of holding out ask for it.
    """
    return _factory(
        "SequenceRNNRegressor",
        units=16,
        max_iter=100,
        batch_size=32,
        random_state=0,
        learning_rate_init=0.01,
        early_stopping=False,
    )


@pytest.fixture(scope="session")
def make_tagger():
    """A SequenceRNNTagger (GRU over embedded tokens) that learns the tagging tests."""
    return _factory(
        "SequenceRNNTagger",
        units=16,
        cell="gru",
        embedding_dim=4,
        learning_rate_init=0.01,
        batch_size=32,
        max_iter=40,
        random_state=0,
    )


# ------------------------------------------------------------- fitted models
# Shared by every test that asks: a test may read or copy one, never refit it.


@pytest.fixture(
    scope="session",
    params=[
        {},
        {"cell": "lstm", "bidirectional": True, "units": (6, 4)},
        {"pooling": "last", "scaling": None},
        {"pooling": "last", "cell": "gru", "bidirectional": True},
        {"pooling": "mean", "scaling": "sequence"},
        {"pooling": "max", "bidirectional": True},
        {"pooling": "attention", "bidirectional": True, "window": 2},
        {"conv_filters": (3, 4), "conv_kernel_size": (3, 2)},
        {
            "conv_filters": (4,),
            "conv_kernel_size": 2,
            "window": 3,
            "pooling": "mean",
            "summary_dropout": 0.5,
        },
        {"conv_filters": (3,), "conv_kernel_size": 2, "conv_znorm": True},
        {"linear_steps": True, "window": 2, "conv_filters": None},
    ],
    ids=[
        "unidirectional",
        "bidirectional",
        "last",
        "last-bidirectional",
        "mean",
        "max-bidirectional",
        "attention-bidirectional-window",
        "convolutions",
        "convolutions-window",
        "convolutions-by-sequence",
        "linear-window",
    ],
)
def fitted_network(make_classifier, ragged_data, request):
    """A classifier fitted on ``ragged_data``, and its sequences; twice over."""
    X, y = ragged_data
    clf = make_classifier(**{"units": 8, "max_iter": 5, **request.param})
    return clf.fit(X, y), X


@pytest.fixture(scope="session")
def tiny_classifier(make_classifier, tiny_data):
    """A classifier fitted on ``tiny_data`` (3 features per step)."""
    return make_classifier(units=4, max_iter=2).fit(*tiny_data)


@pytest.fixture(scope="session")
def token_classifier(make_classifier):
    """A classifier fitted on token ids 0..5 through an Embedding."""
    X = [np.array([1, 2, 3]), np.array([4, 5]), np.array([2, 2, 2, 1])] * 2
    clf = make_classifier(units=4, max_iter=2, embedding_dim=2)
    return clf.fit(X, [0, 1, 0, 1, 0, 1])


@pytest.fixture(scope="session")
def persistence_classifier(make_classifier, persistence_data):
    """A classifier fitted on ``persistence_data``."""
    return make_classifier(units=5, max_iter=3).fit(*persistence_data)


@pytest.fixture(scope="session")
def robustness_classifier(make_classifier, robustness_data):
    """A classifier fitted on ``robustness_data``."""
    return make_classifier(units=5, max_iter=3).fit(*robustness_data)
