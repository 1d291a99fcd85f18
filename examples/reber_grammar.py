"""
Valid or corrupted: embedded Reber strings as token sequences
=============================================================

The embedded Reber grammar writes B, then T or P, then a Reber string, then the
same T or P again, then E. A valid string must repeat its second symbol just
before the end, a dependency across the whole string. Invalid strings are valid
ones with one symbol replaced so that the grammar no longer accepts them. Each
string is a sequence of token ids closed by an end-of-sequence token of its own
(E cannot serve: the inner Reber string ends with E too); some are followed by
random junk after it, which the classifier ignores (``eos_value``).

Run::

    python examples/reber_grammar.py [--quick]
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

from skrnn import SequenceRNNClassifier, TrainingCurveDisplay

parser = argparse.ArgumentParser(description="Embedded Reber strings")
parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
QUICK = parser.parse_args().quick

# %%
# The grammar, and strings it accepts or rejects
# ----------------------------------------------

SYMBOLS = "BTPSXVE"
TOKEN = {symbol: i + 1 for i, symbol in enumerate(SYMBOLS)}  # 0 stays free
EOS = len(SYMBOLS) + 1
# Reber grammar: state -> list of (symbol, next state); state 6 is final.
REBER = {
    0: [("B", 1)],
    1: [("T", 2), ("P", 3)],
    2: [("S", 2), ("X", 4)],
    3: [("T", 3), ("V", 5)],
    4: [("X", 3), ("S", 6)],
    5: [("P", 4), ("V", 6)],
}


def reber_string(rng):
    state, out = 0, []
    while state != 6:
        symbol, state = REBER[state][rng.randint(len(REBER[state]))]
        out.append(symbol)
    return "".join(out) + "E"


def embedded_reber_string(rng):
    branch = "TP"[rng.randint(2)]
    return "B" + branch + reber_string(rng) + branch + "E"


def is_reber(text):
    state = 0
    for symbol in text[:-1]:
        moves = dict(REBER.get(state, []))
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state == 6 and text.endswith("E")


def is_embedded_reber(text):
    return (
        len(text) >= 5
        and text[0] == "B"
        and text[1] in "TP"
        and text[-2] == text[1]
        and text[-1] == "E"
        and is_reber(text[2:-2])
    )


def corrupted_string(rng):
    while True:
        text = list(embedded_reber_string(rng))
        position = rng.randint(1, len(text) - 1)
        text[position] = SYMBOLS[rng.randint(1, len(SYMBOLS) - 1)]
        text = "".join(text)
        if not is_embedded_reber(text):
            return text


def make_dataset(n, rng):
    texts = [
        embedded_reber_string(rng) if i % 2 else corrupted_string(rng) for i in range(n)
    ]
    y = np.array([int(is_embedded_reber(t)) for t in texts])
    X = []
    for text in texts:
        ids = [TOKEN[s] for s in text] + [EOS]
        if rng.uniform() < 0.3:  # junk after EOS, ignored by the classifier
            ids += list(rng.randint(1, len(SYMBOLS) + 1, size=rng.randint(1, 6)))
        X.append(np.array(ids))
    return X, y


# %%
# Data: valid and corrupted strings, as token ids
# -----------------------------------------------

rng = np.random.RandomState(0)
X_train, y_train = make_dataset(1000 if QUICK else 4000, rng)
X_test, y_test = make_dataset(100 if QUICK else 1000, rng)
lengths = [len(x) for x in X_train]
print(
    f"{len(X_train)} train / {len(X_test)} test strings, "
    f"{min(lengths)}-{max(lengths)} tokens, {y_train.mean():.0%} valid"
)

# %%
# A GRU over token embeddings, with an EOS token
# ----------------------------------------------
#
# ``embedding_dim`` makes the steps token ids; ``eos_value`` ends each string at
# its EOS token, so the junk after it is never read.

clf = SequenceRNNClassifier(
    units=32,
    cell="gru",
    embedding_dim=8,
    eos_value=EOS,
    batch_size=50,
    learning_rate_init=0.01,
    early_stopping=True,
    n_iter_no_change=30,
    max_iter=40 if QUICK else 300,
    random_state=0,
)
start = time.perf_counter()
clf.fit(X_train, y_train)
print(
    f"trained {clf.n_iter_} epochs in {time.perf_counter() - start:.0f} s; "
    f"best validation accuracy {clf.best_validation_score_:.4f}"
)
print(f"test accuracy: {clf.score(X_test, y_test):.4f}")

# %%
# The training curve: the loss, the training accuracy and, with
# ``early_stopping``, the accuracy on the held-out tenth.

TrainingCurveDisplay.from_estimator(clf)
plt.show()
