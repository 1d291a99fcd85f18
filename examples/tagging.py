"""Tagging: a label per step, and output sequences that end with an EOS label.

Two tasks with known rules, generated here:

* Aligned: each step of a random bit string is labelled with the parity of the
  bits so far (running XOR), so every output has its input's length.
* EOS: digits 0..4 stream in; the output is the running sum modulo 5, and it
  ends (the network emits the EOS label) at the step where the running sum
  first reaches 12. Sums that never reach 12 end right after the input, on a
  step the network sees as padding. Output lengths are not given to the
  network: it has to learn where they stop.

Each reports the per-step accuracy (``score``) and the fraction of sequences
predicted exactly, length included, on held-out sequences.

Run:  python examples/tagging.py [--quick]
"""

import os

# TensorFlow's C++ start-up logging (CUDA probing, CPU features) says nothing
# about the example; it is read when TensorFlow is imported, so set it first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse

import numpy as np

from skrnn import SequenceRNNTagger


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


def main(quick=False):
    settings = {
        "cell": "gru",
        "embedding_dim": 8,
        "learning_rate_init": 0.01,
        "batch_size": 32,
        "max_iter": 3 if quick else 150,
        "early_stopping": True,
        "n_iter_no_change": 20,
        "random_state": 0,
    }
    X, Y = running_parity(1200, seed=0)
    tagger = SequenceRNNTagger(units=16, eos_label=None, **settings)
    report(
        "aligned, running parity", tagger.fit(X[:1000], Y[:1000]), X[1000:], Y[1000:]
    )

    X, Y = running_sum_until(2400, seed=1)
    tagger = SequenceRNNTagger(units=64, **settings).fit(X[:2000], Y[:2000])
    report("EOS, running sum until 12", tagger, X[2000:], Y[2000:])
    x = X[2000]
    print(
        f"  input {x.tolist()} -> {tagger.predict([x])[0].tolist()} "
        f"(true {Y[2000].tolist()})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    main(parser.parse_args().quick)
