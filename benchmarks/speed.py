"""Speed and memory of skrnn side by side with hand-written Keras, in one run.

Each workload times skrnn and its anchor in the same process, one after the
other (the best of a few runs each, after a warm-up fit), and prints the ratio
(below 1: skrnn is faster). Every timed fit builds, compiles and trains a new
model, tracing included, as a user's script does. Run it on an otherwise idle
machine.

Run:  python benchmarks/speed.py              (about 10 minutes on 2 CPU cores)
      python benchmarks/speed.py --quick      (small sizes, a smoke run)
      python benchmarks/speed.py --only P3 P4 (some workloads)
"""

import argparse
import gc
import os
import time
import warnings

import keras
import numpy as np
from sklearn.base import clone
from tasks import ANCHOR_NETWORK

from skrnn import SequenceRNNClassifier

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


def tensorflow_functions():
    """Functions in TensorFlow's eager function library (NaN on other backends)."""
    if keras.backend.backend() != "tensorflow":
        return float("nan")
    # Private, and read only to measure: nothing public lists the library.
    from tensorflow.python.eager import context

    return len(context.context().list_function_names())


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def best_of(repeats, function):
    """Shortest of ``repeats`` timings: the least disturbed by the machine."""
    return min(timed(function)[0] for _ in range(repeats))


def warm_up():
    """One tiny fit of each kind first, so no timing pays process start-up costs."""
    X = np.zeros((8, 3, 2), dtype=np.float32)
    y = np.arange(8) % 2
    skrnn_clf(units=2, max_iter=1).fit(X, y).predict(X)
    keras_model(2, 2, 2, masking=True).fit(X, y, verbose=0)


