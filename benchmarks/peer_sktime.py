"""Peer baseline: sktime's ``SimpleRNNClassifier`` with its default parameters.

Fits ``sktime.classification.deep_learning.SimpleRNNClassifier(random_state=0)``
(TensorFlow backend; defaults: 6 SimpleRNN units, 100 epochs, batch size 1,
RMSprop lr=0.001, sigmoid output, mean-squared-error loss, ReduceLROnPlateau
on the training loss) on the published train split of each UCR/UEA problem and
reports test accuracy and fit time. Nothing is tuned.

sktime does not run in skrnn's environment (it pins other versions), so this
script runs in a separate virtual environment and does not import skrnn: the
``.ts`` reader ``skrnn/datasets/_ts.py`` (numpy and the standard library only)
is loaded by file path.

Create the environment (this resolved to sktime 1.2.0, tensorflow 2.19.1,
keras 3.15.1, scikit-learn 1.7.2, numpy 2.1.3 on Python 3.11)::

    python3 -m venv .venv-sktime
    .venv-sktime/bin/pip install "sktime" "tensorflow<2.20" "scikit-learn<1.8"

Run (DATA_DIR holds ``<Name>_TRAIN.ts.gz`` and ``<Name>_TEST.ts.gz``;
JapaneseVowels is read from ``skrnn/data`` next to this script)::

    OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \\
        .venv-sktime/bin/python benchmarks/peer_sktime.py DATA_DIR
    ... benchmarks/peer_sktime.py DATA_DIR --only GunPoint JapaneseVowels
    ... benchmarks/peer_sktime.py DATA_DIR --timeout 900 --out results.json

Each problem runs in its own child process; one that has not finished after
``--timeout`` seconds (default 900) is stopped and recorded as not run, with
the time it had taken, and then fitted for 1 and 2 epochs to estimate how long
the default 100 epochs would take. The JSON file is rewritten after every problem;
with ``--only``, rows of other problems already in ``--out`` are kept.

``random_state=0`` does not make runs repeatable with Keras 3: sktime seeds
only ``tf.random``, but Keras 3 initializers without a seed draw one from
Python's ``random`` module, so accuracies vary between runs.

JapaneseVowels has unequal lengths (7 to 29 steps) and sktime's deep
classifiers reject unequal-length input, so its series are zero-padded at the
end to 29 steps (the longest series over train and test) for this peer.
"""

import argparse
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
import platform
import queue
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "skrnn" / "data"
TS_READER = Path(__file__).resolve().parents[1] / "skrnn" / "datasets" / "_ts.py"

# name -> where the files are: "data_dir" (command line) or "package".
PROBLEMS = {
    "ArrowHead": "data_dir",
    "BasicMotions": "data_dir",
    "GunPoint": "data_dir",
    "ItalyPowerDemand": "data_dir",
    "JapaneseVowels": "package",
    "OSULeaf": "data_dir",
    "ACSF1": "data_dir",
}
DEFAULT_EPOCHS = 100  # SimpleRNNClassifier's default n_epochs
DISTRIBUTIONS = ("sktime", "tensorflow", "keras", "scikit-learn", "numpy", "pandas")


CAVEATS = [
    "random_state=0 does not make runs repeatable: sktime seeds only "
    "tf.random, while Keras 3 draws unseeded initializer seeds from Python's "
    "random module, so accuracy varies from run to run (runs of this script "
    "gave JapaneseVowels 0.589, 0.395 and 0.492; BasicMotions 0.275 and 0.475)",
    "fit_seconds is wall time on a shared 2-core machine (see load_average) "
    "with other jobs running, so times are noisy (OSULeaf: over 900 s in one "
    "full run, 812 s in another)",
    "estimated_fit_seconds of a problem that ran out of time comes from short "
    "fits of 1 and 2 epochs; on this machine short fits ran up to about 2x "
    "faster per epoch than full fits (OSULeaf: about 4.5 s per epoch in a "
    "short fit, 8.1 s on average in its full fit), so take it as a lower bound",
]


def load_ts_module():
    """Import skrnn/datasets/_ts.py by path, without importing the skrnn package."""
    spec = importlib.util.spec_from_file_location("skrnn_ts", TS_READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_numpy3d(X, length):
    """List of (length_i, channels) arrays -> (n, channels, length), zero-padded.

    Series shorter than ``length`` get zeros appended at the end.
    """
    out = np.zeros((len(X), X[0].shape[1], length), dtype=np.float64)
    for i, x in enumerate(X):
        out[i, :, : len(x)] = x.T
    return out


def load_problem(name, data_dir):
    """Return X_train, y_train, X_test, y_test (numpy3D) and a list of notes."""
    load_ts = load_ts_module().load_ts
    folder = PACKAGE_DATA if PROBLEMS[name] == "package" else Path(data_dir)
    X_train, y_train = load_ts(folder / f"{name}_TRAIN.ts.gz")
    X_test, y_test = load_ts(folder / f"{name}_TEST.ts.gz")
    lengths = [len(x) for x in X_train + X_test]
    length = max(lengths)
    notes = []
    if min(lengths) != length:
        notes.append(
            f"unequal lengths {min(lengths)}-{length}: sktime's deep classifiers "
            f"reject unequal-length input, so series were zero-padded at the end "
            f"to {length} steps"
        )
    if any(np.isnan(x).any() for x in X_train + X_test):
        notes.append("contains missing values (NaN)")
    return (
        to_numpy3d(X_train, length),
        y_train,
        to_numpy3d(X_test, length),
        y_test,
        notes,
    )


def run_problem(name, data_dir, n_epochs=None):
    """Fit SimpleRNNClassifier(random_state=0) on one problem; return a dict.

    ``n_epochs`` is only set for the timing probe of a problem that ran out of
    time; the reported results always use the default.
    """
    import keras
    from sktime.classification.deep_learning import SimpleRNNClassifier

    keras.config.disable_interactive_logging()  # no progress bars in predict
    X_train, y_train, X_test, y_test, notes = load_problem(name, data_dir)
    params = {} if n_epochs is None else {"n_epochs": n_epochs}
    clf = SimpleRNNClassifier(random_state=0, **params)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = clf.predict(X_test)
    predict_seconds = time.perf_counter() - start
    return {
        "status": "ok",
        "accuracy": float(np.mean(np.asarray(y_pred) == y_test)),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 2),
        "n_epochs": clf.n_epochs,
        "n_train": int(X_train.shape[0]),
        "n_test": int(X_test.shape[0]),
        "channels": int(X_train.shape[1]),
        "timepoints": int(X_train.shape[2]),
        "classes": len(set(y_train.tolist())),
        "notes": "; ".join(notes),
    }


