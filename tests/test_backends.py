"""Both backends are first class: a model saved under one predicts the same under
the other, and the SavedModel export is reached from either."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from skrnn import SequenceRNNClassifier, load

BACKEND = keras.backend.backend()
OTHER = "jax" if BACKEND == "tensorflow" else "tensorflow"


def run_under(backend, code):
    """Run ``code`` in a new process under ``backend``; return its last line."""
    environment = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def other_backend_available():
    if OTHER == "jax":
        pytest.importorskip("jax", reason="the other backend, JAX, is not installed")


@pytest.fixture(scope="module")
def saved_classifier(tmp_path_factory):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)).astype(np.float32) for n in rng.randint(2, 9, 30)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    clf = SequenceRNNClassifier(
        units=4, conv_filters=(3,), conv_kernel_size=2, max_iter=3, random_state=0
    ).fit(X, y)
    folder = tmp_path_factory.mktemp("backends")
    clf.save(folder / "model.skrnn")
    np.savez(folder / "X.npz", *X)
    return clf, X, folder


@pytest.mark.slow
def test_saved_under_one_backend_predicts_the_same_under_the_other(saved_classifier):
    other_backend_available()
    clf, X, folder = saved_classifier
    line = run_under(
        OTHER,
        f"""
        import json, keras, numpy as np, skrnn
        data = np.load({str(folder / "X.npz")!r})
        X = [data[f"arr_{{i}}"] for i in range(len(data.files))]
        model = skrnn.load({str(folder / "model.skrnn")!r})
        print(json.dumps([keras.backend.backend(), model.predict_proba(X).tolist()]))
        """,
    )
    backend, proba = json.loads(line)
    assert backend == OTHER
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-5, atol=1e-6)
    # And back: the file loads in this process, under this backend, too.
    np.testing.assert_allclose(
        load(folder / "model.skrnn").predict_proba(X), clf.predict_proba(X)
    )


@pytest.mark.slow
def test_saved_model_export_of_a_model_trained_under_either_backend(
    saved_classifier, tmp_path
):
    # The SavedModel is TensorFlow's format: a model trained under JAX is saved,
    # then loaded and exported in a TensorFlow process.
    if BACKEND != "tensorflow":
        with pytest.raises(ValueError, match="skrnn.load"):
            saved_classifier[0].export(tmp_path / "served", format="tf_saved_model")
    other_backend_available()
    clf, X, folder = saved_classifier
    line = run_under(
        "tensorflow",
        f"""
        import json, numpy as np, skrnn, tensorflow as tf
        data = np.load({str(folder / "X.npz")!r})
        X = [data[f"arr_{{i}}"] for i in range(len(data.files))]
        model = skrnn.load({str(folder / "model.skrnn")!r})
        model.export({str(tmp_path / "served")!r}, format="tf_saved_model")
        serve = tf.saved_model.load({str(tmp_path / "served")!r}).signatures[
            "serving_default"]
        values, lengths = skrnn.to_padded(X)
        out = serve(values=tf.constant(values), lengths=tf.constant(lengths, tf.int64))
        print(json.dumps(out["probabilities"].numpy().tolist()))
        """,
    )
    np.testing.assert_allclose(
        json.loads(line), clf.predict_proba(X), rtol=1e-5, atol=1e-6
    )
