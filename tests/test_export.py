"""Export to ONNX: onnxruntime gives what predict and predict_proba give."""

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn
from skrnn import SequenceStandardScaler, export, to_padded

ATOL = 1e-5


def run(path, X, tokens=False, padding_value=np.nan):
    """onnxruntime's outputs on ``X``, padded with ``padding_value``."""
    values, lengths = to_padded(X, tokens=tokens)
    if tokens:
        values = values.astype(np.int64)
    else:
        real = np.arange(values.shape[1]) < lengths[:, None]
        values = np.where(real[..., None], values, padding_value).astype(np.float32)
    session = ort.InferenceSession(str(path))
    return session.run(None, {"values": values, "lengths": lengths.astype(np.int64)})


def longer(X, factor=3, seed=0):
    """Sequences several times longer than any in ``X``."""
    rng = np.random.RandomState(seed)
    longest = max(len(x) for x in X)
    return [rng.normal(size=(n, X[0].shape[1])) for n in (1, longest * factor, 4)]


def test_every_network_and_pooling_matches_predict_proba(fitted_network, tmp_path):
    clf, X = fitted_network
    path = clf.export(tmp_path / "model.onnx")
    for data, padding_value in ((X, np.nan), (X, 1e6), (longer(X), 0.0)):
        probabilities, label = run(path, data, padding_value=padding_value)
        np.testing.assert_allclose(probabilities, clf.predict_proba(data), atol=ATOL)
        np.testing.assert_array_equal(label, clf.predict(data))


@pytest.mark.parametrize("cell", ["simple", "gru", "lstm"])
def test_recurrent_layers_become_native_operators(
    make_classifier, ragged_data, tmp_path, cell
):
    X, y = ragged_data
    clf = make_classifier(cell=cell, units=(5, 3), window=2).fit(X, y)
    path = export(clf, tmp_path / "model.onnx")
    ops = [node.op_type for node in onnx.load(path).graph.node]
    assert ops.count({"simple": "RNN", "gru": "GRU", "lstm": "LSTM"}[cell]) == 2
    assert not {"Loop", "Scan", "If"} & set(ops)
    np.testing.assert_allclose(run(path, X)[0], clf.predict_proba(X), atol=ATOL)


@pytest.mark.parametrize("pooling", ["max", "attention"])
def test_stacked_windows_without_scaling_never_read_padding(
    make_classifier, ragged_data, tmp_path, pooling
):
    # Without built-in scaling the graph zeroes no padding: the stacked
    # windows read real steps only.
    X, y = ragged_data
    clf = make_classifier(window=3, scaling=None, pooling=pooling, bidirectional=True)
    clf.fit(X, y)
    path = clf.export(tmp_path / "model.onnx")
    for padding_value in (np.nan, 1e6):
        probabilities, _ = run(path, X, padding_value=padding_value)
        np.testing.assert_allclose(probabilities, clf.predict_proba(X), atol=ATOL)


def test_model_fit_on_columns_reads_one_feature_per_step(make_classifier, tmp_path):
    # A 2-D array is univariate sequences: n_features_in_ counts its columns,
    # the graph's values take one feature per step (stacked 3 at a time here).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 60)).astype(np.float32)
    clf = make_classifier(window="auto").fit(X, np.arange(12) % 2)
    assert clf.n_features_in_ == 60 and clf.window_ == 3
    session = ort.InferenceSession(str(clf.export(tmp_path / "columns.onnx")))
    assert session.get_inputs()[0].shape == ["batch", "time", 1]
    probabilities, _ = session.run(
        None, {"values": X[:, :, None], "lengths": np.full(12, 60, np.int64)}
    )
    np.testing.assert_allclose(probabilities, clf.predict_proba(X), atol=ATOL)


def test_string_labels_and_tokens(cat_dog_data, token_classifier, tmp_path):
    clf = skrnn.SequenceRNNClassifier(units=4, max_iter=2, random_state=0)
    X, y = cat_dog_data
    clf.fit(X, y)
    probabilities, label = run(clf.export(tmp_path / "pets.onnx"), X)
    assert label.dtype.kind in "OU"
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(probabilities, clf.predict_proba(X), atol=ATOL)

    tokens = [np.array([1, 2, 3]), np.array([4, 5]), np.array([2, 2, 2, 1, 5, 4])]
    path = token_classifier.export(tmp_path / "tokens.onnx")
    probabilities, label = run(path, tokens, tokens=True)
    np.testing.assert_allclose(
        probabilities, token_classifier.predict_proba(tokens), atol=ATOL
    )


