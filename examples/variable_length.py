"""
Variable-length sequences written five ways, one answer
=======================================================

The same sequences are given to one fitted classifier as a ragged list, as a
NaN-padded array, as a zero-padded array with ``mask_value=0.0``, as a
pre-padded array, and as a padded array whose true lengths are passed with
``sequence_length``; then EOS markers and truncation are shown. Each form gives
the same probabilities, because the mask comes from lengths, never from values.

Run::

    python examples/variable_length.py [--quick]
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
import copy

import matplotlib.pyplot as plt
import numpy as np

from skrnn import SequenceRNNClassifier
from skrnn.datasets import make_sequence_classification

parser = argparse.ArgumentParser(description="Variable-length sequences, five ways")
parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
QUICK = parser.parse_args().quick

# %%
# One classifier, fitted on a ragged list
# ---------------------------------------

X, y = make_sequence_classification(
    300, n_features=2, min_length=3, max_length=20, signal=1.5, random_state=0
)
clf = SequenceRNNClassifier(units=16, max_iter=20 if QUICK else 100, random_state=0)
clf.fit(X[:200], y[:200])
X_test, y_test = X[200:], y[200:]
lengths = np.array([len(x) for x in X_test])
print(
    f"lengths {lengths.min()}..{lengths.max()}; "
    f"test accuracy {clf.score(X_test, y_test):.3f}"
)
reference = clf.predict_proba(X_test)

# %%
# The same sequences in other forms
# ---------------------------------
#
# ``reader`` gives the fitted classifier other input conventions: the
# parameters that say how to read ``X`` can change after fitting.


def pad(X, width, value, side="post"):
    out = np.full((len(X), width, X[0].shape[1]), value)
    for i, x in enumerate(X):
        if side == "post":
            out[i, : len(x)] = x
        else:
            out[i, width - len(x) :] = x
    return out


def reader(**params):
    """The fitted classifier, reading its input with other conventions."""
    return copy.copy(clf).set_params(**params)


gaps = {}


def report(name, proba, expected=reference):
    gaps[name] = np.abs(proba - expected).max()
    print(f"{name:40s} max |difference| = {gaps[name]:.1e}")


width = lengths.max() + 5
noisy = pad(X_test, width, 0.0) + 100 * np.isnan(pad(X_test, width, np.nan))
report("ragged list", clf.predict_proba(X_test))
report("NaN-padded", clf.predict_proba(pad(X_test, width, np.nan)))
report(
    "zero-padded, mask_value=0.0",
    reader(mask_value=0.0).predict_proba(pad(X_test, width, 0.0)),
)
report(
    "NaN pre-padded, padding='pre'",
    reader(padding="pre").predict_proba(pad(X_test, width, np.nan, "pre")),
)
report(
    "garbage padding + sequence_length",
    clf.predict_proba(noisy, sequence_length=lengths),
)

# %%
# End-of-sequence markers and truncation
# --------------------------------------
#
# A marker step ends each sequence; whatever follows it is ignored. ``maxlen``
# keeps the last (``truncating='pre'``) or first (``'post'``) steps.

marker = np.full((1, 2), -99.0)
ended = [np.vstack([x, marker]) for x in X_test]
tails = np.random.RandomState(1).normal(size=(len(ended), 7, 2))
with_tails = [np.vstack([e, t]) for e, t in zip(ended, tails, strict=True)]
eos = reader(eos_value=-99.0)
report(
    "7 random steps after EOS", eos.predict_proba(with_tails), eos.predict_proba(ended)
)

for side in ("pre", "post"):
    kept = [x[-5:] if side == "pre" else x[:5] for x in X_test]
    truncated = reader(maxlen=5, truncating=side).predict_proba(X_test)
    which = "last" if side == "pre" else "first"
    report(
        f"maxlen=5, truncating={side!r} vs {which} 5",
        truncated,
        clf.predict_proba(kept),
    )

# %%
# Every difference is at the level of float rounding:

fig, ax = plt.subplots(figsize=(8, 3.5))
names = list(gaps)
ax.barh(names, [max(gap, 1e-12) for gap in gaps.values()], color="tab:blue")
ax.set_xscale("log")
ax.set_xlim(1e-12, 1)
ax.axvline(1e-6, color="black", linestyle=":", linewidth=1)
ax.set_xlabel(
    "max |difference| in predicted probabilities (log scale; 0 drawn at 1e-12)"
)
ax.invert_yaxis()
fig.tight_layout()
plt.show()
