"""Benchmark panel: skrnn's defaults on real UCR/UEA problems, beside the anchors.

Reads any directory holding ``<Name>_TRAIN.ts[.gz]`` and ``<Name>_TEST.ts[.gz]``
(``skrnn.datasets.fetch_ucr_uea`` downloads them); JapaneseVowels comes from
the package. Three modes:

``test`` (default)
    Fit each estimator once on the published training split with
    ``random_state=0`` and the data as loaded, and score it on the test split:
    the default ``SequenceRNNClassifier`` / ``SequenceRNNRegressor`` beside
    1-nearest-neighbour DTW and MiniRocket (aeon; series z-normalised per
    sequence for MiniRocket) or a ridge regression on the flattened series.
    Prints per-problem scores, the mean, the mean rank and fit times.
``grid``
    The documented small grid (``GRID`` below, at most 12 candidates),
    searched with ``GridSearchCV`` on the training split only, then scored
    once on the test split.
``cv``
    How the defaults were chosen: k-fold cross-validation on the training
    splits only, for each candidate setting in ``CANDIDATES``; the test
    splits are never read.

Examples::

    python benchmarks/panel.py path/to/ucr-uea                 # defaults + anchors
    python benchmarks/panel.py path/to/ucr-uea --mode grid
    python benchmarks/panel.py path/to/ucr-uea --mode cv --only GunPoint ArrowHead

The anchors need ``pip install ".[benchmarks]"`` (aeon); ``--no-anchors``
skips them.
"""

import argparse
import contextlib
import importlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    KFold,
    StratifiedKFold,
)

from skrnn import SequenceRNNClassifier, SequenceRNNRegressor  # noqa: E402
from skrnn.datasets import load_japanese_vowels, load_ts  # noqa: E402

CLASSIFICATION = [
    "JapaneseVowels",
    "ArrowHead",
    "BasicMotions",
    "GunPoint",
    "ItalyPowerDemand",
    "OSULeaf",
    "ACSF1",
]
REGRESSION = ["Covid3Month", "CardanoSentiment", "Tecator"]

# The documented small grid: GridSearchCV over it on the training split.
GRID = {
    "cell": ["simple", "gru"],
    "bidirectional": [False, True],
    "pooling": ["mean", "attention", "last"],
}


# Candidate defaults compared by cross-validation on the training splits
# (``--mode cv``); each overrides the estimator's defaults. "constants" sets
# internal constants for the candidate (restored afterwards). Round 1 ran
# before training was made patient for MIN_STALE_UPDATES updates, so it sets
# that to 0 to be reproducible.
def _budget(window_steps, stale_updates=250, max_iter=500):
    """The training budget and automatic window a candidate runs with."""
    return {
        "max_iter": max_iter,
        "constants": {
            "skrnn._training.MIN_STALE_UPDATES": stale_updates,
            "skrnn._base.AUTO_WINDOW_STEPS": window_steps,
        },
    }


def _candidate(
    budget, pooling="attention", scaling="feature", window="auto", clipnorm=None, **rest
):
    # Rounds 1-5 ran when the default clipnorm was None: every candidate names
    # its clipnorm, so it measures the same thing whatever the defaults are.
    return {
        "pooling": pooling,
        "scaling": scaling,
        "window": window,
        "clipnorm": clipnorm,
        **rest,
        **budget,
    }


