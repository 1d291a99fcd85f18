"""TensorFlow and JAX side by side: the JapaneseVowels default fit on each.

The Keras backend is fixed per process, so each measurement runs in a fresh
subprocess with ``KERAS_BACKEND`` set (skrnn never sets it).

- J1: milliseconds per training update under JAX (batch 32), skrnn's
  anchor network (a SimpleRNN(64) reading the last step) against raw Keras
  (``Masking`` + ``SimpleRNN(64)`` on zero-padded data) in the same process.
  Each is timed as the difference of two fits of different lengths after a
  first fit, so compiling cancels out (skrnn builds a new network per fit
  and reuses its compiled steps; raw Keras fits one model again).
- J2: the default JapaneseVowels fit (``SequenceRNNClassifier(random_state=0)``)
  on each backend: wall time of the first fit in a new process (JAX compiles
  its programs, TensorFlow traces its functions) and test accuracy; J2b: the
  same fit again in that process.
- J3: ``check_estimator`` wall time per estimator under JAX.
- J4: milliseconds per training update of the default JapaneseVowels
  network, with and without its convolutional branch, and without the
  average of its weights, on each backend (the fastest fit of 62 epochs
  less the fastest of 12, after a first fit): what bounds J2b.

Run:  python benchmarks/backends.py            (about 10 minutes on 2 CPU cores)
      python benchmarks/backends.py --only J1 J2
      python benchmarks/backends.py --only J4
"""

import argparse
import json
import os
import subprocess
import sys
import textwrap

from tasks import ANCHOR_NETWORK

# Milliseconds per update of ``fit(epochs)``: the fastest of the fits of
# ``long`` epochs less the fastest of ``short`` epochs, after a warm-up fit, so
# compiling cancels out (the best single difference of two noisy fits can go
# below zero where an update costs little).
TIMING = """
import time

def per_update(fit, updates, short=5, long=45, repeats=3, warm_up=1):
    def timed(epochs):
        start = time.perf_counter(); fit(epochs)
        return time.perf_counter() - start
    timed(warm_up)
    fastest_long = min(timed(long) for _ in range(repeats))
    fastest_short = min(timed(short) for _ in range(repeats))
    return 1000 * (fastest_long - fastest_short) / ((long - short) * updates)
"""

PER_UPDATE = (
    TIMING
    + f"ANCHOR_NETWORK = {ANCHOR_NETWORK!r}\n"
    + """
import warnings
warnings.simplefilter("ignore")
import keras, numpy as np
from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_japanese_vowels

X, y = load_japanese_vowels("train")
y = np.unique(y, return_inverse=True)[1]
n, batch = len(X), 32
updates = -(-n // batch)

def skrnn_fit(epochs):
    return SequenceRNNClassifier(
        **ANCHOR_NETWORK, units=64, alpha=0.0, tol=0.0, n_iter_no_change=10**6,
        random_state=0, early_stopping=False, batch_size=batch, max_iter=epochs,
    ).fit(X, y)

width = max(len(x) for x in X)
padded = np.zeros((n, width, X[0].shape[1]), np.float32)
for i, x in enumerate(X):
    padded[i, : len(x)] = x

model = keras.Sequential([
    keras.Input((None, padded.shape[2])), keras.layers.Masking(0.0),
    keras.layers.SimpleRNN(64), keras.layers.Dense(9, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

def keras_fit(epochs):
    # One model: Keras compiles its training step once per model.
    model.fit(padded, y, batch_size=batch, epochs=epochs, verbose=0)

print(json.dumps({
    "skrnn": per_update(skrnn_fit, updates), "keras": per_update(keras_fit, updates)
}))
"""
)

DEFAULT_FIT = """
import time, warnings
warnings.simplefilter("ignore")
from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_japanese_vowels

X, y = load_japanese_vowels("train")
X_test, y_test = load_japanese_vowels("test")
times = []
for _ in range(2):
    start = time.perf_counter()
    clf = SequenceRNNClassifier(random_state=0).fit(X, y)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": times[0], "again": times[1],
                  "accuracy": clf.score(X_test, y_test), "epochs": clf.n_iter_}))
"""