def test_scaler_pipeline_is_folded_into_the_graph(
    make_classifier, scales_data, tmp_path
):
    X, y = scales_data
    pipeline = make_pipeline(
        SequenceStandardScaler(), make_classifier(scaling=None, cell="gru")
    ).fit(X, y)
    path = export(pipeline, tmp_path / "pipeline.onnx")
    probabilities, label = run(path, X)
    np.testing.assert_allclose(probabilities, pipeline.predict_proba(X), atol=ATOL)
    np.testing.assert_array_equal(label, pipeline.predict(X))
    metadata = {p.key: p.value for p in onnx.load(path).metadata_props}
    assert json.loads(metadata["pipeline"]) == ["SequenceStandardScaler"]


@pytest.mark.parametrize("n_targets", [None, 2])
def test_regressor_predictions_keep_their_shape(
    make_regressor, ragged_data, tmp_path, n_targets
):
    X, _ = ragged_data
    rng = np.random.RandomState(0)
    y = rng.normal(size=len(X) if n_targets is None else (len(X), n_targets)) * 50
    reg = make_regressor(max_iter=3, pooling="mean").fit(X, y)
    (predictions,) = run(reg.export(tmp_path / "reg.onnx"), X)
    assert predictions.shape == reg.predict(X).shape
    np.testing.assert_allclose(predictions, reg.predict(X), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "params",
    [
        {"eos_label": None},
        {},
        {"bidirectional": True, "max_output_length": 12},
        {"cell": "lstm", "embedding_dim": None, "eos_label": None},
    ],
    ids=["aligned", "eos", "eos-bidirectional-longer", "numeric-aligned"],
)
def test_tagger_steps_and_labels_match_predict(make_tagger, tmp_path, params):
    rng = np.random.RandomState(0)
    X = [rng.randint(0, 5, size=n) for n in rng.randint(2, 10, size=30)]
    if params.get("eos_label", "<eos>") is None:
        Y = [np.array(["even", "odd"])[np.cumsum(x) % 2] for x in X]
    else:
        Y = [np.cumsum(x)[: 1 + i % 4] % 3 for i, x in enumerate(X)]
    tokens = params.get("embedding_dim", 4) is not None
    if not tokens:
        X = [np.eye(5)[x] for x in X]
    tagger = make_tagger(max_iter=3, **params).fit(X, Y)
    path = tagger.export(tmp_path / "tagger.onnx")
    probabilities, labels, n_labels, n_steps = run(path, X, tokens=tokens)
    expected_proba, expected = tagger.predict_proba(X), tagger.predict(X)
    for i in range(len(X)):
        assert n_steps[i] == len(expected_proba[i])
        np.testing.assert_allclose(
            probabilities[i, : n_steps[i]], expected_proba[i], atol=ATOL
        )
        np.testing.assert_array_equal(labels[i, : n_labels[i]], expected[i])


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the SavedModel export runs under TensorFlow; under JAX it says how "
    "to reach it (tests/test_backends.py)",
)
def test_saved_model_has_the_same_signature_and_outputs(
    make_classifier, make_tagger, scales_data, tmp_path
):
    import tensorflow as tf

    X, y = scales_data
    values, lengths = to_padded(X)
    pipeline = make_pipeline(SequenceStandardScaler(), make_classifier(window=2))
    pipeline.fit(X, np.array(["cat", "dog"])[y])
    path = export(pipeline, tmp_path / "served", format="tf_saved_model")
    # The loaded object owns the variables: keep it alive while serving.
    loaded = tf.saved_model.load(str(path))
    outputs = loaded.signatures["serving_default"](
        values=tf.constant(np.nan_to_num(values, nan=-5.0), tf.float32),
        lengths=tf.constant(lengths, tf.int64),
    )
    np.testing.assert_allclose(
        outputs["probabilities"].numpy(), pipeline.predict_proba(X), atol=ATOL
    )
    np.testing.assert_array_equal(
        outputs["label"].numpy().astype(str), pipeline.predict(X)
    )

    tokens = [np.array([1, 2, 3]), np.array([2, 1]), np.array([3, 3, 1, 2])] * 4
    Y = [x[: 1 + i % 3] % 2 for i, x in enumerate(tokens)]
    tagger = make_tagger(max_iter=2).fit(tokens, Y)
    path = tagger.export(tmp_path / "tagger", format="tf_saved_model")
    values, lengths = to_padded(tokens, tokens=True)
    loaded = tf.saved_model.load(str(path))
    outputs = loaded.serve(
        tf.constant(values, tf.int64), tf.constant(lengths, tf.int64)
    )
    expected = tagger.predict(tokens)
    for i, n_labels in enumerate(outputs["n_labels"].numpy()):
        np.testing.assert_array_equal(outputs["labels"][i, :n_labels], expected[i])
    with pytest.raises(FileExistsError, match="exists"):
        tagger.export(path, format="tf_saved_model")


