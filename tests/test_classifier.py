"""SequenceRNNClassifier: labels, class weights, and scikit-learn's tools on it."""

import numpy as np
import pytest
from conftest import make_ragged, pad
from sklearn import config_context
from sklearn.base import is_classifier
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import SequenceRNNClassifier


def test_is_a_classifier_and_grid_search_stratifies(make_classifier, cat_dog_data):
    _, labels = cat_dog_data
    assert is_classifier(make_classifier())
    assert isinstance(
        check_cv(3, labels, classifier=is_classifier(make_classifier())),
        StratifiedKFold,
    )


# Each kind of label, built from the "cat"/"dog" labels of ``cat_dog_data``.
LABEL_KINDS = {
    "strings": lambda labels: labels,
    "bools": lambda labels: labels == "dog",
    "ints": lambda labels: np.array([-3, 7, 11])[np.arange(len(labels)) % 3],
    "four classes": lambda labels: np.array(["a", "b", "c", "d"])[
        np.arange(len(labels)) % 4
    ],
}


@pytest.mark.parametrize("kind", LABEL_KINDS, ids=list(LABEL_KINDS))
def test_labels_of_any_type(kind, make_classifier, cat_dog_data):
    X, cat_dog = cat_dog_data
    labels = LABEL_KINDS[kind](cat_dog)
    clf = make_classifier().fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X)
    assert pred.dtype == labels.dtype and set(pred) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (30, len(np.unique(labels)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)


@pytest.mark.slow
def test_learns_a_simple_rule():
    X, y = make_ragged(n=300, seed=2)
    clf = SequenceRNNClassifier(
        units=16, max_iter=30, learning_rate_init=0.01, random_state=0
    )
    assert clf.fit(X[:200], y[:200]).score(X[200:], y[200:]) >= 0.9


def test_pipeline_with_scaler_on_2d_sequences(make_classifier):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6)) * 100 + 50
    y = (X[:, -1] > 50).astype(int)
    pipe = make_pipeline(StandardScaler(), make_classifier())
    assert pipe.fit(X, y).predict(X).shape == (40,)


def test_grid_search(make_classifier, cat_dog_data):
    # Searches in worker processes: test_scale_out.py.
    X, labels = cat_dog_data
    search = GridSearchCV(make_classifier(), {"cell": ["simple", "gru"]}, cv=3)
    search.fit(X, labels)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["cell"] in ("simple", "gru")
    assert search.predict(X[:5]).shape == (5,)


def test_cross_val_score(make_classifier, cat_dog_data):
    scores = cross_val_score(make_classifier(), *cat_dog_data, cv=3)
    assert scores.shape == (3,) and ((scores >= 0) & (scores <= 1)).all()


def test_metadata_routing_of_sequence_length(make_classifier, cat_dog_data):
    X, labels = cat_dog_data
    lengths = np.array([len(x) for x in X])
    # Values past each sequence's length are noise: only routing hides them.
    padded = pad(X, value=0.0) + 5 * np.isnan(pad(X))
    reference = make_classifier().fit(X, labels)
    with config_context(enable_metadata_routing=True):
        routed = (
            make_classifier()
            .set_fit_request(sequence_length=True)
            .set_predict_request(sequence_length=True)
            .set_predict_proba_request(sequence_length=True)
            .set_score_request(sequence_length=True, sample_weight=False)
        )
        pipe = make_pipeline(routed)
        pipe.fit(padded, labels, sequence_length=lengths)
        np.testing.assert_allclose(
            pipe.predict_proba(padded, sequence_length=lengths),
            reference.predict_proba(X),
            rtol=1e-10,
        )
        grid = {"units": [3, 6]}
        search = GridSearchCV(routed, grid, cv=2).fit(
            padded, labels, sequence_length=lengths
        )
    plain = GridSearchCV(make_classifier(), grid, cv=2).fit(X, labels)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )


def test_y_length_mismatch(make_classifier, tiny_data):
    X, y = tiny_data
    with pytest.raises(ValueError, match="X has 12 sequences but y has 11 labels"):
        make_classifier(units=4, max_iter=2).fit(X, y[:-1])


def test_single_class(make_classifier, tiny_data):
    X, _ = tiny_data
    with pytest.raises(ValueError, match="only one class is present.* 1 class"):
        make_classifier(units=4, max_iter=2).fit(X, np.zeros(len(X)))


def test_continuous_y(make_classifier, tiny_data):
    X, _ = tiny_data
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        make_classifier(units=4, max_iter=2).fit(X, np.linspace(0, 1, len(X)))


def test_multilabel_y(make_classifier, tiny_data):
    X, y = tiny_data
    with pytest.raises(ValueError, match="binary and multiclass targets"):
        make_classifier(units=4, max_iter=2).fit(X, np.eye(2)[y])


def test_class_weight_balanced_changes_the_decision(make_classifier):
    rng = np.random.RandomState(0)
    n = 200
    y = (rng.uniform(size=n) < 0.15).astype(int)
    X_imb = [rng.normal(loc=0.7 * label, size=(5, 2)) for label in y]
    # A network that cannot memorise these 200 overlapping sequences (the
    # convolutional branch does), so the weights decide where the boundary is.
    params = {"max_iter": 40, "learning_rate_init": 0.01, "conv_filters": None}
    plain = make_classifier(**params).fit(X_imb, y)
    balanced = make_classifier(**params, class_weight="balanced")
    balanced.fit(X_imb, y)
    # The rare class gains weight: its sequences get more of its probability,
    # and at least as many of them are recalled.
    minority_plain = plain.predict_proba(X_imb)[y == 1, 1].mean()
    minority_balanced = balanced.predict_proba(X_imb)[y == 1, 1].mean()
    assert minority_balanced > minority_plain + 0.1
    recall_plain = (plain.predict(X_imb)[y == 1] == 1).mean()
    recall_balanced = (balanced.predict(X_imb)[y == 1] == 1).mean()
    assert recall_balanced >= recall_plain


def test_class_weight_dict_is_keyed_by_label(make_classifier, training_data):
    X, Y = training_data
    labels = np.array(["no", "yes"])[Y]
    by_class = make_classifier(class_weight={"yes": 3.0}).fit(X, labels)
    by_sample = make_classifier().fit(
        X, labels, sample_weight=np.where(labels == "yes", 3, 1)
    )
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    with pytest.raises(ValueError, match=r"class_weight has labels \['maybe'\]"):
        make_classifier(class_weight={"maybe": 2.0}).fit(X, labels)
    with pytest.raises(ValueError, match="partial_fit does not support it"):
        make_classifier(class_weight="balanced").partial_fit(
            X, labels, classes=["no", "yes"]
        )
