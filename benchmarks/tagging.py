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
      python benchmarks/tagging.py --step-convolutions

``--step-convolutions`` measures whether the tagger would gain from the
classifier's convolutional branch: the branch's blocks (Conv1D 32/64/32,
kernels 8/5/3, padding zeroed before each, as the classifier's) read the same
steps as the recurrent network, and their features at each step, instead of
their mean over the steps, join the recurrent network's output at that step
before the output layer. It is measured here only; the tagger has no branch.
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


def step_convolutions(filters=(32, 64, 32), kernel_sizes=(8, 5, 3)):
    """A ``build_model`` whose per-step networks also read convolution features.

    Install it as ``skrnn._network.build_model``; networks with one output
    per sequence are built as before.
    """
    import keras

    from skrnn import _model
    from skrnn._layers import ConvolutionBranch, L2Penalty

    class StepConvolutions(ConvolutionBranch):
        """The branch's blocks, returning each real step's features (zero after)."""

        def call(self, values, lengths):
            hidden, real = self.step_features(values, lengths)
            return keras.ops.where(real, hidden, keras.ops.zeros_like(hidden))

        def compute_output_spec(self, values, lengths):
            shape = (values.shape[0], values.shape[1], self.filters[-1])
            return keras.KerasTensor(shape, dtype=self.compute_dtype)

    def build_model(**arguments):
        model = _model.build_model(**arguments)
        if not arguments.get("per_step"):
            return model
        values, lengths = model.inputs
        embedded = arguments.get("embedding_dim") is not None
        source = model.get_layer("embedding").output if embedded else values
        dtype, seed, alpha = arguments["dtype"], arguments["seed"], arguments["alpha"]
        steps = StepConvolutions(
            filters, kernel_sizes, seed=seed + 500, dtype=dtype, name="steps_conv"
        )(source, lengths)
        output = model.get_layer("logits")
        joined = keras.layers.Concatenate(dtype=dtype, name="with_convolutions")(
            [output.input, steps]
        )
        logits = keras.layers.Dense(
            output.units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 600),
            kernel_regularizer=L2Penalty(alpha) if alpha > 0 else None,
            dtype=dtype,
            name="logits",
        )(joined)
        return keras.Model([values, lengths], logits, name="sequence_rnn")

    return build_model


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
    parser.add_argument(
        "--step-convolutions",
        action="store_true",
        help="add the branch's per-step convolution features (see above)",
    )
    args = parser.parse_args()
    if args.step_convolutions:
        import skrnn._network

        skrnn._network.build_model = step_convolutions()
    main(args.params, args.only)