DEFAULT_PER_UPDATE = (
    TIMING
    + f"ANCHOR_NETWORK = {ANCHOR_NETWORK!r}\n"
    + """
import warnings
warnings.simplefilter("ignore")
from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_japanese_vowels

X, y = load_japanese_vowels("train")
updates = -(-len(X) // 32)

def fit(epochs, **params):
    SequenceRNNClassifier(
        random_state=0, tol=0.0, n_iter_no_change=10**6, max_iter=epochs, **params
    ).fit(X, y)

results = {
    name: per_update(
        lambda epochs: fit(epochs, **params), updates,
        short=12, long=62, repeats=2, warm_up=2,
    )
    for name, params in (
        ("default", {}),
        ("no_average", {"weight_average": None}),
        ("no_branch", {"conv_filters": None}),
    )
}
print(json.dumps(results))
"""
)

CHECK_ESTIMATOR = """
import time, warnings
warnings.simplefilter("ignore")
from sklearn.utils.estimator_checks import check_estimator
import skrnn

results = {}
for name in ("SequenceRNNClassifier", "SequenceRNNRegressor"):
    start = time.perf_counter()
    runs = check_estimator(getattr(skrnn, name)(), on_fail=None)
    failed = [r["check_name"] for r in runs if r["status"] == "failed"]
    results[name] = {"seconds": time.perf_counter() - start, "failed": failed}
print(json.dumps(results))
"""


def run(code, backend):
    """Run ``code`` under ``backend`` in a new process; return its JSON line."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(only=None):
    print("| id | workload | skrnn | anchor | ratio |")
    print("|---|---|---|---|---|")
    if not only or "J1" in only:
        result = run(PER_UPDATE, "jax")
        print(
            f"| J1 | ms per update, JapaneseVowels, SimpleRNN(64), batch 32, JAX "
            f"(skrnn / raw Keras with Masking) | {result['skrnn']:.3f} | "
            f"{result['keras']:.3f} | {result['skrnn'] / result['keras']:.2f} |",
            flush=True,
        )
    if not only or "J2" in only:
        results = {
            backend: run(DEFAULT_FIT, backend) for backend in ("jax", "tensorflow")
        }
        jax, tf = results["jax"], results["tensorflow"]
        print(
            f"| J2 | default fit, JapaneseVowels, s (JAX / TensorFlow; test accuracy "
            f"{jax['accuracy']:.4f} / {tf['accuracy']:.4f}, epochs {jax['epochs']} / "
            f"{tf['epochs']}) | {jax['seconds']:.2f} | {tf['seconds']:.2f} | "
            f"{jax['seconds'] / tf['seconds']:.2f} |",
            flush=True,
        )
        print(
            "| J2b | same, a second fit in the same process, s (JAX / TensorFlow) | "
            f"{jax['again']:.2f} | {tf['again']:.2f} | "
            f"{jax['again'] / tf['again']:.2f} |",
            flush=True,
        )
    if not only or "J3" in only:
        for name, result in run(CHECK_ESTIMATOR, "jax").items():
            print(
                f"| J3 | check_estimator({name}()) under JAX, s (failed: "
                f"{', '.join(result['failed']) or 'none'}) | {result['seconds']:.1f} "
                "| - | - |",
                flush=True,
            )
    if not only or "J4" in only:
        results = {
            backend: run(DEFAULT_PER_UPDATE, backend)
            for backend in ("jax", "tensorflow")
        }
        jax, tf = results["jax"], results["tensorflow"]
        for name, label in (
            ("default", "default"),
            ("no_average", "no average of the weights"),
            ("no_branch", "no branch"),
        ):
            print(
                f"| J4 | ms per update, JapaneseVowels default network ({label}), "
                f"batch 32 (JAX / TensorFlow) | {jax[name]:.3f} | {tf[name]:.3f} | "
                f"{jax[name] / tf[name]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="workload ids: J1 J2 J3 J4")
    main(parser.parse_args().only)
