"""SequenceStandardScaler: statistics over real steps, output in the input's form."""

import numpy as np
import pytest
from conftest import make_ragged, pad
from sklearn import config_context
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skrnn import SequenceRNNClassifier, SequenceStandardScaler

X, Y = make_ragged(n=30, seed=4)
X = [x * [100.0, 1.0, 0.01] + [50.0, 0.0, -3.0] for x in X]


def test_statistics_use_real_steps_only():
    scaler = SequenceStandardScaler().fit(pad(X))
    steps = np.vstack(X)
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, steps.std(axis=0))
    assert scaler.n_samples_seen_ == len(steps)


def test_ragged_stays_ragged_and_padding_stays_padding():
    scaler = SequenceStandardScaler().fit(X)
    ragged = scaler.transform(X)
    assert [r.shape for r in ragged] == [x.shape for x in X]
    steps = np.vstack(ragged)
    np.testing.assert_allclose(steps.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(steps.std(axis=0), 1.0)
    padded = scaler.transform(pad(X, width=12))
    assert padded.shape == (30, 12, 3)
    np.testing.assert_array_equal(np.isnan(padded), np.isnan(pad(X, width=12)))
    np.testing.assert_allclose(padded, pad(ragged, width=12))
    pre = SequenceStandardScaler(padding="pre").fit(pad(X, side="pre"))
    np.testing.assert_allclose(
        pre.transform(pad(X, side="pre")), pad(ragged, side="pre")
    )


def test_univariate_items_keep_their_shape():
    items = [np.array([1.0, 2.0, 3.0]), np.array([4.0])]
    out = SequenceStandardScaler().fit_transform(items)
    assert [o.shape for o in out] == [(3,), (1,)]
    np.testing.assert_allclose(np.concatenate(out).mean(), 0.0, atol=1e-12)


def test_eos_and_after_are_neither_counted_nor_changed():
    items = [np.array([[1.0], [3.0], [-9.0], [1000.0]]), np.array([[5.0], [7.0]])]
    scaler = SequenceStandardScaler(eos_value=-9.0).fit(items)
    np.testing.assert_allclose(scaler.mean_, [4.0])
    out = scaler.transform(items)
    assert out[0][2, 0] == -9.0 and out[0][3, 0] == 1000.0


def test_zero_padding_with_mask_value():
    padded = pad(X, value=0.0)
    scaler = SequenceStandardScaler(mask_value=0.0).fit(padded)
    np.testing.assert_allclose(scaler.mean_, np.vstack(X).mean(axis=0))
    out = scaler.transform(padded)
    assert (out[np.isnan(pad(X))] == 0.0).all()


def test_inverse_transform_and_float32():
    scaler = SequenceStandardScaler().fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    for a, b in zip(back, X, strict=True):
        np.testing.assert_allclose(a, b)
    as32 = pad(X).astype(np.float32)
    assert scaler.transform(as32).dtype == np.float32
    # A list of equal-length float32 sequences keeps their precision too.
    assert np.asarray(scaler.transform(list(as32))).dtype == np.float32


def test_sequence_length_and_errors():
    garbage = pad(X, value=1e6)
    lengths = [len(x) for x in X]
    scaler = SequenceStandardScaler().fit(garbage, sequence_length=lengths)
    np.testing.assert_allclose(scaler.mean_, np.vstack(X).mean(axis=0))
    out = scaler.transform(garbage, sequence_length=lengths)
    assert out[0, lengths[0] :].max() == 1e6
    with pytest.raises(ValueError, match="X has 2 features per step"):
        scaler.transform([x[:, :2] for x in X])
    with pytest.raises(ValueError, match="NaN or inf"):
        SequenceStandardScaler().fit([np.array([1.0, np.nan, 2.0]), np.ones(2)])


def test_pipeline_and_grid_search_with_classifier():
    pipe = make_pipeline(
        SequenceStandardScaler(),
        SequenceRNNClassifier(units=4, max_iter=3, random_state=0),
    )
    search = GridSearchCV(
        pipe, {"sequencernnclassifier__cell": ["simple", "gru"]}, cv=2
    )
    search.fit(X, Y)
    assert search.predict(X[:4]).shape == (4,)
    lengths = np.array([len(x) for x in X])
    with config_context(enable_metadata_routing=True):
        routed = make_pipeline(
            SequenceStandardScaler()
            .set_fit_request(sequence_length=True)
            .set_transform_request(sequence_length=True),
            SequenceRNNClassifier(units=4, max_iter=3, random_state=0)
            .set_fit_request(sequence_length=True)
            .set_predict_proba_request(sequence_length=True),
        )
        routed.fit(pad(X, value=0.0), Y, sequence_length=lengths)
        got = routed.predict_proba(pad(X, value=0.0), sequence_length=lengths)
    plain = make_pipeline(
        SequenceStandardScaler(),
        SequenceRNNClassifier(units=4, max_iter=3, random_state=0),
    ).fit(X, Y)
    np.testing.assert_allclose(got, plain.predict_proba(X), rtol=1e-10)


def test_pandas_output_keeps_columns_and_index():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        np.random.RandomState(0).normal(size=(6, 4)),
        columns=["t0", "t1", "t2", "t3"],
        index=[10, 11, 12, 13, 14, 15],
    )
    scaler = SequenceStandardScaler().set_output(transform="pandas")
    out = scaler.fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(frame.columns)
    assert list(out.index) == list(frame.index)
    np.testing.assert_allclose(
        out.to_numpy(), SequenceStandardScaler().fit_transform(frame.to_numpy())
    )
    assert list(scaler.get_feature_names_out()) == list(frame.columns)


def test_pandas_output_refuses_3d_and_ragged_input():
    pytest.importorskip("pandas")
    for data in (X, pad(X)):
        scaler = SequenceStandardScaler().set_output(transform="pandas")
        with pytest.raises(ValueError, match="needs 2-D input.*no table form"):
            scaler.fit_transform(data)
