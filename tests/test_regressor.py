"""SequenceRNNRegressor: targets per sequence, on the shared base."""

import numpy as np
import pytest
from sklearn.base import is_regressor
from sklearn.model_selection import GridSearchCV, cross_val_score

import skrnn
from skrnn import SequenceRNNRegressor

rng = np.random.RandomState(0)
X = [
    rng.uniform(-1, 1, size=(n, 2)).astype(np.float32) for n in rng.randint(3, 12, 250)
]
Y2 = np.array([[seq[:, 0].mean(), len(seq) / 10] for seq in X])


@pytest.mark.slow
def test_learns_a_mean_and_a_length(make_regressor):
    reg = make_regressor().fit(X[:200], Y2[:200, 0])
    assert is_regressor(reg)
    assert reg.predict(X[200:]).shape == (50,)
    assert reg.score(X[200:], Y2[200:, 0]) > 0.8
    multi = make_regressor().fit(X[:200], Y2[:200])
    assert multi.n_outputs_ == 2
    assert multi.predict(X[200:]).shape == (50, 2)
    assert multi.score(X[200:], Y2[200:]) > 0.8


def test_column_target_keeps_its_shape_and_values(make_regressor):
    flat = make_regressor(max_iter=3).fit(X, Y2[:, 0])
    column = make_regressor(max_iter=3).fit(X, Y2[:, :1])
    assert column.predict(X).shape == (250, 1)
    np.testing.assert_array_equal(column.predict(X)[:, 0], flat.predict(X))


def test_early_stopping_monitors_validation_r2(make_regressor):
    reg = make_regressor(early_stopping=True, n_iter_no_change=3, max_iter=30).fit(
        X, Y2
    )
    assert set(reg.history_) == {"loss", "val_loss", "val_r2"}
    assert reg.validation_scores_ == reg.history_["val_r2"]
    assert reg.best_validation_score_ == max(reg.validation_scores_)


def test_early_stopping_auto_holds_out_only_enough_sequences(make_regressor):
    # The regressor's default: a validation share of at least 5 sequences.
    assert SequenceRNNRegressor().early_stopping == "auto"
    auto = {"early_stopping": "auto"}
    reg = make_regressor(n_iter_no_change=3, max_iter=30, **auto).fit(X[:50], Y2[:50])
    assert reg.validation_scores_ == reg.history_["val_r2"]
    assert reg.best_loss_ is None
    few = make_regressor(max_iter=3, **auto).fit(X[:40], Y2[:40])
    assert few.validation_scores_ is None and few.best_loss_ == min(few.loss_curve_)
    assert "val_r2" not in few.history_
    # A larger share holds out 5 of 40; partial_fit never holds out.
    share = make_regressor(max_iter=3, validation_fraction=0.125, **auto)
    assert share.fit(X[:40], Y2[:40]).validation_scores_ is not None
    partial = make_regressor(**auto).partial_fit(X[:50], Y2[:50])
    assert partial.validation_scores_ is None and partial.n_iter_ == 1


def test_refuses_bad_targets(make_regressor):
    with pytest.raises(ValueError, match="X has 250 sequences but y has 3"):
        make_regressor().fit(X, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN"):
        make_regressor().fit(X, np.full(250, np.nan))
    reg = make_regressor(max_iter=1, warm_start=True).fit(X, Y2)
    with pytest.raises(ValueError, match="has 1 targets per sequence but the network"):
        reg.fit(X, Y2[:, 0])


def test_grid_search_cross_val_and_save(tmp_path, make_regressor):
    search = GridSearchCV(make_regressor(max_iter=5), {"units": [4, 8]}, cv=2).fit(
        X, Y2[:, 0]
    )
    assert search.best_params_["units"] in (4, 8)
    assert cross_val_score(make_regressor(max_iter=3), X, Y2[:, 0], cv=2).shape == (2,)
    reg = make_regressor(max_iter=3).fit(X, Y2[:, :1])
    reg.save(tmp_path / "reg.skrnn")
    loaded = skrnn.load(tmp_path / "reg.skrnn")
    assert type(loaded) is SequenceRNNRegressor
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
