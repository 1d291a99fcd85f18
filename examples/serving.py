"""
Serving without TensorFlow: export to ONNX, predict with onnxruntime
====================================================================

Trains the default classifier on JapaneseVowels (bundled with skrnn), writes it
as an ONNX file, and predicts the test split with onnxruntime, checking that
the probabilities equal ``predict_proba``'s. The serving half needs only
``onnxruntime``, numpy and ``skrnn.to_padded`` (which does not import
TensorFlow); it is shown as the script a service would run.

Needs the ``onnx`` extra: ``pip install 'skrnn[onnx]'``.

Run::

    python examples/serving.py           # about a minute on 2 CPU cores
    python examples/serving.py --quick   # a few seconds: a smoke run
"""

# sphinx_gallery_start_ignore
import os

# TensorFlow's C++ start-up logging (CUDA probing, CPU features) says nothing
# about the example. TF_CPP_MIN_LOG_LEVEL quiets what TensorFlow logs once
# loaded, but recent releases write a few lines while their libraries load,
# before reading it: Keras, and with it TensorFlow, is imported with the
# process's standard error sent to /dev/null.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_stderr, _devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 2)
try:
    import keras

    # Under JAX, Keras loads TensorFlow later, to key and save models.
    if keras.backend.backend() != "tensorflow":
        import tensorflow  # noqa: F401
finally:
    os.dup2(_stderr, 2)
    os.close(_stderr)
    os.close(_devnull)
# sphinx_gallery_end_ignore

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skrnn import SequenceRNNClassifier
from skrnn.datasets import load_japanese_vowels

parser = argparse.ArgumentParser(description="Serve with onnxruntime")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
QUICK = parser.parse_args().quick

# %%
# The service
# -----------
#
# What a service runs: no TensorFlow, no Keras. It reads the ONNX file and the
# sequences, pads them with :func:`skrnn.to_padded` (which imports numpy and
# scikit-learn only) and calls onnxruntime.
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


# %%
# Train on JapaneseVowels
# -----------------------

X_train, y_train = load_japanese_vowels("train")
X_test, y_test = load_japanese_vowels("test")
clf = SequenceRNNClassifier(max_iter=20 if QUICK else 500, random_state=0)
clf.fit(X_train, y_train)
print(f"test accuracy in skrnn: {clf.score(X_test, y_test):.3f}")

# %%
# Export
# ------
#
# The ONNX graph holds everything skrnn does around the network: the scaling
# statistics, the windowing of steps, softmax and the labels.

folder = Path(tempfile.mkdtemp())
path = clf.export(folder / "japanese_vowels.onnx")
print(f"exported to {path.name}: {path.stat().st_size / 1024:.0f} kB")

# %%
# Predict in a fresh process
# --------------------------
#
# The service runs in a new Python process, which never imports TensorFlow;
# its probabilities equal ``predict_proba``'s to float32 precision.

start = time.perf_counter()
served = folder / "probabilities.npy"
subprocess.run([sys.executable, "-c", SERVE, str(path), str(served)], check=True)
print(f"a fresh process served them in {time.perf_counter() - start:.1f} s")
gap = np.abs(np.load(served) - clf.predict_proba(X_test)).max()
print(f"max |onnxruntime - predict_proba| = {gap:.1e}")


# %%
# Each point is one test sequence's probability of one speaker, from
# onnxruntime and from skrnn:

served_probabilities = np.load(served)
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(clf.predict_proba(X_test).ravel(), served_probabilities.ravel(), s=4)
ax.plot([0, 1], [0, 1], color="black", linewidth=0.8)
ax.set_xlabel("skrnn predict_proba")
ax.set_ylabel("onnxruntime, fresh process")
fig.tight_layout()
plt.show()
