"""Saving and loading: one safe file, pickle and joblib, copies and clones."""

import copy
import hashlib
import json
import os
import pickle
import subprocess
import sys
import zipfile

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import skrnn
from skrnn import SequenceRNNClassifier, load


def rewrite(path, target, document=None, network=None):
    """Copy the saved file ``path`` to ``target``, replacing members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if document is not None:
        members["skrnn.json"] = json.dumps(document).encode()
    if network is not None:
        members["model.keras"] = network
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def document_of(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("skrnn.json"))


@pytest.mark.parametrize(
    "labels",
    [
        np.array([3, 7]),
        np.array(["cat", "dog"]),
        np.array([False, True]),
        np.array([1.0, 2.0]),
        np.array(["cat", "dog"], dtype=object),
    ],
    ids=["int", "str", "bool", "float", "object"],
)
def test_save_load_round_trips_labels_and_predictions(
    tmp_path, labels, make_classifier, persistence_data
):
    X, Y = persistence_data
    y = labels[Y]
    clf = make_classifier(units=5, max_iter=3).fit(X, y)
    path = tmp_path / "model.skrnn"
    assert clf.save(path) is clf
    loaded = skrnn.load(path)
    assert type(loaded) is SequenceRNNClassifier
    assert loaded.get_params() == clf.get_params()
    assert loaded.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.history_ == clf.history_
    assert (loaded.n_iter_, loaded.t_, loaded.n_features_in_) == (
        clf.n_iter_,
        clf.t_,
        clf.n_features_in_,
    )
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["model.keras", "skrnn.json"]
        assert not any(
            name.endswith((".pkl", ".pickle")) for name in archive.namelist()
        )


def test_loaded_estimator_keeps_training_like_the_original(
    tmp_path, persistence_classifier, persistence_data
):
    X, Y = persistence_data
    fitted = persistence_classifier
    original = copy.deepcopy(fitted)
    original.save(tmp_path / "m.skrnn")
    loaded = skrnn.load(tmp_path / "m.skrnn")
    loaded.partial_fit(X, Y)
    original.partial_fit(X, Y)
    np.testing.assert_allclose(
        loaded.predict_proba(X), original.predict_proba(X), rtol=1e-6
    )
    assert loaded.n_iter_ == original.n_iter_ == fitted.n_iter_ + 1


def test_dataframe_column_names_survive(tmp_path, make_classifier):
    frame = pd.DataFrame(
        np.random.RandomState(0).normal(size=(20, 4)), columns=list("abcd")
    )
    y = (frame["a"] > 0).astype(int)
    clf = make_classifier(units=5, max_iter=3).fit(frame, y)
    clf.save(tmp_path / "frame.skrnn")
    loaded = skrnn.load(tmp_path / "frame.skrnn")
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict(frame), clf.predict(frame))


def test_unfitted_and_non_json_parameters(tmp_path, make_classifier, persistence_data):
    X, _ = persistence_data
    clf = make_classifier(
        units=5,
        max_iter=3,
        random_state=np.random.RandomState(3),
        class_weight={0: 2.0},
    )
    clf.save(tmp_path / "unfitted.skrnn")
    loaded = skrnn.load(tmp_path / "unfitted.skrnn")
    with pytest.raises(NotFittedError):
        loaded.predict(X)
    assert loaded.class_weight == {0: 2.0}
    assert loaded.random_state.randint(1000) == np.random.RandomState(3).randint(1000)
    with pytest.warns(UserWarning, match="callbacks are code and are not saved"):
        make_classifier(
            units=5, max_iter=3, callbacks=[keras.callbacks.History()]
        ).save(tmp_path / "cb.skrnn")
    assert skrnn.load(tmp_path / "cb.skrnn").callbacks is None
    with pytest.raises(ValueError, match="Cannot save parameter activation"):
        make_classifier(units=5, max_iter=3, activation=np.tanh).save(
            tmp_path / "fn.skrnn"
        )
    assert not (tmp_path / "fn.skrnn").exists()


def test_stored_code_is_refused_and_never_run(
    tmp_path, persistence_classifier, monkeypatch
):
    persistence_classifier.save(tmp_path / "good.skrnn")
    marker = tmp_path / "ran"
    monkeypatch.setenv("SKRNN_TEST_MARKER", str(marker))
    inputs = keras.Input((None, 3))
    hidden = keras.layers.Lambda(
        lambda t: t * 2 + (open(os.environ["SKRNN_TEST_MARKER"], "w") and 0)
    )(inputs)
    evil = keras.Model(inputs, hidden)
    evil.save(tmp_path / "evil.keras")
    network = (tmp_path / "evil.keras").read_bytes()
    marker.unlink(missing_ok=True)
    document = document_of(tmp_path / "good.skrnn")
    document["model_sha256"] = hashlib.sha256(network).hexdigest()
    bad = rewrite(tmp_path / "good.skrnn", tmp_path / "bad.skrnn", document, network)
    with pytest.raises(ValueError, match="safe mode"):
        skrnn.load(bad)
    assert not marker.exists()


def test_tampered_files_are_refused(tmp_path, persistence_classifier):
    good = tmp_path / "good.skrnn"
    persistence_classifier.save(good)
    altered = rewrite(good, tmp_path / "altered.skrnn", network=b"PK not a model")
    with pytest.raises(ValueError, match="altered after saving"):
        skrnn.load(altered)
    document = document_of(good)
    document["estimator"] = "os.system"
    with pytest.raises(ValueError, match="only SequenceRNNClassifier"):
        skrnn.load(rewrite(good, tmp_path / "class.skrnn", document))
    document = document_of(good)
    document["fitted"]["__class__"] = "x"
    with pytest.raises(ValueError, match="unexpected attributes"):
        skrnn.load(rewrite(good, tmp_path / "attr.skrnn", document))
    document = document_of(good)
    document["params"]["units"] = -4
    with pytest.raises(ValueError, match="parameters are not valid"):
        skrnn.load(rewrite(good, tmp_path / "param.skrnn", document))


def test_network_saved_before_the_branch_existed_loads_without_it(
    tmp_path, make_classifier, persistence_data
):
    X, y = persistence_data
    clf = make_classifier(conv_filters=None).fit(X, y)
    clf.save(tmp_path / "new.skrnn")
    document = document_of(tmp_path / "new.skrnn")
    for name in ("conv_filters", "conv_kernel_size", "conv_znorm", "summary_dropout"):
        del document["params"][name]
    loaded = skrnn.load(
        rewrite(tmp_path / "new.skrnn", tmp_path / "old.skrnn", document)
    )
    assert loaded.get_params()["conv_filters"] is None
    assert loaded.get_params()["conv_znorm"] is False
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # An unfitted estimator's file keeps today's default.
    make_classifier().save(tmp_path / "unfitted.skrnn")
    document = document_of(tmp_path / "unfitted.skrnn")
    del document["params"]["conv_filters"]
    unfitted = skrnn.load(
        rewrite(tmp_path / "unfitted.skrnn", tmp_path / "old-unfitted.skrnn", document)
    )
    assert unfitted.get_params()["conv_filters"] == (32, 64, 32)


def test_newer_format_refused_other_versions_warn(
    tmp_path, persistence_classifier, persistence_data
):
    X, _ = persistence_data
    good = tmp_path / "good.skrnn"
    persistence_classifier.save(good)
    document = document_of(good)
    document["format_version"] = 99
    with pytest.raises(ValueError, match="format version 99, newer.*Upgrade skrnn"):
        skrnn.load(rewrite(good, tmp_path / "new.skrnn", document))
    document = document_of(good)
    document["versions"]["keras"] = "2.0.0"
    with pytest.warns(skrnn.InconsistentVersionWarning, match="keras 2.0.0"):
        loaded = skrnn.load(rewrite(good, tmp_path / "old.skrnn", document))
    np.testing.assert_array_equal(loaded.predict(X), persistence_classifier.predict(X))


def test_interrupted_save_keeps_the_previous_file(
    tmp_path, persistence_classifier, persistence_data, make_classifier, monkeypatch
):
    X, Y = persistence_data
    fitted = persistence_classifier
    path = tmp_path / "model.skrnn"
    make_classifier(units=5, max_iter=1).fit(X, Y).save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        fitted.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skrnn"]
    fitted.save(path)
    np.testing.assert_array_equal(skrnn.load(path).predict(X), fitted.predict(X))


# Draws ``persistence_data`` again (n=30, seed=4).
FRESH_PROCESS = """
import pickle, sys
import joblib, numpy as np
from conftest import make_ragged
X, _ = make_ragged(n=30, seed=4)
with open(sys.argv[1], "rb") as stream:
    fitted = pickle.load(stream)