def keras_model(n_features, n_classes, units, masking, cell=keras.layers.SimpleRNN):
    layers = [keras.Input((None, n_features))]
    if masking:
        layers.append(keras.layers.Masking(mask_value=0.0))
    layers += [cell(units), keras.layers.Dense(n_classes, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def skrnn_clf(**params):
    # tol=0 with a long patience: every workload runs exactly max_iter epochs.
    # The network is the anchors' (ANCHOR_NETWORK).
    return SequenceRNNClassifier(
        **{
            **ANCHOR_NETWORK,
            "alpha": 0.0,
            "tol": 0.0,
            "n_iter_no_change": 10**6,
            "random_state": 0,
            **params,
        }
    )


def fixed_length(quick):
    """P1, P1m, P3, P3b: 28 x 28 fixed-length sequences, SimpleRNN(150)."""
    n = 1200 if quick else 6000
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(n, 28, 28)).astype(np.float32)
    y = rng.randint(0, 10, size=n)
    rows = []
    clf = skrnn_clf(units=150, batch_size=150, max_iter=3)
    # Each timing builds and trains a new model, as a user's script would.
    t_skrnn = best_of(3, lambda: clf.fit(X, y))
    t_raw = best_of(
        3,
        lambda: keras_model(28, 10, 150, masking=False).fit(
            X, y, batch_size=150, epochs=3, verbose=0
        ),
    )
    t_masked = best_of(
        3,
        lambda: keras_model(28, 10, 150, masking=True).fit(
            X, y, batch_size=150, epochs=3, verbose=0
        ),
    )
    raw = keras_model(28, 10, 150, masking=False)
    raw.fit(X, y, batch_size=150, epochs=1, verbose=0)
    rows.append(
        (
            "P1",
            f"fit {n}x28x28, SimpleRNN(150), batch 150, 3 epochs",
            "skrnn / raw Keras (no mask)",
            t_skrnn,
            t_raw,
            "<= 0.70",
        )
    )
    rows.append(
        ("P1m", "same", "skrnn / raw Keras with Masking", t_skrnn, t_masked, "<= 0.80")
    )
    # Precision follows X: the same fit on float64 input trains in float64.
    X64 = X.astype(np.float64)
    t_float64 = best_of(3, lambda: clone(clf).fit(X64, y))
    rows.append(
        ("P1f", "same, float64 X", "skrnn float64 / float32", t_float64, t_skrnn, "-")
    )

    one = X[:1]
    clf.predict_proba(one)
    raw.predict(one, verbose=0)
    ours = [timed(lambda: clf.predict_proba(one))[0] for _ in range(200)]
    theirs = [timed(lambda: raw.predict(one, verbose=0))[0] for _ in range(30)]
    rows.append(
        (
            "P3",
            "predict one sequence of 28 steps (median)",
            "skrnn / model.predict",
            np.median(ours),
            np.median(theirs),
            f"<= 0.05; skrnn {np.median(ours) * 1000:.2f} ms (<= 2 ms)",
        )
    )
    many = rng.uniform(size=(2000 if quick else 10000, 28, 28)).astype(np.float32)
    clf.predict_proba(many[:10])
    t_ours = best_of(3, lambda: clf.predict_proba(many))
    t_theirs = best_of(3, lambda: raw.predict(many, verbose=0))
    rows.append(
        (
            "P3b",
            f"predict {len(many)} sequences",
            "skrnn / raw model.predict",
            t_ours,
            t_theirs,
            "<= 1.05",
        )
    )
    return rows


def variable_length(quick):
    """P2, P2i: lengths uniform in 10..200, 12 features, SimpleRNN(64)."""
    n = 800 if quick else 4000
    rng = np.random.RandomState(0)
    lengths = rng.randint(10, 201, size=n)
    X = [rng.normal(size=(length, 12)).astype(np.float32) for length in lengths]
    y = rng.randint(0, 2, size=n)
    padded = np.zeros((n, 200, 12), dtype=np.float32)
    for i, x in enumerate(X):
        padded[i, : len(x)] = x
    epochs, batch = 5, 64
    t_skrnn = best_of(
        2, lambda: skrnn_clf(units=64, batch_size=batch, max_iter=epochs).fit(X, y)
    )
    t_masked = best_of(
        2,
        lambda: keras_model(12, 2, 64, masking=True).fit(
            padded, y, batch_size=batch, epochs=epochs, verbose=0
        ),
    )
    # Ideal: the unmasked fixed-length cost of exactly the real steps.
    mean_length = int(round(lengths.mean()))
    fixed = rng.normal(size=(n, mean_length, 12)).astype(np.float32)
    t_ideal = best_of(
        2,
        lambda: keras_model(12, 2, 64, masking=False).fit(
            fixed, y, batch_size=batch, epochs=epochs, verbose=0
        ),
    )
    t_ideal *= lengths.sum() / (n * mean_length)
    return [
        (
            "P2",
            f"fit {n} sequences, lengths 10..200, SimpleRNN(64), batch 64, "
            f"{epochs} epochs",
            "skrnn / raw Keras padded + Masking",
            t_skrnn,
            t_masked,
            "<= 0.55",
        ),
        (
            "P2i",
            "same",
            "skrnn / ideal (unmasked per-step cost x real steps)",
            t_skrnn,
            t_ideal,
            "<= 1.25",
        ),
    ]


def memory(quick):
    """P4, P4c: RSS growth per fit over consecutive fits of small models."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 10, 4)).astype(np.float32)
    y = rng.randint(0, 2, size=200)
    n_fits = 10 if quick else 30

    def growth(fit_once):
        for i in range(3):  # warm-up: imports, first traces
            fit_once(-1 - i)
        gc.collect()
        start, functions = rss_mb(), tensorflow_functions()
        for i in range(n_fits):
            fit_once(i)
        gc.collect()
        kept_functions = (tensorflow_functions() - functions) / n_fits
        return (rss_mb() - start) / n_fits, kept_functions

    def skrnn_fit(i):
        skrnn_clf(units=16, max_iter=2).fit(X, y).predict(X)

    def skrnn_fit_new_config(i):
        # A network of a different width each time: nothing can be reused.
        skrnn_clf(units=100 + i, max_iter=2).fit(X, y).predict(X)

    def keras_fit(i, units=16):
        model = keras_model(4, 2, units, masking=True)
        model.fit(X, y, epochs=2, batch_size=200, verbose=0)
        model.predict(X, verbose=0)

    (ours, _), (theirs, _) = growth(skrnn_fit), growth(keras_fit)
    ours_new, functions_new = growth(skrnn_fit_new_config)
    theirs_new, theirs_functions_new = growth(lambda i: keras_fit(i, units=100 + i))
    return [
        (
            "P4",
            f"{n_fits} consecutive fits + predicts of one small network",
            "RSS growth per fit, MB: skrnn / raw Keras",
            ours,
            theirs,
            f"skrnn {ours:.2f} MB per fit (<= 0.5 MB)",
        ),
        (
            "P4c",
            f"{n_fits} fits + predicts of {n_fits} different networks",
            "RSS growth per fit, MB: skrnn / raw Keras",
            ours_new,
            theirs_new,
            f"skrnn {ours_new:.2f} MB per fit (<= 3 MB); TensorFlow functions "
            f"kept per fit: skrnn {functions_new:.1f}, raw Keras "
            f"{theirs_functions_new:.1f}",
        ),
    ]


def check_estimator_time(quick):
    """P5, P5r: wall time of scikit-learn's check_estimator on the defaults."""
    from sklearn.utils.estimator_checks import check_estimator

    from skrnn import SequenceRNNRegressor

    rows = []
    for name, estimator, limit in (
        ("P5", SequenceRNNClassifier(), 40.0),
        ("P5r", SequenceRNNRegressor(), 30.0),
    ):
        elapsed, _ = timed(lambda e=estimator: check_estimator(e))
        rows.append(
            (
                name,
                f"check_estimator({type(estimator).__name__}())",
                "wall time, s",
                elapsed,
                limit,
                f"<= {limit:.0f} s (ratio to {limit:.0f} s)",
            )
        )
    return rows


def grid_search(quick):
    """P6: GridSearchCV, 8 candidates x 3 folds on JapaneseVowels."""
    from keras.wrappers import SKLearnClassifier
    from sklearn.model_selection import GridSearchCV

    from skrnn.datasets import load_japanese_vowels

    X, y = load_japanese_vowels("train")
    X = [x.astype(np.float32) for x in X]
    y = y - 1
    width = max(len(x) for x in X)
    flat = np.zeros((len(X), width * 12), dtype=np.float32)
    for i, x in enumerate(X):
        flat[i, : x.size] = x.ravel()
    epochs = 3 if quick else 30

    def build(X, y, units=32, learning_rate=0.001):
        # The wrapper takes 2-D input only: sequences are flattened and
        # reshaped back, zero padding masked.
        model = keras.Sequential(
            [
                keras.Input((width * 12,)),
                keras.layers.Reshape((width, 12)),
                keras.layers.Masking(mask_value=0.0),
                keras.layers.SimpleRNN(units),
                keras.layers.Dense(9, activation="softmax"),
            ]
        )
        # The wrapper one-hot encodes the targets.
        model.compile(keras.optimizers.Adam(learning_rate), "categorical_crossentropy")
        return model

    grid = {"units": [16, 32, 64, 128], "learning_rate": [0.001, 0.01]}
    ours = GridSearchCV(
        skrnn_clf(max_iter=epochs, batch_size=200),
        {"units": grid["units"], "learning_rate_init": grid["learning_rate"]},
        cv=3,
    )
    t_ours, _ = timed(lambda: ours.fit(X, y))
    wrapper = SKLearnClassifier(
        model=build, fit_kwargs={"epochs": epochs, "batch_size": 200, "verbose": 0}
    )
    theirs = GridSearchCV(
        wrapper,
        {
            "model_kwargs": [
                {"units": u, "learning_rate": r}
                for u in grid["units"]
                for r in grid["learning_rate"]
            ]
        },
        cv=3,
    )
    t_theirs, _ = timed(lambda: theirs.fit(flat, y))
    return [
        (
            "P6",
            f"GridSearchCV 8 candidates x 3 folds, JapaneseVowels, {epochs} epochs",
            "skrnn / keras.wrappers.SKLearnClassifier",
            t_ours,
            t_theirs,
            "<= 0.40",
        )
    ]


def precision(quick):
    """P8: float64 input (trains in float64) vs float32, JapaneseVowels.

    P8 fits the anchors' recurrent network (no convolutional branch); P8d
    the default classifier, branch and average of the weights included.
    """
    from skrnn.datasets import load_japanese_vowels

    X, y = load_japanese_vowels("train")
    epochs = 5 if quick else 20
    X64 = [x.astype(np.float64) for x in X]
    networks = {
        "P8": (
            "recurrent network (64 units, attention, no branch)",
            skrnn_clf(pooling="attention", scaling="feature", window="auto"),
        ),
        "P8d": (
            "default classifier (with its convolutional branch)",
            SequenceRNNClassifier(tol=0.0, n_iter_no_change=10**6, random_state=0),
        ),
    }
    rows = []
    for workload, (label, clf) in networks.items():
        clf.set_params(max_iter=epochs)
        t32 = best_of(3, lambda clf=clf: clone(clf).fit(X, y))
        t64 = best_of(3, lambda clf=clf: clone(clf).fit(X64, y))
        rows.append(
            (
                workload,
                f"fit JapaneseVowels, {label}, batches of 32, {epochs} epochs",
                "skrnn float64 X / float32 X",
                t64,
                t32,
                "-",
            )
        )
    return rows


def default_fit(quick):
    """P9: the default JapaneseVowels fit, against the default before the branch.

    The anchor is the classifier as it was before the convolutional branch:
    no branch, no average of the weights, ``tol=1e-4``.
    """
    from skrnn.datasets import load_japanese_vowels

    X, y = load_japanese_vowels("train")
    clf = SequenceRNNClassifier(random_state=0, max_iter=20 if quick else 500)
    before_branch = clone(clf).set_params(
        conv_filters=None, weight_average=None, tol=1e-4
    )
    t_default = best_of(1 if quick else 2, lambda: clone(clf).fit(X, y))
    t_before = best_of(1 if quick else 2, lambda: clone(before_branch).fit(X, y))
    return [
        (
            "P9",
            "fit JapaneseVowels, default classifier (with its convolutional branch)",
            "default / the default before the branch (conv_filters=None, "
            "weight_average=None, tol=1e-4)",
            t_default,
            t_before,
            "<= 3",
        )
    ]


def _scale_data(n_sequences, seed=0):
    """Ragged float32 sequences of 50-150 steps and 12 features, one by one."""
    rng = np.random.RandomState(seed)
    X = [
        rng.normal(size=(n, 12)).astype(np.float32)
        for n in rng.randint(50, 151, size=n_sequences)
    ]
    y = rng.randint(0, 2, size=n_sequences)
    return X, y


def _peak_growth_child(which, n_sequences):
    """In a fresh process: peak RSS growth, MB, of one fit or one predict."""
    import resource

    X, y = _scale_data(n_sequences)
    small = slice(0, 256)
    if which.startswith("keras"):
        values, lengths = _padded_zeros(X)
        model = keras_model(12, 2, 64, masking=True)
        # Warm-up on a few sequences: TensorFlow's own start-up is not the data's.
        model.fit(values[small], y[small], epochs=1, batch_size=32, verbose=0)
        model.predict(values[small], verbose=0)
        if which == "keras-fit":
            del values
    else:
        clf = SequenceRNNClassifier(random_state=0, max_iter=1)
        clf.fit(X[small], y[small]).predict(X[small])
    gc.collect()
    before = rss_mb()
    if which == "skrnn-fit":
        SequenceRNNClassifier(random_state=0, max_iter=1).fit(X, y)
    elif which == "skrnn-predict":
        clf.predict(X)
    elif which == "keras-fit":
        # As a user of raw Keras does: pad, then fit.
        values, _ = _padded_zeros(X)
        model.fit(values, y, epochs=1, batch_size=32, verbose=0)
    else:
        model.predict(values, batch_size=1024, verbose=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(peak - before)


def _padded_zeros(X):
    lengths = np.array([len(x) for x in X])
    values = np.zeros((len(X), lengths.max(), X[0].shape[1]), np.float32)
    for i, x in enumerate(X):
        values[i, : len(x)] = x
    return values, lengths


def memory_at_scale(quick):
    """P10: peak memory growth fitting and predicting many ragged sequences.

    Each measurement runs in a fresh process (peak RSS only grows), after a
    warm-up on a few sequences, and is divided by the ragged data's bytes.
    """
    import subprocess
    import sys

    n_sequences = 4000 if quick else 40_000
    X, _ = _scale_data(n_sequences)
    data_mb = sum(x.nbytes for x in X) / 2**20
    del X

    def growth(which):
        out = subprocess.run(
            [sys.executable, __file__, "--peak-child", which, str(n_sequences)],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.strip().splitlines()[-1])

    rows = []
    for stage in ("fit", "predict"):
        ours, theirs = growth(f"skrnn-{stage}"), growth(f"keras-{stage}")
        rows.append(
            (
                "P10" + stage[0],
                f"{stage} {n_sequences:,} ragged sequences (50-150 steps, 12 "
                f"features, {data_mb:.0f} MB as float32); default classifier, "
                "1 epoch; raw Keras pads them",
                "peak RSS growth / ragged bytes: skrnn / raw Keras",
                ours / data_mb,
                theirs / data_mb,
                f"skrnn <= 2.5x the data ({ours:.0f} MB; raw Keras {theirs:.0f} MB)",
            )
        )
    return rows


def serving(quick):
    """P7, P7b, P7c, P7s: onnxruntime on the exported model vs skrnn's predict."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import onnxruntime as ort

    from skrnn import to_padded
    from skrnn.datasets import load_japanese_vowels

    X, y = load_japanese_vowels("train")
    X_test, _ = load_japanese_vowels("test")
    clf = SequenceRNNClassifier(random_state=0, max_iter=5 if quick else 200).fit(X, y)
    folder = Path(tempfile.mkdtemp())
    onnx_path = clf.export(folder / "model.onnx")
    skrnn_path = folder / "model.skrnn"
    clf.save(skrnn_path)
    session = ort.InferenceSession(str(onnx_path))

    def run_onnx(sequences):
        values, lengths = to_padded(sequences)
        feed = {
            "values": values.astype(np.float32),
            "lengths": lengths.astype(np.int64),
        }
        return session.run(None, feed)

    one = X_test[:1]
    values, lengths = to_padded(one)
    feed = {"values": values.astype(np.float32), "lengths": lengths.astype(np.int64)}
    run_onnx(one), clf.predict_proba(one), session.run(None, feed)
    repeats = 200 if quick else 2000
    # onnxruntime first: TensorFlow's worker threads, busy right after skrnn's
    # predictions, would otherwise share the 2 cores with it
    run_only = np.median(
        [timed(lambda: session.run(None, feed))[0] for _ in range(repeats)]
    )
    theirs = np.median([timed(lambda: run_onnx(one))[0] for _ in range(repeats)])
    ours = np.median([timed(lambda: clf.predict_proba(one))[0] for _ in range(repeats)])
    many = (X_test * 28)[: 2000 if quick else 10000]
    t_ours = best_of(3, lambda: clf.predict_proba(many))
    t_theirs = best_of(3, lambda: run_onnx(many))

    def cold(code):
        return min(
            timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))[0]
            for _ in range(3)
        )

    first = "X = load_japanese_vowels('test')[0][:1]\n"
    cold_skrnn = cold(
        "from skrnn import load\n"
        "from skrnn.datasets import load_japanese_vowels\n"
        + first
        + f"load({str(skrnn_path)!r}).predict_proba(X)"
    )
    cold_onnx = cold(
        "import numpy as np, onnxruntime as ort\n"
        "from skrnn import to_padded\n"
        "from skrnn.datasets import load_japanese_vowels\n"
        + first
        + "v, n = to_padded(X)\n"
        + f"ort.InferenceSession({str(onnx_path)!r}).run(None, "
        "{'values': v.astype(np.float32), 'lengths': n.astype(np.int64)})"
    )
    onnx_size, skrnn_size = onnx_path.stat().st_size, skrnn_path.stat().st_size
    return [
        (
            "P7",
            "predict one JapaneseVowels sequence (median), default classifier",
            "onnxruntime session.run / skrnn predict_proba",
            run_only,
            ours,
            f"<= 0.1; onnxruntime {run_only * 1000:.3f} ms (<= 0.1 ms)",
        ),
        (
            "P7p",
            "same, from a ragged list: to_padded + session.run",
            "onnxruntime / skrnn predict_proba",
            theirs,
            ours,
            f"onnxruntime {theirs * 1000:.3f} ms",
        ),
        (
            "P7b",
            f"predict {len(many)} JapaneseVowels sequences",
            "onnxruntime / skrnn predict_proba",
            t_theirs,
            t_ours,
            "<= 0.5",
        ),
        (
            "P7c",
            "cold start: new process, import to first prediction",
            "onnxruntime / skrnn load + predict_proba",
            cold_onnx,
            cold_skrnn,
            "<= 0.1",
        ),
        (
            "P7s",
            "file size, bytes",
            ".onnx / .skrnn",
            onnx_size,
            skrnn_size,
            "-",
        ),
    ]


WORKLOADS = {
    "P1": fixed_length,
    "P2": variable_length,
    "P4": memory,
    "P5": check_estimator_time,
    "P6": grid_search,
    "P7": serving,
    "P8": precision,
    "P9": default_fit,
    "P10": memory_at_scale,
}


def main(quick=False, only=None):
    warnings.simplefilter("ignore")
    print(
        f"keras {keras.__version__}, backend {keras.backend.backend()}, "
        f"{os.cpu_count()} CPUs{', quick sizes' if quick else ''}"
    )
    print("| id | workload | ratio | skrnn | anchor | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    warm_up()
    for key, workload in WORKLOADS.items():
        if only and key not in only:
            continue
        for row_id, what, ratio, ours, theirs, target in workload(quick):
            print(
                f"| {row_id} | {what} | {ratio} | {ours:.4g} | {theirs:.4g} | "
                f"{ours / theirs:.3f} | {target} |",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument(
        "--only", nargs="*", help="workload ids: P1 P2 P4 P5 P6 P7 P8 P9 P10"
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        help="compiled networks kept per process (skrnn._engines.ENGINE_POOL_SIZE, "
        "16 by default): shows how much of P4c the pool itself holds",
    )
    parser.add_argument("--peak-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_child:
        _peak_growth_child(args.peak_child[0], int(args.peak_child[1]))
        raise SystemExit
    if args.pool_size is not None:
        from skrnn import _engines

        _engines.ENGINE_POOL_SIZE = _engines._POOL.size = args.pool_size
    main(args.quick, args.only)
