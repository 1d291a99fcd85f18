"""
Speakers from variable-length recordings
========================================

JapaneseVowels (bundled with skrnn): 9 speakers, each utterance 7 to 29 steps
of 12 LPC coefficients. The sequences are passed as they are, a ragged list, to
a recurrent classifier (which standardises each feature over real steps
itself). A small grid search on the training split picks the recurrent cell
and how the outputs are read, and the chosen model is scored once on the
published test split.

The training curve of the chosen model is also saved as
``quickstart_training_curve.png``.

Run::

    python examples/quickstart.py           # about two minutes on 2 CPU cores
    python examples/quickstart.py --quick   # under a minute: a smoke run

``--quick`` uses a third of the training data, two candidates and at most 50
epochs; the documentation is built from quick runs.
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
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import GridSearchCV

from skrnn import SequenceRNNClassifier, TrainingCurveDisplay
from skrnn.datasets import load_japanese_vowels

parser = argparse.ArgumentParser(description="Speakers from variable-length recordings")
parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
QUICK = parser.parse_args().quick

# %%
# The data: a ragged list of sequences
# ------------------------------------

X_train, y_train = load_japanese_vowels("train")
X_test, y_test = load_japanese_vowels("test")
lengths = [len(x) for x in X_train + X_test]
print(
    f"JapaneseVowels: {len(X_train)} train / {len(X_test)} test sequences, "
    f"{min(lengths)}-{max(lengths)} steps of {X_train[0].shape[1]} features, "
    f"{len(np.unique(y_train))} speakers"
)

# %%
# A grid search over the cell and the pooling
# -------------------------------------------
#
# The classifier is an ordinary scikit-learn estimator, so ``GridSearchCV``
# stratifies its folds and refits the best candidate on the whole training
# split.

classifier = SequenceRNNClassifier(random_state=0)
grid = {"cell": ["simple", "gru"], "pooling": ["attention", "last"]}
if QUICK:
    X_train, y_train = X_train[::3], y_train[::3]
    classifier.set_params(max_iter=50)
    grid = {"cell": ["simple", "gru"]}
search = GridSearchCV(classifier, grid, cv=3)
start = time.perf_counter()
search.fit(X_train, y_train)
elapsed = time.perf_counter() - start
print(
    f"grid search: {len(search.cv_results_['params'])} candidates x 3 folds "
    f"in {elapsed:.1f} s"
)
print(
    f"best parameters: {search.best_params_} "
    f"(cross-validated accuracy {search.best_score_:.3f})"
)

# %%
# Scored once on the published test split
# ---------------------------------------

y_pred = search.predict(X_test)
print(f"test accuracy: {np.mean(y_pred == y_test):.3f}")
print(classification_report(y_test, y_pred, digits=3, zero_division=0))

# %%
# Which speakers are confused with which:

display = ConfusionMatrixDisplay.from_predictions(y_test, y_pred, colorbar=False)
display.ax_.set_title("JapaneseVowels test split: true and predicted speaker")

# %%
# The training curve of the chosen model
# --------------------------------------
#
# :class:`~skrnn.TrainingCurveDisplay` plots ``history_``: the loss, and the
# accuracy on a second axis.

best = search.best_estimator_
curve = TrainingCurveDisplay.from_estimator(best)
curve.figure_.savefig("quickstart_training_curve.png", dpi=100)
print("training curve saved to quickstart_training_curve.png")
plt.show()
