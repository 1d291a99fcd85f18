"""Serve a fitted classifier without TensorFlow: export to ONNX, run in onnxruntime.

Trains the default classifier on JapaneseVowels (bundled with skrnn), writes it
as an ONNX file, and predicts the test split with onnxruntime, checking that
the probabilities equal ``predict_proba``'s. The serving half needs only
``onnxruntime``, numpy and ``skrnn.to_padded`` (which does not import
TensorFlow); it is shown as the script a service would run.

Needs the ``onnx`` extra: ``pip install 'skrnn[onnx]'``.

Run:  python examples/serving.py           (about a minute on 2 CPU cores)
      python examples/serving.py --quick   (a few seconds: a smoke run)
"""

import os

# TensorFlow's C++ start-up logging (CUDA probing, CPU features) says nothing
# about the example; it is read when TensorFlow is imported, so set it first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_japanese_vowels

# What a service runs: no TensorFlow, no Keras.
SERVE = textwrap.dedent(
    """
    import sys
    import numpy as np
    import onnxruntime as ort
    from skrnn import to_padded
    from skrnn.datasets import load_japanese_vowels

    session = ort.InferenceSession(sys.argv[1])
    X, _ = load_japanese_vowels("test")
    values, lengths = to_padded(X)  # ragged list -> right-padded array + lengths
    probabilities, label = session.run(
        None,
        {"values": values.astype(np.float32), "lengths": lengths.astype(np.int64)},
    )
    np.save(sys.argv[2], probabilities)
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras"})
    print(f"served {len(label)} sequences; first labels {label[:5].tolist()}; "
          f"TensorFlow or Keras imported: {heavy or 'no'}")
    """
)


def main(quick=False):
    X_train, y_train = load_japanese_vowels("train")
    X_test, y_test = load_japanese_vowels("test")
    clf = SequenceRNNClassifier(max_iter=5 if quick else 500, random_state=0)
    clf.fit(X_train, y_train)
    print(f"test accuracy in skrnn: {clf.score(X_test, y_test):.3f}")

    folder = Path(tempfile.mkdtemp())
    path = clf.export(folder / "japanese_vowels.onnx")
    print(f"exported to {path.name}: {path.stat().st_size / 1024:.0f} kB")

    start = time.perf_counter()
    served = folder / "probabilities.npy"
    subprocess.run([sys.executable, "-c", SERVE, str(path), str(served)], check=True)
    print(f"a fresh process served them in {time.perf_counter() - start:.1f} s")
    gap = np.abs(np.load(served) - clf.predict_proba(X_test)).max()
    print(f"max |onnxruntime - predict_proba| = {gap:.1e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    main(parser.parse_args().quick)