_ROUND1 = _budget(100, stale_updates=0, max_iter=200)
CANDIDATES = {
    # round 1: pooling and scaling, with batch_size='auto' = min(32, n)
    "previous": _candidate(  # the defaults before this panel existed
        _ROUND1, pooling="last", scaling=None, window=1, batch_size=200
    ),
    "batch32": _candidate(_ROUND1, pooling="last", scaling=None),
    "batch32-seq": _candidate(_ROUND1, pooling="last", scaling="sequence"),
    "batch32-feat": _candidate(_ROUND1, pooling="last"),
    "mean-seq": _candidate(_ROUND1, pooling="mean", scaling="sequence"),
    "mean-feat": _candidate(_ROUND1, pooling="mean"),
    "attention-feat": _candidate(_ROUND1),
    "mean-feat-clip": _candidate(_ROUND1, pooling="mean", clipnorm=1.0),
    # round 2: patience in updates, longer budget, shorter auto windows; the
    # winner was att-w50-p250. Rounds 1 and 2 ran when windows were averaged
    # (up to commit e7ab14a); windows are stacked since, so rerunning them now
    # measures stacked windows.
    "att-w100-p250": _candidate(_budget(100)),
    "last-w100-p250": _candidate(_budget(100), pooling="last"),
    "att-w50-p250": _candidate(_budget(50)),
    "last-w50-p250": _candidate(_budget(50), pooling="last"),
    # round 3: windows stacked (each window's steps side by side as the
    # features of one network step) instead of averaged; the winner,
    # att-stack-w25, is the default since
    "att-stack-w50": _candidate(_budget(50)),
    "att-stack-w35": _candidate(_budget(35)),
    "att-stack-w25": _candidate(_budget(25)),
    # round 4: the round-3 winner at higher initial learning rates
    "att-stack-w25-lr0.003": _candidate(_budget(25), learning_rate_init=0.003),
    "att-stack-w25-lr0.01": _candidate(_budget(25), learning_rate_init=0.01),
    # round 5: the round-3 winner with a stronger L2 penalty
    "att-stack-w25-alpha0.001": _candidate(_budget(25), alpha=0.001),
    "att-stack-w25-alpha0.01": _candidate(_budget(25), alpha=0.01),
    # regression: the same, stopping on a held-out tenth of the training data
    "att-stack-w25-es": _candidate(_budget(25), early_stopping=True),
    # round 6 (stale epochs counted only once the loss has left its initial
    # plateau; att-stack-w25 is rerun with it): gradients clipped to norm 1
    # or 5 (each variable's gradient, as Keras' clipnorm does)
    "att-stack-w25-clip": _candidate(_budget(25), clipnorm=1.0),
    "att-stack-w25-clip5": _candidate(_budget(25), clipnorm=5.0),
    # round 7: the current defaults with dropout on each recurrent layer's
    # inputs
    "att-stack-w25-clip5-drop0.1": _candidate(_budget(25), clipnorm=5.0, dropout=0.1),
    "att-stack-w25-clip5-drop0.25": _candidate(_budget(25), clipnorm=5.0, dropout=0.25),
    # round 8: the current defaults with less patience on small data, now that
    # the initial plateau is not counted as stale (n_iter_no_change=10 epochs
    # at least, as before)
    "att-stack-w25-clip5-p50": _candidate(_budget(25, stale_updates=50), clipnorm=5.0),
    "att-stack-w25-clip5-p0": _candidate(_budget(25, stale_updates=0), clipnorm=5.0),
    # round 9: the current defaults stopping on a held-out tenth or fifth of
    # the training data
    "att-stack-w25-clip5-es": _candidate(
        _budget(25), clipnorm=5.0, early_stopping=True
    ),
    "att-stack-w25-clip5-es0.2": _candidate(
        _budget(25), clipnorm=5.0, early_stopping=True, validation_fraction=0.2
    ),
    # round 10: the round-9 winner, more patient (the best epoch's weights
    # are kept, so patience costs time, not accuracy)
    "att-stack-w25-clip5-es-p500": _candidate(
        _budget(25, stale_updates=500), clipnorm=5.0, early_stopping=True
    ),
    "att-stack-w25-clip5-es-p1000": _candidate(
        _budget(25, stale_updates=1000), clipnorm=5.0, early_stopping=True
    ),
    # round 11: the learning rate divided by 5 where training would stop
    # (learning_rate='adaptive'), for the regressor (holding out) and the
    # classifier
    "att-stack-w25-clip5-es-adaptive": _candidate(
        _budget(25), clipnorm=5.0, early_stopping=True, learning_rate="adaptive"
    ),
    "att-stack-w25-clip5-adaptive": _candidate(
        _budget(25), clipnorm=5.0, learning_rate="adaptive"
    ),
    # round 12: the regressor's early_stopping='auto' on the classifier
    "att-stack-w25-clip5-auto": _candidate(
        _budget(25), clipnorm=5.0, early_stopping="auto"
    ),
}


@contextlib.contextmanager
def constants(settings):
    """Set module constants ``{"module.NAME": value}``; restore them on exit."""
    saved = {}
    for dotted, value in settings.items():
        module, name = dotted.rsplit(".", 1)
        module = importlib.import_module(module)
        saved[dotted] = (module, name, getattr(module, name))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved.values():
            setattr(module, name, value)


