"""skrnn's ONNX writer against Keras' own exporter (tf2onnx), per cell type.

For the default classifier's network with each cell, fitted briefly on
JapaneseVowels, this writes the network twice:

* ``skrnn.export``: skrnn's writer, the whole estimator (scaling, pooling,
  softmax and labels included);
* ``model_.export(format="onnx")``: Keras' exporter on the bare network (it
  needs ``pip install tf2onnx``), fed the input skrnn prepares.

and reports the recurrent operators each graph holds, whether it has a
``Loop``, the largest difference from ``predict_proba``, and onnxruntime's
median latency for one sequence.

    python benchmarks/export_writers.py     (about a minute on 2 CPU cores)
"""

import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

from skrnn import SequenceRNNClassifier, to_padded  # noqa: E402
from skrnn.datasets import load_japanese_vowels  # noqa: E402

RECURRENT = {"RNN", "GRU", "LSTM", "Loop", "Scan"}


def median_ms(function, repeats=2000):
    for _ in range(50):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return np.median(times) * 1000


def describe(path):
    ops = [node.op_type for node in onnx.load(path).graph.node]
    found = sorted({op for op in ops if op in RECURRENT})
    return ", ".join(found) or "-"


def main():
    warnings.simplefilter("ignore")
    X, y = load_japanese_vowels("train")
    X_test, _ = load_japanese_vowels("test")
    folder = Path(tempfile.mkdtemp())
    print("| cell | writer | recurrent ops | max abs diff | one sequence, ms |")
    print("|---|---|---|---|---|")
    for cell in ("simple", "gru", "lstm"):
        clf = SequenceRNNClassifier(cell=cell, max_iter=5, random_state=0).fit(X, y)
        expected = clf.predict_proba(X_test)
        values, lengths = to_padded(X_test)
        feed = {
            "values": values.astype(np.float32),
            "lengths": lengths.astype(np.int64),
        }
        ours = ort.InferenceSession(str(clf.export(folder / f"{cell}.onnx")))
        proba = ours.run(None, feed)[0]
        one = {
            "values": feed["values"][:1, : lengths[0]],
            "lengths": feed["lengths"][:1],
        }
        print(
            f"| {cell} | skrnn.export | {describe(folder / f'{cell}.onnx')} | "
            f"{np.abs(proba - expected).max():.1e} | "
            f"{median_ms(lambda s=ours, f=one: s.run(None, f)):.3f} |",
            flush=True,
        )
        # Keras' exporter takes the bare network: feed it skrnn's prepared input.
        keras_path = folder / f"{cell}_keras.onnx"
        net_values, net_lengths = clf._network_input(
            *clf._validate_X(X_test, None, False)
        )
        # Keras exports only a model that has been called.
        clf.model_([net_values[:1].astype(np.float32), net_lengths[:1]])
        clf.model_.export(str(keras_path), format="onnx", verbose=False)
        theirs = ort.InferenceSession(str(keras_path))
        net_values, net_lengths = clf._network_input(
            *clf._validate_X(X_test, None, False)
        )
        names = [i.name for i in theirs.get_inputs()]
        net_feed = dict(
            zip(
                names,
                [net_values.astype(np.float32), net_lengths.astype(np.int32)],
                strict=True,
            )
        )
        logits = theirs.run(None, net_feed)[0]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        proba = shifted / shifted.sum(axis=1, keepdims=True)
        one = {
            names[0]: net_feed[names[0]][:1, : net_lengths[0]],
            names[1]: net_feed[names[1]][:1],
        }
        print(
            f"| {cell} | Keras export (tf2onnx) | {describe(keras_path)} | "
            f"{np.abs(proba - expected).max():.1e} | "
            f"{median_ms(lambda s=theirs, f=one: s.run(None, f)):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
