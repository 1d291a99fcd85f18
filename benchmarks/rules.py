"""Simple rules on small data: the default classifier beside a logistic regression.

Each rule labels short sequences by a few of their steps (a sum, a sign, an
order between two positions, a count, a difference between two channels of
a multivariate sequence). Both models train on the same 100 sequences and
are scored on 2,000 new ones drawn the same way: the default-constructed
``SequenceRNNClassifier(random_state=0)``, and a ``LogisticRegression`` on the
standardised, flattened steps (the sequences have equal length here, so the
flattened steps are the padded steps). The rules are linear in the steps, or
nearly so, so the logistic regression is the bar: a sequence model should
come within a few points of it.

Run::

    python benchmarks/rules.py                  # every rule, seeds 0 and 1
    python benchmarks/rules.py --params summary_dropout=0.5

``--params`` overrides the classifier's defaults (``name=value``, the value
read as a Python literal), to compare candidates; ``--train-accuracy`` also
prints the accuracy on the training sequences; ``--branch-variant`` runs a
variant of the convolutional branch (``benchmarks/branch_variants.py``).
"""

import argparse
import ast
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import branch_variants  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skrnn import SequenceRNNClassifier  # noqa: E402

N_TRAIN, N_TEST, STEPS = 100, 2000, 12


def _univariate(rng, n):
    return rng.normal(size=(n, STEPS))


def _multivariate(rng, n):
    return rng.normal(size=(n, STEPS, 3))


# name: (draw X, label of X)
RULES = {
    "sum of steps 2-4 > 0": (_univariate, lambda X: X[:, 2:5].sum(axis=1) > 0),
    "first step > 0": (_univariate, lambda X: X[:, 0] > 0),
    "step 7 > step 3": (_univariate, lambda X: X[:, 7] > X[:, 3]),
    "last step > mean": (_univariate, lambda X: X[:, -1] > X.mean(axis=1)),
    "count of steps > 0.5 is at least 4": (
        _univariate,
        lambda X: (X > 0.5).sum(axis=1) >= 4,
    ),
    "multivariate: channel 0 at step 5 > channel 2 at step 9": (
        _multivariate,
        lambda X: X[:, 5, 0] > X[:, 9, 2],
    ),
    "multivariate: sum of channel 1 > 0": (
        _multivariate,
        lambda X: X[:, :, 1].sum(axis=1) > 0,
    ),
}


def run(params, seeds, train_accuracy=False):
    rows = []
    for name, (draw, rule) in RULES.items():
        for seed in seeds:
            rng = np.random.RandomState(seed)
            X_train, X_test = draw(rng, N_TRAIN), draw(rng, N_TEST)
            y_train, y_test = rule(X_train).astype(int), rule(X_test).astype(int)
            clf = SequenceRNNClassifier(random_state=0, **params)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            flat = X_train.reshape(N_TRAIN, -1), X_test.reshape(N_TEST, -1)
            logistic = make_pipeline(StandardScaler(), LogisticRegression(C=1.0))
            logistic.fit(flat[0], y_train)
            row = {
                "rule": name,
                "seed": seed,
                "skrnn": clf.score(X_test, y_test),
                "logistic": logistic.score(flat[1], y_test),
                "seconds": seconds,
                "epochs": clf.n_iter_,
            }
            if train_accuracy:
                row["skrnn train"] = clf.score(X_train, y_train)
            rows.append(row)
            print(
                f"{name} (seed {seed}): skrnn {row['skrnn']:.3f}, logistic "
                f"{row['logistic']:.3f}"
                + (f", skrnn train {row['skrnn train']:.3f}" if train_accuracy else "")
                + f" ({seconds:.1f} s, {clf.n_iter_} epochs)",
                flush=True,
            )
    return rows


def report(rows):
    lines = [
        "| rule | seed | skrnn | logistic regression | skrnn - logistic |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['rule']} | {row['seed']} | {row['skrnn']:.3f} | "
            f"{row['logistic']:.3f} | {row['skrnn'] - row['logistic']:+.3f} |"
        )
    skrnn = np.mean([row["skrnn"] for row in rows])
    logistic = np.mean([row["logistic"] for row in rows])
    worst = min(row["skrnn"] - row["logistic"] for row in rows)
    lines.append(
        f"| **mean** | | **{skrnn:.3f}** | **{logistic:.3f}** | "
        f"{skrnn - logistic:+.3f} (worst {worst:+.3f}) |"
    )
    seconds = sum(row["seconds"] for row in rows)
    epochs = np.mean([row["epochs"] for row in rows])
    lines.append(
        f"\nskrnn fits: {seconds:.0f} s in all, {epochs:.0f} epochs on average"
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--train-accuracy", action="store_true")
    branch_variants.add_argument(parser)
    args = parser.parse_args()
    branch_variants.apply(args.branch_variant)
    params = {}
    for item in args.params:
        name, value = item.split("=", 1)
        params[name] = ast.literal_eval(value)
    rows = run(params, args.seeds, args.train_accuracy)
    print()
    print(report(rows))


if __name__ == "__main__":
    main()