unfitted = joblib.load(sys.argv[2])
from_joblib = joblib.load(sys.argv[3])
np.save(sys.argv[4], np.stack([fitted.predict_proba(X), from_joblib.predict_proba(X)]))
print(unfitted.get_params()["units"], hasattr(unfitted, "model_"))
"""


@pytest.mark.slow
def test_pickle_and_joblib_in_this_process_and_a_fresh_one(
    tmp_path, persistence_classifier, persistence_data, make_classifier, cat_dog_data
):
    # In this process.
    X_pets, labels = cat_dog_data
    clf = make_classifier().fit(X_pets, labels)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        loaded.predict_proba(X_pets), clf.predict_proba(X_pets)
    )
    unfitted = pickle.loads(pickle.dumps(make_classifier(cell="lstm")))
    assert unfitted.get_params() == make_classifier(cell="lstm").get_params()
    # In a fresh process.
    X, _ = persistence_data
    fitted = persistence_classifier
    with open(tmp_path / "fitted.pkl", "wb") as stream:
        pickle.dump(fitted, stream)
    joblib.dump(make_classifier(units=9, max_iter=3), tmp_path / "unfitted.joblib")
    joblib.dump(fitted, tmp_path / "fitted.joblib")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS]
        + [str(tmp_path / name) for name in ("fitted.pkl", "unfitted.joblib")]
        + [str(tmp_path / "fitted.joblib"), str(tmp_path / "proba.npy")],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.path.dirname(__file__),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["9", "False"]
    both = np.load(tmp_path / "proba.npy")
    np.testing.assert_array_equal(both[0], fitted.predict_proba(X))
    np.testing.assert_array_equal(both[1], fitted.predict_proba(X))


def test_deepcopy_is_independent_and_clone_is_unfitted(
    persistence_classifier, persistence_data, make_classifier, cat_dog_data
):
    X, Y = persistence_data
    fitted = persistence_classifier
    twin = copy.deepcopy(fitted)
    assert twin.model_ is not fitted.model_
    before = fitted.predict_proba(X)
    np.testing.assert_array_equal(twin.predict_proba(X), before)
    twin.partial_fit(X, Y)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)
    # Clones of this model and of a GRU one: same parameters, nothing fitted.
    gru = make_classifier(cell="gru").fit(*cat_dog_data)
    for original in (fitted, gru):
        fresh = clone(original)
        assert fresh.get_params() == original.get_params()
        assert not hasattr(fresh, "model_") and not hasattr(fresh, "classes_")


def test_scaling_statistics_survive_save_load_and_pickle(
    make_classifier, tmp_path, scales_data
):
    X_scales, y_scales = scales_data
    clf = make_classifier(max_iter=3, scaling="feature", window=2, pooling="mean").fit(
        X_scales, y_scales
    )
    path = tmp_path / "model.skrnn"
    clf.save(path)
    for restored in (load(path), pickle.loads(pickle.dumps(clf))):
        np.testing.assert_array_equal(restored.feature_mean_, clf.feature_mean_)
        np.testing.assert_array_equal(restored.feature_scale_, clf.feature_scale_)
        assert restored.window_ == 2
        np.testing.assert_allclose(
            restored.predict_proba(X_scales), clf.predict_proba(X_scales)
        )