def find_file(directory, name, split):
    for suffix in (".ts", ".ts.gz"):
        path = Path(directory) / f"{name}_{split}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(
        f"{directory} holds no {name}_{split}.ts or .ts.gz; download it with "
        f"skrnn.datasets.fetch_ucr_uea({name!r})."
    )


def load_problem(name, directory):
    """``X_train, y_train, X_test, y_test`` as the loaders give them (float32)."""
    if name == "JapaneseVowels":
        return (*load_japanese_vowels("train"), *load_japanese_vowels("test"))
    X_train, y_train = load_ts(find_file(directory, name, "TRAIN"))
    X_test, y_test = load_ts(find_file(directory, name, "TEST"))
    return X_train, y_train, X_test, y_test


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return time.perf_counter() - start


# ------------------------------------------------------------------ anchors


def _channels_first(X, width=None):
    """aeon's layout: a 3-D (n, channels, T) array, zero-padded to ``width``."""
    width = width or max(len(x) for x in X)
    out = np.zeros((len(X), X[0].shape[1], width))
    for i, x in enumerate(X):
        out[i, :, : len(x)] = x.T
    return out


def _znorm(X):
    out = []
    for x in X:
        std = x.std(axis=0)
        out.append((x - x.mean(axis=0)) / np.where(std > 0, std, 1))
    return out


def anchor_scores(name, X_train, y_train, X_test, y_test):
    """Test accuracy and fit time of 1NN-DTW and MiniRocket (aeon)."""
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    results = {}
    window = {"window": 0.1} if name == "ACSF1" else {}
    unequal = len({len(x) for x in [*X_train, *X_test]}) > 1
    if unequal:
        train = [x.T.astype(np.float64) for x in X_train]
        test = [x.T.astype(np.float64) for x in X_test]
    else:
        train, test = _channels_first(X_train), _channels_first(X_test)
    dtw = KNeighborsTimeSeriesClassifier(
        n_neighbors=1, distance="dtw", distance_params=window or None
    )
    seconds = _timed_fit(dtw, train, y_train)
    results["1NN-DTW"] = (float(np.mean(dtw.predict(test) == y_test)), seconds)
    width = max(len(x) for x in [*X_train, *X_test])
    rocket = MiniRocketClassifier(random_state=0)
    seconds = _timed_fit(rocket, _channels_first(_znorm(X_train), width), y_train)
    predicted = rocket.predict(_channels_first(_znorm(X_test), width))
    results["MiniRocket"] = (float(np.mean(predicted == y_test)), seconds)
    return results


