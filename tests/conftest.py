import os

# Quieten TensorFlow's C++ start-up logging in test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


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


@pytest.fixture(scope="session")
def ragged_data():
    return make_ragged()
