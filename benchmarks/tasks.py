"""What the benchmarks share: their data, and the anchors' network.

``digits_split`` is scikit-learn's digits as sequences, split once for every
benchmark that reads it. ``ANCHOR_NETWORK`` names the estimator parameters
that make skrnn build the network the raw Keras anchors build.

``examples/reber_grammar.py`` and ``examples/tagging.py`` define their data
generators inline, as gallery scripts that read top to bottom, and importing
one would run it. So the benchmarks take only the generators' definitions
from them: the top-level functions and upper-case constants, run with numpy
in scope and nothing else.
"""

import ast
from pathlib import Path

import numpy as np

__all__ = [
    "ANCHOR_NETWORK",
    "EOS",
    "digits_split",
    "make_dataset",
    "running_parity",
    "running_sum_until",
]

# Every parameter that shapes the network or its input, set so that skrnn
# builds the raw Keras anchor's network whatever the estimator's defaults:
# the last step's output, unscaled, every step read, gradients not clipped,
# no convolutional branch, the last update's weights, no linear read of
# the steps.
ANCHOR_NETWORK = {
    "pooling": "last",
    "scaling": None,
    "window": 1,
    "clipnorm": None,
    "conv_filters": None,
    "weight_average": None,
    "linear_steps": False,
}


def digits_split():
    """scikit-learn's digits as 8 rows of 8, float32: ``X_train, X_test,
    y_train, y_test`` of a stratified 75/25 split, seed 0."""
    # Imported here: backends.py reads ANCHOR_NETWORK in a process that must
    # not load Keras (its workloads run in subprocesses, one per backend).
    from sklearn.model_selection import train_test_split

    from skrnn.datasets import load_digits_sequences

    X, y = load_digits_sequences()
    return train_test_split(
        X.astype(np.float32), y, test_size=0.25, stratify=y, random_state=0
    )


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def definitions(example):
    """The functions and upper-case constants defined at the top of ``example``.

    A constant that reads something else of the script (the command line, say)
    fails with a ``NameError`` here and is left out.
    """
    tree = ast.parse((EXAMPLES / example).read_text(encoding="utf-8"))
    namespace = {"np": np}
    for node in tree.body:
        constant = isinstance(node, ast.Assign) and all(
            isinstance(target, ast.Name) and target.id.isupper()
            for target in node.targets
        )
        if isinstance(node, ast.FunctionDef) or constant:
            code = compile(ast.Module([node], type_ignores=[]), example, "exec")
            try:
                exec(code, namespace)
            except NameError:
                pass
    return namespace


_reber = definitions("reber_grammar.py")
_tagging = definitions("tagging.py")
EOS = _reber["EOS"]
make_dataset = _reber["make_dataset"]
running_parity = _tagging["running_parity"]
running_sum_until = _tagging["running_sum_until"]