def ridge_scores(X_train, y_train, X_test, y_test):
    """R² and fit time of a ridge regression on the flattened, scaled series."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    flat_train = np.stack([x.ravel() for x in X_train])
    flat_test = np.stack([x.ravel() for x in X_test])
    ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    seconds = _timed_fit(ridge, flat_train, y_train)
    return {"ridge": (float(ridge.score(flat_test, y_test)), seconds)}


# -------------------------------------------------------------------- modes


def run_test(names, directory, anchors):
    rows = {}
    for name in names:
        X_train, y_train, X_test, y_test = load_problem(name, directory)
        regression = name in REGRESSION
        estimator = (
            SequenceRNNRegressor(random_state=0)
            if regression
            else SequenceRNNClassifier(random_state=0)
        )
        seconds = _timed_fit(estimator, X_train, y_train)
        row = {"skrnn": (float(estimator.score(X_test, y_test)), seconds)}
        if anchors:
            row.update(
                ridge_scores(X_train, y_train, X_test, y_test)
                if regression
                else anchor_scores(name, X_train, y_train, X_test, y_test)
            )
        rows[name] = row
        print(name, {k: (round(s, 3), round(t, 1)) for k, (s, t) in row.items()})
        sys.stdout.flush()
    return rows


def run_grid(names, directory, n_jobs=None):
    rows = {}
    for name in names:
        X_train, y_train, X_test, y_test = load_problem(name, directory)
        search = GridSearchCV(
            SequenceRNNClassifier(random_state=0),
            GRID,
            cv=StratifiedKFold(3, shuffle=True, random_state=0),
            n_jobs=n_jobs,
        )
        seconds = _timed_fit(search, X_train, y_train)
        rows[name] = {
            "skrnn grid": (float(search.score(X_test, y_test)), seconds),
            "best_params": search.best_params_,
        }
        print(name, rows[name])
        sys.stdout.flush()
    return rows


def run_cv(names, directory, candidates, n_splits, out, seed=0):
    """Mean k-fold accuracy of each candidate on each training split."""
    rows = {}
    for name in names:
        X_train, y_train, _, _ = load_problem(name, directory)
        regression = name in REGRESSION
        splitter = (
            KFold(n_splits, shuffle=True, random_state=seed)
            if regression
            else StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        )
        folds = list(splitter.split(np.zeros(len(y_train)), y_train))
        for candidate in candidates:
            params = dict(CANDIDATES[candidate])
            settings = params.pop("constants", {})
            scores, seconds = [], 0.0
            for train, valid in folds:
                estimator = (
                    SequenceRNNRegressor if regression else SequenceRNNClassifier
                )(random_state=seed, **params)
                with constants(settings):
                    seconds += _timed_fit(
                        estimator, [X_train[i] for i in train], y_train[train]
                    )
                    scores.append(
                        estimator.score([X_train[i] for i in valid], y_train[valid])
                    )
            rows.setdefault(name, {})[candidate] = (float(np.mean(scores)), seconds)
            print(name, candidate, round(np.mean(scores), 3), round(seconds, 1))
            sys.stdout.flush()
            if out:
                Path(out).write_text(json.dumps(rows, indent=1))
    return rows


# ------------------------------------------------------------------- report


def report(rows):
    """Markdown table with the mean, the mean rank and the fit times."""
    methods = list(dict.fromkeys(m for row in rows.values() for m in row))
    methods = [m for m in methods if m != "best_params"]
    lines = [
        "| problem | " + " | ".join(methods) + " |",
        "|---" * (len(methods) + 1) + "|",
    ]
    ranks = {m: [] for m in methods}
    for name, row in rows.items():
        scores = [row[m][0] if m in row else np.nan for m in methods]
        order = -np.array(scores)
        for m, score in zip(methods, scores, strict=True):
            if not np.isnan(score):
                ranks[m].append(
                    1 + np.sum(order < -score) + 0.5 * (np.sum(order == -score) - 1)
                )
        cells = [
            f"{row[m][0]:.3f} ({row[m][1]:.0f} s)" if m in row else "" for m in methods
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    means = [np.mean([row[m][0] for row in rows.values() if m in row]) for m in methods]
    lines.append("| **mean** | " + " | ".join(f"**{v:.3f}**" for v in means) + " |")
    lines.append(
        "| mean rank | "
        + " | ".join(f"{np.mean(ranks[m]):.2f}" for m in methods)
        + " |"
    )
    total = [sum(row[m][1] for row in rows.values() if m in row) for m in methods]
    lines.append("| total fit time | " + " | ".join(f"{t:.0f} s" for t in total) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", help="directory of <Name>_TRAIN/TEST.ts[.gz]")
    parser.add_argument("--mode", choices=("test", "grid", "cv"), default="test")
    parser.add_argument("--only", nargs="+", help="problems to run")
    parser.add_argument(
        "--task", choices=("classification", "regression", "all"), default="all"
    )
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="grid mode: GridSearchCV's n_jobs"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="cv mode: seed of the folds and of the estimators (a second draw)",
    )
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()
    names = {
        "classification": CLASSIFICATION,
        "regression": REGRESSION,
        "all": CLASSIFICATION + REGRESSION,
    }[args.task]
    if args.mode == "grid":
        names = [n for n in names if n in CLASSIFICATION]
    names = [n for n in names if not args.only or n in args.only]
    print(f"{len(names)} problems, {os.cpu_count()} CPUs, mode {args.mode}")
    if args.mode == "cv":
        rows = run_cv(
            names, args.data_dir, args.candidates, args.folds, args.out, args.seed
        )
        table = {
            name: {c: row[c] for c in args.candidates if c in row}
            for name, row in rows.items()
        }
    elif args.mode == "grid":
        table = run_grid(names, args.data_dir, args.n_jobs)
    else:
        table = run_test(names, args.data_dir, not args.no_anchors)
    if args.out and args.mode != "cv":
        Path(args.out).write_text(json.dumps(table, indent=1))
    for task, members in (
        ("classification", CLASSIFICATION),
        ("regression", REGRESSION),
    ):
        part = {n: r for n, r in table.items() if n in members}
        if part:
            print(f"\n{task}:\n{report(part)}")


if __name__ == "__main__":
    main()
