"""
A UEA archive problem from its ``.ts`` files: JapaneseVowels
============================================================

The UCR/UEA archives publish each time-series classification problem as two
``.ts`` files, a training and a test split. This example reads them with
:func:`skrnn.datasets.load_ts`, looks at the data, fits the default
:class:`~skrnn.SequenceRNNClassifier` on the training split as it is (unequal
lengths, 12 channels, string labels) and scores it once on the test split,
beside a logistic regression on per-channel summary statistics.

The files here are skrnn's bundled copy of JapaneseVowels, so the example runs
offline. Any other problem of the archives is one call away; it is downloaded
once into a local cache and read from there afterwards (not run here, since it
needs the network):

.. code-block:: python

    from skrnn.datasets import fetch_ucr_uea

    X_train, y_train, X_test, y_test = fetch_ucr_uea("BasicMotions")

Run::

    python examples/ucr_uea.py           # about half a minute on 2 CPU cores
    python examples/ucr_uea.py --quick   # a few seconds: a smoke run
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
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_ts

parser = argparse.ArgumentParser(description="A UEA problem from its .ts files")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
QUICK = parser.parse_args().quick

# %%
# Read the two ``.ts`` files
# --------------------------
#
# :func:`~skrnn.datasets.load_ts` returns one float32 array of shape
# ``(length, n_channels)`` per series, and the labels as written in the file.

data = resources.files("skrnn") / "data"
with resources.as_file(data / "JapaneseVowels_TRAIN.ts.gz") as path:
    X_train, y_train = load_ts(path)
with resources.as_file(data / "JapaneseVowels_TEST.ts.gz") as path:
    X_test, y_test = load_ts(path)
print(
    f"{len(X_train)} train / {len(X_test)} test series, "
    f"{X_train[0].shape[1]} channels, labels {[str(v) for v in sorted(set(y_train))]}"
)

# %%
# Lengths differ from series to series, and each speaker's utterances look
# alike across the 12 channels:

fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
lengths = [len(x) for x in X_train], [len(x) for x in X_test]
axes[0].hist(lengths, bins=np.arange(6.5, 30.5), label=["train", "test"])
axes[0].set_xlabel("steps per series")
axes[0].set_ylabel("series")
axes[0].legend()
for ax, speaker in zip(axes[1:], ["1", "2"], strict=True):
    for x in [x for x, label in zip(X_train, y_train, strict=True) if label == speaker][
        :3
    ]:
        ax.plot(x[:, :4], color="tab:blue", alpha=0.5, linewidth=1)
    ax.set_title(f"speaker {speaker}: 3 utterances, channels 1-4", fontsize=9)
    ax.set_xlabel("step")
fig.tight_layout()

# %%
# The default classifier, on the data as loaded
# ---------------------------------------------
#
# No padding, no scaling and no label encoding by hand: the classifier
# standardises each channel over the real steps and reads each series up to
# its own last step.

clf = SequenceRNNClassifier(max_iter=30 if QUICK else 500, random_state=0)
clf.fit(X_train, y_train)
rnn_accuracy = clf.score(X_test, y_test)
print(f"skrnn, {clf.n_iter_} epochs: test accuracy {rnn_accuracy:.3f}")

# %%
# A baseline on summary statistics
# --------------------------------
#
# Per-channel mean, spread, first and last value, and the length, into a
# logistic regression.


def summaries(X):
    return np.array(
        [np.concatenate([x.mean(0), x.std(0), x[0], x[-1], [len(x)]]) for x in X]
    )


baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
baseline.fit(summaries(X_train), y_train)
baseline_accuracy = baseline.score(summaries(X_test), y_test)
print(f"logistic regression on summaries: test accuracy {baseline_accuracy:.3f}")

# %%
# Accuracy on the test split, by the length of the series:

predicted = clf.predict(X_test)
baseline_predicted = baseline.predict(summaries(X_test))
test_lengths = np.array(lengths[1])
bins = [(7, 12), (13, 17), (18, 22), (23, 29)]
fig, ax = plt.subplots(figsize=(7, 3.5))
positions = np.arange(len(bins))
for offset, (name, guess) in zip(
    [-0.2, 0.2],
    [("skrnn", predicted), ("summaries + logistic regression", baseline_predicted)],
    strict=True,
):
    scores = [
        np.mean(
            guess[(test_lengths >= lo) & (test_lengths <= hi)]
            == y_test[(test_lengths >= lo) & (test_lengths <= hi)]
        )
        for lo, hi in bins
    ]
    ax.bar(positions + offset, scores, width=0.4, label=name)
ax.set_xticks(positions, [f"{lo}-{hi} steps" for lo, hi in bins])
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1.05)
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()
