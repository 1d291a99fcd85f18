"""The default tagger on per-step rules: per-step accuracy on held-out sequences.

``SequenceRNNTagger(embedding_dim=8, early_stopping=True, random_state=0)``,
nothing else set, on 800 training and 400 test sequences of each task:

* running parity of a bit string (aligned; ``examples/tagging.py``);
* running sum of digits 0..4 modulo 5, ended by EOS when the sum first
  reaches 12 (``examples/tagging.py``);
* digits 0..9, 4 to 13 of them: is each digit larger than the one before it
  (aligned);
* digits 0..9, 4 to 13 of them: the digit two steps back (aligned; 0 at the
  first two steps).

Run:  python benchmarks/tagging.py
      python benchmarks/tagging.py --only parity --params '{"learning_rate_init": 0.01}'
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from tasks import running_parity, running_sum_until  # noqa: E402

from skrnn import SequenceRNNTagger  # noqa: E402

N_TRAIN, N_TEST = 800, 400


def digits(n, seed):
    rng = np.random.RandomState(seed)
    return [rng.randint(0, 10, size=length) for length in rng.randint(4, 14, size=n)]


def rises(n, seed):
    X = digits(n, seed)
    return X, [np.r_[0, (np.diff(x) > 0).astype(int)] for x in X]


def two_back(n, seed):
    X = digits(n, seed)
    return X, [np.r_[0, 0, x[:-2]] for x in X]


TASKS = {
    "running parity (aligned)": (running_parity, {"eos_label": None}),
    "running sum mod 5 until 12 (EOS)": (running_sum_until, {}),
    "digit rises (aligned)": (rises, {"eos_label": None}),
    "digit two steps back (aligned)": (two_back, {"eos_label": None}),
}


def main(params=None, only=None):
    print("| task | per-step accuracy | epochs | fit time |")
    print("|---|---|---|---|")
    for name, (make, mode) in TASKS.items():
        if only and not any(word in name for word in only):
            continue
        X, Y = make(N_TRAIN + N_TEST, seed=0)
        tagger = SequenceRNNTagger(
            embedding_dim=8, early_stopping=True, random_state=0, **mode, **params
        )
        start = time.perf_counter()
        tagger.fit(X[:N_TRAIN], Y[:N_TRAIN])
        seconds = time.perf_counter() - start
        score = tagger.score(X[N_TRAIN:], Y[N_TRAIN:])
        print(f"| {name} | {score:.3f} | {tagger.n_iter_} | {seconds:.0f} s |")
        sys.stdout.flush()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--params",
        type=json.loads,
        default={},
        help="parameters beyond the defaults, as JSON",
    )
    parser.add_argument("--only", nargs="+", help="tasks whose name has a word")
    args = parser.parse_args()
    main(args.params, args.only)
