"""
Tagging: a label per step, and outputs that end with an EOS label
=================================================================

Two tasks with known rules, generated here:

* Aligned: each step of a random bit string is labelled with the parity of the
  bits so far (running XOR), so every output has its input's length.
* EOS: digits 0..4 stream in; the output is the running sum modulo 5, and it
  ends (the network emits the EOS label) at the step where the running sum
  first reaches 12. Sums that never reach 12 end right after the input, on a
  step the network sees as padding. Output lengths are not given to the
  network: it has to learn where they stop.

Each reports the per-step accuracy (``score``) and the fraction of sequences
predicted exactly, length included, on held-out sequences, and draws the
per-step predictions of a few of them.

Run::

    python examples/tagging.py [--quick]
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

from skrnn import SequenceRNNTagger

parser = argparse.ArgumentParser(description="Tagging, aligned and EOS")
parser.add_argument("--quick", action="store_true", help="fewer epochs")
QUICK = parser.parse_args().quick

# %%
# Two generated tasks
# -------------------


def running_parity(n, seed):
    rng = np.random.RandomState(seed)
    X = [rng.randint(0, 2, size=length) for length in rng.randint(2, 25, size=n)]
    return X, [np.cumsum(x) % 2 for x in X]


def running_sum_until(n, seed, threshold=12):
    rng = np.random.RandomState(seed)
    X, Y = [], []
    for length in rng.randint(2, 12, size=n):
        x = rng.randint(0, 5, size=length)
        total = np.cumsum(x)
        reached = np.flatnonzero(total >= threshold)
        stop = reached[0] if len(reached) else length
        X.append(x)
        Y.append(total[:stop] % 5)
    return X, Y


def report(name, tagger, X, Y):
    predicted = tagger.predict(X)
    exact = np.mean(
        [len(p) == len(y) and (p == y).all() for p, y in zip(predicted, Y, strict=True)]
    )
    lengths = [len(y) for y in Y]
    print(
        f"{name}: output lengths {min(lengths)}..{max(lengths)}, "
        f"per-step accuracy {tagger.score(X, Y):.3f}, exact match {exact:.3f} "
        f"({tagger.n_iter_} epochs)"
    )


settings = {
    "cell": "gru",
    "embedding_dim": 8,
    "learning_rate_init": 0.01,
    "batch_size": 32,
    "max_iter": 10 if QUICK else 150,
    "early_stopping": True,
    "n_iter_no_change": 20,
    "random_state": 0,
}

# %%
# Aligned mode: running parity
# ----------------------------
#
# ``eos_label=None``: one label per input step.

X, Y = running_parity(1200, seed=0)
aligned = SequenceRNNTagger(units=16, eos_label=None, **settings)
aligned.fit(X[:1000], Y[:1000])
report("aligned, running parity", aligned, X[1000:], Y[1000:])
X_parity, Y_parity = X[1000:], Y[1000:]

# %%
# EOS mode: running sum until it reaches 12
# -----------------------------------------
#
# The default ``eos_label='<eos>'``: each output is its own length, and the
# network learns where to stop.

X, Y = running_sum_until(2400, seed=1)
tagger = SequenceRNNTagger(units=64, **settings).fit(X[:2000], Y[:2000])
report("EOS, running sum until 12", tagger, X[2000:], Y[2000:])
x = X[2000]
print(
    f"  input {x.tolist()} -> {tagger.predict([x])[0].tolist()} "
    f"(true {Y[2000].tolist()})"
)

# %%
# Per-step predictions
# --------------------
#
# Four held-out sequences of each task: the input, the true labels and the
# predicted ones, step by step. A wrong step is outlined in red; in EOS mode a
# prediction may also stop too early or run too long.


def draw(ax, x, y_true, y_pred, title):
    rows = [("input", x), ("true", y_true), ("predicted", y_pred)]
    width = max(len(x), len(y_true), len(y_pred))
    for r, (name, values) in enumerate(rows):
        ax.text(-0.3, -r - 0.5, name, ha="right", va="center", fontsize=8)
        for j in range(width):
            known = j < len(values)
            wrong = r == 2 and (j >= len(y_true) or (known and values[j] != y_true[j]))
            missing = r == 2 and not known and j < len(y_true)
            ax.add_patch(
                plt.Rectangle(
                    (j, -r - 1),
                    1,
                    1,
                    facecolor=plt.cm.Pastel1(int(values[j]) % 9) if known else "white",
                    edgecolor="red" if (wrong and known) or missing else "#777777",
                    linewidth=2 if (wrong and known) or missing else 0.5,
                )
            )
            if known:
                ax.text(
                    j + 0.5,
                    -r - 0.5,
                    str(values[j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                )
    ax.set_xlim(-3, 25)
    ax.set_ylim(-3.2, 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9, loc="left")


fig, axes = plt.subplots(4, 2, figsize=(12, 5.5))
parity_pred = aligned.predict(X_parity[:4])
sum_pred = tagger.predict(X[2000:2004])
for i in range(4):
    draw(
        axes[i, 0], X_parity[i], Y_parity[i], parity_pred[i], "aligned: running parity"
    )
    draw(axes[i, 1], X[2000 + i], Y[2000 + i], sum_pred[i], "EOS: running sum mod 5")
fig.tight_layout()
plt.show()