def test_metadata_records_version_and_parameters(tiny_classifier, tmp_path):
    model = onnx.load(tiny_classifier.export(tmp_path / "model.onnx"))
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["skrnn_version"] == skrnn.__version__
    assert metadata["estimator"] == "SequenceRNNClassifier"
    assert json.loads(metadata["params"])["units"] == 4
    assert [i.name for i in model.graph.input] == ["values", "lengths"]
    assert [o.name for o in model.graph.output] == ["probabilities", "label"]


def test_what_cannot_be_exported_is_refused_before_writing(
    make_classifier, tiny_data, tiny_classifier, tmp_path
):
    target = tmp_path / "model.onnx"
    custom = make_classifier(activation=lambda x: keras.ops.tanh(x), max_iter=1)
    cases = [
        (custom.fit(*tiny_data), ValueError, "activation"),
        (make_classifier(), NotFittedError, "not fitted"),
        (
            make_pipeline(StandardScaler(), make_classifier()),
            TypeError,
            "SequenceStandardScaler",
        ),
        (StandardScaler(), TypeError, "skrnn estimator"),
    ]
    for estimator, error, message in cases:
        with pytest.raises(error, match=message):
            export(estimator, target)
    with pytest.raises(ValueError, match="format"):
        export(tiny_classifier, target, format="pmml")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export(tiny_classifier, tmp_path / "missing" / "model.onnx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_serving_needs_neither_tensorflow_nor_keras(
    tiny_classifier, tiny_data, tmp_path
):
    path = tiny_classifier.export(tmp_path / "model.onnx")
    X = tiny_data[0]
    np.save(tmp_path / "expected.npy", tiny_classifier.predict_proba(X))
    np.save(tmp_path / "X.npy", np.array(X, dtype=object), allow_pickle=True)
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import onnxruntime as ort
        from skrnn import to_padded

        X = list(np.load({str(tmp_path / "X.npy")!r}, allow_pickle=True))
        values, lengths = to_padded(X)
        session = ort.InferenceSession({str(path)!r})
        feed = {{"values": values.astype(np.float32)}}
        feed["lengths"] = lengths.astype(np.int64)
        probabilities, label = session.run(None, feed)
        expected = np.load({str(tmp_path / "expected.npy")!r})
        assert np.abs(probabilities - expected).max() < {ATOL}
        heavy = ("tensorflow", "keras")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        assert not loaded, loaded
        print("served")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "served"


@pytest.mark.parametrize("znorm", [False, True])
@pytest.mark.parametrize("tokens", [False, True])
def test_convolutional_branch_becomes_native_convolutions(
    make_classifier, ragged_data, tmp_path, monkeypatch, tokens, znorm
):
    import skrnn._network

    # Short enough, relative to the data, that the first block strides.
    monkeypatch.setattr(skrnn._network, "AUTO_CONV_STEPS", 3)
    X, y = ragged_data
    params = {
        "conv_filters": (4, 3),
        "conv_kernel_size": (3, 2),
        "conv_znorm": znorm,
        "max_iter": 3,
    }
    if tokens:
        rng = np.random.RandomState(0)
        X = [rng.randint(1, 9, size=len(x)) for x in X]
        params["embedding_dim"] = 3
    else:
        params["window"] = 2
    clf = make_classifier(**params).fit(X, y)
    assert clf.model_.get_layer("convolution_branch").stride > 1
    path = export(clf, tmp_path / "model.onnx")
    ops = [node.op_type for node in onnx.load(path).graph.node]
    assert ops.count("Conv") == 2
    assert not {"Loop", "Scan", "If", "BatchNormalization"} & set(ops)
    # With znorm the first Conv reads each feature twice (as given, and
    # standardised by its sequence).
    graph = onnx.load(path).graph
    first = next(node for node in graph.node if node.op_type == "Conv")
    kernel = next(t for t in graph.initializer if t.name == first.input[1])
    features = 3 if tokens else X[0].shape[-1]
    assert kernel.dims[1] == features * (2 if znorm else 1)
    data = X if tokens else longer(X) + X
    probabilities, label = run(path, data, tokens=tokens)
    np.testing.assert_allclose(probabilities, clf.predict_proba(data), atol=ATOL)
    np.testing.assert_array_equal(label, clf.predict(data))


def test_regressor_with_convolutional_branch(make_regressor, tmp_path):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in rng.randint(3, 12, size=30)]
    y = np.array([x[:, 0].sum() for x in X])
    reg = make_regressor(conv_filters=(3,), conv_kernel_size=3, max_iter=3).fit(X, y)
    (predictions,) = run(reg.export(tmp_path / "model.onnx"), X)
    np.testing.assert_allclose(predictions, reg.predict(X), rtol=1e-4, atol=1e-4)
