"""Variable-length sequences written five ways, one answer.

The same sequences are given to one fitted classifier as a ragged list, as a
NaN-padded array, as a zero-padded array with mask_value=0.0, as a pre-padded
array, and as a padded array whose true lengths are passed with
sequence_length; then EOS markers and truncation are shown. Each form gives the
same probabilities, because the mask comes from lengths, never from values.

Run:  python examples/variable_length.py [--quick]
"""

import os

# TensorFlow's C++ start-up logging (CUDA probing, CPU features) says nothing
# about the example; it is read when TensorFlow is imported, so set it first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import copy

import numpy as np

from skrnn import SequenceRNNClassifier
from skrnn.datasets import make_sequence_classification


def pad(X, width, value, side="post"):
    out = np.full((len(X), width, X[0].shape[1]), value)
    for i, x in enumerate(X):
        if side == "post":
            out[i, : len(x)] = x
        else:
            out[i, width - len(x) :] = x
    return out


def main(quick=False):
    X, y = make_sequence_classification(
        300, n_features=2, min_length=3, max_length=20, signal=1.5, random_state=0
    )
    max_iter = 3 if quick else 100
    clf = SequenceRNNClassifier(units=16, max_iter=max_iter, random_state=0)
    clf.fit(X[:200], y[:200])
    X_test, y_test = X[200:], y[200:]
    lengths = np.array([len(x) for x in X_test])
    print(
        f"lengths {lengths.min()}..{lengths.max()}; "
        f"test accuracy {clf.score(X_test, y_test):.3f}"
    )
    reference = clf.predict_proba(X_test)

    def reader(**params):
        """The fitted classifier, reading its input with other conventions."""
        return copy.copy(clf).set_params(**params)

    def report(name, proba):
        gap = np.abs(proba - reference).max()
        print(f"{name:40s} max |difference| = {gap:.1e}")

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

    # EOS: a marker step ends each sequence; whatever follows it is ignored.
    marker = np.full((1, 2), -99.0)
    ended = [np.vstack([x, marker]) for x in X_test]
    tails = np.random.RandomState(1).normal(size=(len(ended), 7, 2))
    with_tails = [np.vstack([e, t]) for e, t in zip(ended, tails, strict=True)]
    eos = reader(eos_value=-99.0)
    gap = np.abs(eos.predict_proba(with_tails) - eos.predict_proba(ended)).max()
    print(f"{'7 random steps after EOS':40s} max |difference| = {gap:.1e}")

    # Truncation: keep the last ('pre') or first ('post') maxlen steps.
    for side in ("pre", "post"):
        kept = [x[-5:] if side == "pre" else x[:5] for x in X_test]
        truncated = reader(maxlen=5, truncating=side).predict_proba(X_test)
        gap = np.abs(truncated - clf.predict_proba(kept)).max()
        which = "last" if side == "pre" else "first"
        print(
            f"maxlen=5, truncating={side!r} vs the {which} 5 steps: "
            f"max |difference| = {gap:.1e}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    main(parser.parse_args().quick)