def _worker(name, data_dir, n_epochs, results):
    try:
        results.put(run_problem(name, data_dir, n_epochs))
    except Exception as error:  # report, don't hang the parent
        results.put(
            {
                "status": "error",
                "accuracy": None,
                "fit_seconds": None,
                "notes": f"{type(error).__name__}: {error}",
            }
        )


def _in_child(name, data_dir, n_epochs, timeout):
    """Run ``run_problem`` in a child process; None if it took over ``timeout``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter TensorFlow
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_worker, args=(name, data_dir, n_epochs, results))
    process.start()
    try:
        result = results.get(timeout=timeout)
    except queue.Empty:
        process.terminate()
        process.join(30)
        if process.is_alive():
            process.kill()
            process.join()
        return None
    process.join()
    return result


def run_in_child(name, data_dir, timeout):
    """Run one problem in a child process, stopping it after ``timeout`` s.

    A problem stopped this way is then fitted for 1 and for 2 epochs, and the
    full fit time is estimated from the difference (the time of one epoch).
    """
    start = time.perf_counter()
    result = _in_child(name, data_dir, None, timeout)
    elapsed = time.perf_counter() - start
    if result is not None:
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
        return result
    result = {
        "status": "not run",
        "accuracy": None,
        "fit_seconds": None,
        "elapsed_seconds": round(elapsed, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "notes": (
            f"stopped after {elapsed:.0f} s (limit {timeout:.0f} s, including "
            "data loading and TensorFlow start-up) before fit finished"
        ),
    }
    # Epoch time = fit(2 epochs) - fit(1 epoch), so graph tracing cancels out.
    one = _in_child(name, data_dir, 1, timeout)
    two = _in_child(name, data_dir, 2, timeout) if one else None
    if one and two and one["status"] == two["status"] == "ok":
        epoch = two["fit_seconds"] - one["fit_seconds"]
        estimate = one["fit_seconds"] + (DEFAULT_EPOCHS - 1) * epoch
        result["probe_fit_seconds"] = {"1": one["fit_seconds"], "2": two["fit_seconds"]}
        result["estimated_fit_seconds"] = round(estimate)
        result["notes"] += (
            f"; fits of 1 and 2 epochs took {one['fit_seconds']:.1f} s and "
            f"{two['fit_seconds']:.1f} s, so the default {DEFAULT_EPOCHS} epochs "
            f"would take about {estimate / 60:.0f} min at that speed (a lower "
            "bound, see caveats)"
        )
    return result


def environment():
    versions = {}
    for distribution in DISTRIBUTIONS:
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[distribution] = None
    return {
        "versions": {"python": platform.python_version(), **versions},
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "threads": {
                key: os.environ.get(key)
                for key in (
                    "OMP_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS",
                    "TF_NUM_INTEROP_THREADS",
                )
            },
        },
    }


def markdown_table(problems):
    lines = [
        "| problem | accuracy | fit seconds | notes |",
        "|---|---|---|---|",
    ]
    for name, row in problems.items():
        accuracy = "—" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
        seconds = "—" if row["fit_seconds"] is None else f"{row['fit_seconds']:.1f}"
        notes = row["notes"]
        if row["status"] != "ok":
            notes = f"{row['status']}: {notes}"
        lines.append(f"| {name} | {accuracy} | {seconds} | {notes} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data_dir", help="folder with <Name>_TRAIN.ts.gz and <Name>_TEST.ts.gz"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", choices=list(PROBLEMS), default=None
    )
    parser.add_argument("--out", default=str(HERE / "peer_sktime.json"))
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per problem"
    )
    args = parser.parse_args(argv)

    names = args.only or list(PROBLEMS)
    report = {
        "estimator": "sktime SimpleRNNClassifier(random_state=0), defaults otherwise",
        **environment(),
        "timeout_seconds": args.timeout,
        "caveats": CAVEATS,
        "problems": {},
    }
    if args.only and os.path.exists(args.out):
        # Keep the other problems' rows of an earlier run.
        with open(args.out, encoding="utf-8") as handle:
            earlier = json.load(handle).get("problems", {})
        report["problems"] = {k: v for k, v in earlier.items() if k not in names}
    for name in names:
        print(f"{name} ...", file=sys.stderr, flush=True)
        row = run_in_child(name, args.data_dir, args.timeout)
        report["problems"][name] = row
        print(f"{name}: {row}", file=sys.stderr, flush=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
    print(markdown_table(report["problems"]))


if __name__ == "__main__":
    main()
