"""
Regression: a frequency and a smoothed final value from noisy waves
===================================================================

Each sequence is a sine wave of random frequency, amplitude and phase, 15 to 80
steps long, with Gaussian noise on every step. Two targets per sequence:

* its frequency (cycles per step, times 10), and
* its smoothed final value: the noiseless wave at the last step.

A :class:`~skrnn.SequenceRNNRegressor` learns both at once from the ragged
list; R² is reported on held-out sequences for each target, beside a ridge
regression on hand-made summary features (mean, spread, last value, length,
zero crossings) as a baseline.

Run::

    python examples/regression.py [--quick]
"""

# sphinx_gallery_start_ignore
import os

# TensorFlow's C++ start-up logging (CUDA probing, CPU features) says nothing
# about the example. TF_CPP_MIN_LOG_LEVEL quiets what TensorFlow logs once
# loaded, but recent releases write a few lines while their libraries load,
# before reading it: Keras, and with it TensorFlow, is imported with the
# process's standard error sent to /dev/null.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_stderr, _devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 2)
try:
    import keras

    # Under JAX, Keras loads TensorFlow later, to key and save models.
    if keras.backend.backend() != "tensorflow":
        import tensorflow  # noqa: F401
finally:
    os.dup2(_stderr, 2)
    os.close(_stderr)
    os.close(_devnull)
# sphinx_gallery_end_ignore

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score

from skrnn import SequenceRNNRegressor

parser = argparse.ArgumentParser(description="Regression on noisy waves")
parser.add_argument("--quick", action="store_true", help="fewer epochs")
QUICK = parser.parse_args().quick

# %%
# Noisy waves of any length
# -------------------------


def noisy_waves(n, seed):
    rng = np.random.RandomState(seed)
    X, y = [], []
    for length in rng.randint(15, 81, size=n):
        frequency = rng.uniform(0.02, 0.2)
        amplitude = rng.uniform(0.5, 1.5)
        phase = rng.uniform(0, 2 * np.pi)
        clean = amplitude * np.sin(2 * np.pi * frequency * np.arange(length) + phase)
        noisy = clean + rng.normal(scale=0.2, size=length)
        X.append(noisy[:, None].astype(np.float32))
        y.append([frequency * 10, clean[-1]])
    return X, np.array(y)


def summary_features(X):
    return np.array(
        [
            [
                x.mean(),
                x.std(),
                x[-1, 0],
                len(x),
                np.mean(np.diff(np.sign(x[:, 0])) != 0),
            ]
            for x in X
        ]
    )


X, y = noisy_waves(2500, seed=0)
X_train, y_train, X_test, y_test = X[:2000], y[:2000], X[2000:], y[2000:]

# %%
# A GRU that reads every step and the last one
# --------------------------------------------
#
# One target is the series' final value, so the network reads every step
# (``window=1``) and its state at the last one (``pooling='last'``), without
# the convolutional branch (``conv_filters=None``): the branch averages its
# features over all steps, so it cannot tell where a series ends, and with it
# the smoothed final value scores R² 0.81 instead of 0.97.

regressor = SequenceRNNRegressor(
    units=64,
    cell="gru",
    pooling="last",
    window=1,
    conv_filters=None,
    learning_rate_init=0.005,
    batch_size=64,
    max_iter=8 if QUICK else 150,
    early_stopping=True,
    n_iter_no_change=15,
    random_state=0,
).fit(X_train, y_train)
predicted = regressor.predict(X_test)
ridge = RidgeCV().fit(summary_features(X_train), y_train)
baseline = ridge.predict(summary_features(X_test))
print(f"GRU(64), {regressor.n_iter_} epochs; R² on 500 held-out sequences:")
names = ["frequency", "smoothed final value"]
for column, name in enumerate(names):
    rnn = r2_score(y_test[:, column], predicted[:, column])
    base = r2_score(y_test[:, column], baseline[:, column])
    print(f"  {name:22s} skrnn {rnn:.3f}   ridge on summary features {base:.3f}")
print(f"  both (score)           skrnn {regressor.score(X_test, y_test):.3f}")

# %%
# Predictions against the truth
# -----------------------------
#
# Each point is a held-out sequence; on the diagonal, the prediction is exact.

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for column, (ax, name) in enumerate(zip(axes, names, strict=True)):
    truth = y_test[:, column]
    for label, guess, colour in (
        ("ridge", baseline, "tab:gray"),
        ("skrnn", predicted, "tab:blue"),
    ):
        score = r2_score(truth, guess[:, column])
        ax.scatter(
            truth,
            guess[:, column],
            s=8,
            alpha=0.5,
            color=colour,
            label=f"{label}, R² {score:.3f}",
        )
    limits = [truth.min(), truth.max()]
    ax.plot(limits, limits, color="black", linewidth=1)
    ax.set_xlabel(f"true {name}")
    ax.set_ylabel(f"predicted {name}")
    ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()
