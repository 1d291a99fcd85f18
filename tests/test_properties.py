"""Property-based tests: every way of writing the same sequences means the same.

Hypothesis draws ragged sequences and rewrites them in the input forms of the
README's "Input conventions" (ragged list, NaN- or mask-padded arrays on either
side, padded arrays with ``sequence_length``, EOS markers followed by junk,
``maxlen`` truncation, token ids). ``to_padded`` must give back exactly the real
steps, and one small fitted network per configuration must give the same
probabilities for every form. Malformed input must be refused with a
ValueError/TypeError naming the sequence at fault, before the network runs.
"""

import copy
import re

import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrnn import SequenceRNNClassifier
from skrnn._sequences import to_padded

N_FEATURES = 3  # features per step of the fitted networks
MAX_LEN = 40
RTOL, ATOL = 1e-6, 1e-7
FLOAT_EOS = -50.0  # outside the generated data's range [-10, 10]
TOKEN_EOS = 9  # a token that also occurs in the data: the first one ends it
MASK_VALUES = (0.0, -1.0, 2.5, 99.0, -1e4)  # numeric padding values
OUTSIDE_DATA = (-99.0, 1e4)  # padding values no generated step can equal
METHODS = ("predict", "predict_proba", "predict_log_proba")
SIDES = st.sampled_from(["post", "pre"])
SOMETIMES = st.sampled_from([False, False, True])  # EOS, maxlen: one form in 3

# No network, so many more examples (4x the profile's: 100 under "ci").
MORE_EXAMPLES = settings(max_examples=4 * settings.default.max_examples)


# ------------------------------------------------------------------ strategies


def _width(dtype):
    return np.dtype(dtype).itemsize * 8


@st.composite
def float_sequences(draw, n_features=None, min_size=1, max_size=6):
    """Ragged (length, n_features) float32 or float64 sequences in [-10, 10]."""
    if n_features is None:
        n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    elements = st.floats(-10, 10, width=_width(dtype))
    lengths = draw(
        st.lists(st.integers(1, MAX_LEN), min_size=min_size, max_size=max_size)
    )
    return [
        draw(hnp.arrays(dtype, (length, n_features), elements=elements))
        for length in lengths
    ]


@st.composite
def float_case(draw, n_features=None):
    """Sequences and a numeric mask value that is never a sequence's first or
    last step, but may be an inside step (where it is data)."""
    seqs = draw(float_sequences(n_features))
    mask = draw(st.sampled_from(MASK_VALUES))
    out = []
    for seq in seqs:
        seq = np.where(seq == mask, seq.dtype.type(mask + 0.5), seq)
        if len(seq) >= 3:
            inside = draw(st.sets(st.integers(1, len(seq) - 2), max_size=3))
            seq[sorted(inside)] = mask
        out.append(seq)
    return out, mask


@st.composite
def token_sequences(draw, min_size=1, max_size=6):
    """Ragged 1-D sequences of token ids 1..9 (ints, or floats holding ids)."""
    dtype = draw(st.sampled_from([np.int32, np.int64, np.float64]))
    lengths = draw(
        st.lists(st.integers(1, MAX_LEN), min_size=min_size, max_size=max_size)
    )
    return [
        draw(hnp.arrays(dtype, length, elements=st.integers(1, 9)))
        for length in lengths
    ]


def junk(dtype, shape):
    """Arbitrary steps: any float (NaN and inf included), or any int."""
    if np.dtype(dtype).kind == "f":
        return hnp.arrays(dtype, shape, elements=st.floats(width=_width(dtype)))
    return hnp.arrays(np.int64, shape, elements=st.integers(-5, 2**40))


def place(seqs, canvas, side):
    """Write each sequence into its row of ``canvas`` at the non-padding side."""
    out = canvas.copy()
    width = out.shape[1]
    for i, seq in enumerate(seqs):
        if side == "post":
            out[i, : len(seq)] = seq
        else:
            out[i, width - len(seq) :] = seq
    return out


def padded(seqs, width, fill, side, dtype=None):
    """Pad sequences to ``width`` steps with the value ``fill``."""
    dtype = dtype or np.result_type(*seqs)
    shape = (len(seqs), width) + np.shape(seqs[0])[1:]
    return place(seqs, np.full(shape, fill, dtype=dtype), side)


def cut_at_eos(seq, eos):
    """The steps up to and including the first EOS step."""
    hit = seq == eos
    if hit.ndim == 2:
        hit = hit.all(axis=1)
    return seq[: np.argmax(hit) + 1] if hit.any() else seq


def truncated(seqs, maxlen, truncating):
    return [s[-maxlen:] if truncating == "pre" else s[:maxlen] for s in seqs]


@st.composite
def written(draw, seqs, mask=None, tokens=False):
    """Rewrite ragged ``seqs`` in a drawn input form.

    Returns ``(name, params, X, kwargs, expected)``: reading ``X`` with the
    estimator/``to_padded`` parameters ``params`` and the call arguments
    ``kwargs`` means the ragged sequences ``expected``.
    """
    params, kwargs, name = {}, {}, []
    steps = list(seqs)
    if draw(SOMETIMES, label="eos"):
        eos = TOKEN_EOS if tokens else FLOAT_EOS
        params["eos_value"] = eos
        steps = []
        for seq in seqs:
            marker = np.full((1,) + seq.shape[1:], eos, dtype=seq.dtype)
            tail = draw(junk(seq.dtype, (draw(st.integers(0, 5)),) + seq.shape[1:]))
            steps.append(np.concatenate([seq, marker, tail.astype(seq.dtype)]))
        expected = [cut_at_eos(s, eos) for s in steps]
        name.append("eos + junk")
    else:
        expected = list(seqs)
    if draw(SOMETIMES, label="maxlen"):
        maxlen = draw(st.integers(1, MAX_LEN + 6))
        truncating = draw(st.sampled_from(["pre", "post"]))
        params.update(maxlen=maxlen, truncating=truncating)
        expected = truncated(expected, maxlen, truncating)
        name.append(f"maxlen={maxlen} truncating={truncating}")
    layout = draw(st.sampled_from(["list", "padded", "sequence_length"]))
    if layout == "list":
        if draw(st.booleans(), label="tuple"):
            X, layout = tuple(steps), "tuple"
        else:
            X = steps
    else:
        side = draw(SIDES)
        params["padding"] = side
        width = max(len(s) for s in steps) + draw(st.integers(0, 5))
        dtype = np.result_type(*steps)
        if layout == "padded":
            if tokens:
                fills = [(0, None), (-1, -1), (np.nan, np.nan)]
            else:
                fills = [(np.nan, None), (mask, mask)]
            fill, mask_value = draw(st.sampled_from(fills))
            if mask_value is not None:
                params["mask_value"] = mask_value
            if np.isnan(fill):
                dtype = np.result_type(dtype, np.float32)
            X = padded(steps, width, fill, side, dtype)
            layout = f"padded with {fill!r}"
        else:
            shape = (len(steps), width) + steps[0].shape[1:]
            X = place(steps, draw(junk(dtype, shape)), side)
            container = draw(
                st.sampled_from([list, np.int32, np.int64, np.float64]), label="lengths"
            )
            lengths = [len(s) for s in steps]
            kwargs["sequence_length"] = (
                lengths if container is list else np.array(lengths, dtype=container)
            )
            layout = "junk + sequence_length"
        layout = f"{side}-{layout}"
    return " / ".join([layout, *name]), params, X, kwargs, expected


# ------------------------------------------------------------- fitted networks


def _training_data(tokens):
    rng = np.random.RandomState(0)
    lengths = rng.randint(2, 9, size=12)
    if tokens:
        X = [rng.randint(1, 10, size=n) for n in lengths]
        X[0][0] = 9  # every id 0..9 is then in the vocabulary
    else:
        X = [rng.uniform(-3, 3, size=(n, N_FEATURES)) for n in lengths]
    return X, np.arange(12) % 2


def _small(**params):
    return SequenceRNNClassifier(units=4, max_iter=2, random_state=0, **params)


CONFIGS = {
    "unidirectional": ({}, False),
    "bidirectional": ({"bidirectional": True}, False),
    "tokens": ({"embedding_dim": 3}, True),
}


@pytest.fixture(scope="module")
def networks():
    """Fitted networks by configuration name, each fitted once, on first use."""
    cache = {}

    def get(name):
        if name not in cache:
            params, tokens = CONFIGS[name]
            cache[name] = _small(**params).fit(*_training_data(tokens))
        return cache[name]

    return get


@pytest.fixture(scope="module", params=["unidirectional", "bidirectional"])
def fitted(networks, request):
    """A tiny float64 network on 3 features; bidirectional also reads the end."""
    return networks(request.param)


@pytest.fixture(scope="module")
def plain(networks):
    """The unidirectional network, for checks that must stop before it runs."""
    return networks("unidirectional")


@pytest.fixture(scope="module")
def fitted_tokens(networks):
    """A tiny network on token ids 0..9 through an Embedding."""
    return networks("tokens")


def with_params(clf, **params):
    """A shallow copy sharing the fitted network, reading input with ``params``."""
    return copy.copy(clf).set_params(**params)


def assert_same(got, want, name=""):
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=name)


# --------------------------------------------------------- to_padded round trip


def assert_canonical(values, lengths, expected, dtype):
    """values/lengths are the right-padded canonical form of ``expected``."""
    assert lengths.dtype == np.int32
    np.testing.assert_array_equal(lengths, [len(e) for e in expected])
    assert values.dtype == dtype
    assert values.shape[:2] == (len(expected), max(len(e) for e in expected))
    for i, seq in enumerate(expected):
        real = values[i, : len(seq)]
        np.testing.assert_array_equal(real, np.reshape(seq, real.shape))
        assert not values[i, len(seq) :].any(), "steps past the length must be 0"


def squeezed(X):
    """The univariate form: 1-D items, or a 2-D array (n, n_timesteps)."""
    if isinstance(X, (list, tuple)):
        return type(X)(x[:, 0] for x in X)
    return X[:, :, 0]


@MORE_EXAMPLES
@given(data=st.data())
def test_to_padded_returns_exactly_the_real_steps(data):
    """Every numeric form of the same sequences gives the same canonical form,
    and reading it leaves the caller's arrays as they were."""
    seqs, mask = data.draw(float_case())
    for _ in range(3):
        name, params, X, kwargs, expected = data.draw(written(seqs, mask))
        if seqs[0].shape[1] == 1 and data.draw(st.booleans(), label="univariate"):
            X = squeezed(X)
        note(name)
        before = copy.deepcopy(X)
        values, lengths = to_padded(X, **params, **kwargs)
        assert_canonical(values, lengths, expected, seqs[0].dtype)
        for got, was in zip(X, before, strict=True):
            np.testing.assert_array_equal(got, was)


@MORE_EXAMPLES
@given(data=st.data())
def test_to_padded_returns_exactly_the_real_token_ids(data):
    """Every token form of the same sequences gives the same int32 ids."""
    seqs = data.draw(token_sequences())
    for _ in range(3):
        name, params, X, kwargs, expected = data.draw(written(seqs, tokens=True))
        note(name)
        values, lengths = to_padded(X, tokens=True, **params, **kwargs)
        assert values.ndim == 2
        assert_canonical(values, lengths, expected, np.int32)


# ------------------------------------------------------------- network forms


@given(data=st.data())
def test_every_form_gives_the_same_probabilities(fitted, data):
    """A form's probabilities equal those of the ragged sequences it means."""
    seqs, mask = data.draw(float_case(N_FEATURES))
    for _ in range(3):
        name, params, X, kwargs, expected = data.draw(written(seqs, mask))
        got = with_params(fitted, **params).predict_proba(X, **kwargs)
        assert_same(got, fitted.predict_proba(expected), name)


@given(data=st.data())
def test_every_token_form_gives_the_same_probabilities(fitted_tokens, data):
    """Same, for token ids read through the Embedding."""
    seqs = data.draw(token_sequences())
    for _ in range(3):
        name, params, X, kwargs, expected = data.draw(written(seqs, tokens=True))
        got = with_params(fitted_tokens, **params).predict_proba(X, **kwargs)
        assert_same(got, fitted_tokens.predict_proba(expected), name)


@given(data=st.data())
def test_more_padding_never_changes_a_prediction(fitted, data):
    """Extra padding steps (or junk past sequence_length) change nothing."""
    seqs, mask = data.draw(float_case(N_FEATURES))
    side = data.draw(SIDES)
    fill = data.draw(st.sampled_from(["nan", "mask", "junk"]))
    longest = max(len(s) for s in seqs)
    widths = (longest, longest + data.draw(st.integers(1, 40)))
    reader = with_params(fitted, padding=side)
    kwargs = {}
    if fill == "junk":
        kwargs["sequence_length"] = [len(s) for s in seqs]
        shape = (len(seqs), widths[1], N_FEATURES)
        wide = place(seqs, data.draw(junk(seqs[0].dtype, shape)), side)
        start = widths[1] - widths[0] if side == "pre" else 0
        forms = [wide[:, start : start + widths[0]], wide]
    else:
        value = np.nan if fill == "nan" else mask
        if fill == "mask":
            reader.set_params(mask_value=mask)
        forms = [padded(seqs, width, value, side) for width in widths]
    tight, wide = (reader.predict_proba(X, **kwargs) for X in forms)
    assert_same(wide, tight, f"{side}-{fill}, widths {widths}")
    assert_same(tight, fitted.predict_proba(seqs), f"{side}-{fill} vs ragged")


@given(data=st.data())
def test_a_prediction_does_not_depend_on_the_rest_of_the_batch(fitted, data):
    """A sequence's probabilities are the same alone or among any others."""
    (seq,) = data.draw(float_sequences(N_FEATURES, min_size=1, max_size=1))
    others = data.draw(float_sequences(N_FEATURES, min_size=0, max_size=6))
    k = data.draw(st.integers(0, len(others)), label="position")
    batch = others[:k] + [seq] + others[k:]
    alone = fitted.predict_proba([seq])[0]
    assert_same(fitted.predict_proba(batch)[k], alone, "in a ragged list")
    side = data.draw(SIDES)
    extra = data.draw(st.integers(0, 10))
    X = padded(batch, max(len(s) for s in batch) + extra, np.nan, side)
    got = with_params(fitted, padding=side).predict_proba(X)[k]
    assert_same(got, alone, f"in a {side}-padded array")


# ---------------------------------------------------------- malformed input


class NetworkReached(BaseException):
    """Raised when the guarded network runs; a BaseException, so that no
    ``except Exception`` in the estimator can swallow it."""


def _run(*args, **kwargs):
    raise NetworkReached


class GuardedModel:
    """Stands in for the fitted ``keras.Model``: attributes read through to it
    (input shapes, layers), but any way of running it, or of reading its
    variables into a shared engine, raises NetworkReached."""

    RUN = frozenset(
        {
            "call",
            "predict",
            "predict_on_batch",
            "predict_step",
            "predict_function",
            "make_predict_function",
            "evaluate",
            "test_on_batch",
            "test_step",
            "fit",
            "train_on_batch",
            "train_step",
            "symbolic_call",
            "compute_output_spec",
        }
    )

    def __init__(self, model):
        self._model = model

    def __getattr__(self, name):
        if name in self.RUN:
            return _run
        if name in (
            "variables",
            "weights",
            "get_weights",
            # What the JAX forward pass reads to run the network.
            "trainable_variables",
            "non_trainable_variables",
        ):
            raise NetworkReached
        return getattr(self._model, name)

    __call__ = _run


def guarded(clf, **params):
    """A copy of ``clf`` (public ``model_`` swapped) whose network cannot run."""
    reader = with_params(clf, **params)
    reader.model_ = GuardedModel(clf.model_)
    return reader


def refusal(reader, X, method="predict_proba", **kwargs):
    """The message with which ``reader`` refuses ``X``; fails the test if ``X``
    is accepted, reaches the network or raises anything but ValueError/TypeError."""
    try:
        getattr(reader, method)(X, **kwargs)
    except NetworkReached:
        raise AssertionError("malformed input reached the network") from None
    except (ValueError, TypeError) as error:
        return str(error)
    raise AssertionError("malformed input was accepted")


def assert_names(pattern, message):
    assert re.search(pattern, message), f"{pattern!r} not in: {message}"


@pytest.mark.parametrize("method", METHODS)
def test_the_guard_intercepts_every_prediction(fitted, fitted_tokens, method):
    """Proof that the guard works: valid input does reach the guarded network."""
    X, _ = _training_data(tokens=False)
    tokens, _ = _training_data(tokens=True)
    cases = [
        (fitted, X, {}),
        (fitted, padded(X, 10, np.nan, "post"), {}),
        (fitted, padded(X, 10, 0.0, "post"), {"sequence_length": [len(x) for x in X]}),
        (fitted_tokens, tokens, {}),
    ]
    for clf, data, kwargs in cases:
        getattr(clf, method)(data, **kwargs)  # the real network runs
        with pytest.raises(NetworkReached):
            getattr(guarded(clf), method)(data, **kwargs)


@given(data=st.data())
def test_an_empty_sequence_is_refused_naming_it(plain, data):
    """A length-0 item, or a row that is all padding, at index i: 'Sequence i'."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    i = data.draw(st.integers(0, len(seqs)), label="index")
    form = data.draw(st.sampled_from(["(0, 3) item", "(0,) item", "padding row"]))
    params = {}
    if form == "padding row":
        side = data.draw(SIDES)
        fill = data.draw(st.sampled_from((np.nan, *OUTSIDE_DATA)))
        params = {"padding": side, "mask_value": None if np.isnan(fill) else fill}
        width = max(len(s) for s in seqs) + data.draw(st.integers(0, 3))
        empty = np.empty((0, N_FEATURES), dtype=seqs[0].dtype)
        X = padded(seqs[:i] + [empty] + seqs[i:], width, fill, side)
    else:
        empty = np.empty((0, N_FEATURES) if "3" in form else (0,))
        X = seqs[:i] + [empty] + seqs[i:]
    method = data.draw(st.sampled_from(METHODS))
    message = refusal(guarded(plain, **params), X, method)
    assert_names(rf"\bSequence {i} is empty", message)


@given(data=st.data())
def test_nan_or_inf_inside_a_sequence_is_refused_naming_it(plain, data):
    """NaN/inf in a real step (not padding): 'Sequence i has NaN or inf at step t'."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    i = data.draw(st.integers(0, len(seqs) - 1), label="index")
    seq = seqs[i].copy()
    bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    if len(seq) >= 3 and data.draw(st.booleans(), label="whole step"):
        t = data.draw(st.integers(1, len(seq) - 2))  # inside: never padding
        seq[t] = bad
    else:
        t = data.draw(st.integers(0, len(seq) - 1))
        seq[t, data.draw(st.integers(0, N_FEATURES - 1))] = bad
    seqs[i] = seq
    form = data.draw(st.sampled_from(["list", "padded", "sequence_length"]))
    kwargs, params = {}, {}
    if form == "list":
        X = seqs
    else:
        params["padding"] = side = data.draw(SIDES)
        width = max(len(s) for s in seqs) + data.draw(st.integers(0, 3))
        X = padded(seqs, width, np.nan, side)
        if form == "sequence_length":
            kwargs["sequence_length"] = [len(s) for s in seqs]
            X = place(seqs, np.zeros_like(X), side)
    message = refusal(guarded(plain, **params), X, **kwargs)
    assert_names(rf"\bSequence {i} has NaN or inf at step {t}\b", message)


@given(data=st.data())
def test_items_with_different_feature_counts_are_refused_naming_them(plain, data):
    """An item with k != 3 features at index j: 'sequence j has k'."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    j = data.draw(st.integers(0, len(seqs)), label="index")
    k = data.draw(st.sampled_from([1, 2, 4, 5]))
    length = data.draw(st.integers(1, MAX_LEN))
    odd = np.ones((length, k))
    if k == 1 and data.draw(st.booleans(), label="1-D"):
        odd = odd[:, 0]
    message = refusal(guarded(plain), seqs[:j] + [odd] + seqs[j:])
    assert_names(rf"(?i)\bsequence {j} has {k}\b", message)


@given(data=st.data())
def test_a_feature_count_unseen_at_fit_is_refused(plain, data):
    """All sequences with k != 3 features: refused before the network runs."""
    k = data.draw(st.sampled_from([1, 2, 4, 5]))
    seqs = data.draw(float_sequences(k, max_size=4))
    X = seqs if data.draw(st.booleans()) else padded(seqs, MAX_LEN, np.nan, "post")
    message = refusal(guarded(plain), X)
    assert_names(rf"\b{k} features per step\b.* 3\b", message)


BAD_TOKENS = {
    "negative": st.integers(-(10**6), -1),
    "fractional": st.integers(-100, 100).map(lambda n: n + 0.5) | st.floats(0.01, 0.99),
    "not finite": st.sampled_from([np.nan, np.inf, -np.inf]),
    "unseen at fit": st.integers(10, 10**6),
    "above int32": st.integers(2**31, 2**40),
}


# The refusal is the only thing the user sees: no numpy warning before it.
@pytest.mark.filterwarnings("error::RuntimeWarning")
@given(data=st.data())
def test_bad_token_ids_are_refused_naming_the_sequence(fitted_tokens, data):
    """A negative, fractional, non-finite, unseen or huge id in sequence i at
    step t: 'sequence i has <id> ... at step t'."""
    seqs = data.draw(token_sequences(max_size=5))
    i = data.draw(st.integers(0, len(seqs) - 1), label="index")
    kind = data.draw(st.sampled_from(sorted(BAD_TOKENS)))
    bad = data.draw(BAD_TOKENS[kind], label=kind)
    seq = seqs[i].astype(np.float64 if isinstance(bad, float) else np.int64)
    t = data.draw(st.integers(0, len(seq) - 1), label="step")
    seq[t] = bad
    seqs[i] = seq
    form = data.draw(st.sampled_from(["list", "zero-padded", "sequence_length"]))
    params, kwargs = {}, {}
    if form == "list":
        X = seqs
    else:
        params["padding"] = side = data.draw(SIDES)
        X = padded(seqs, max(len(s) for s in seqs) + 2, 0, side)
        if form == "sequence_length":
            kwargs["sequence_length"] = [len(s) for s in seqs]
            X = place(seqs, np.full_like(X, 5), side)
    message = refusal(guarded(fitted_tokens, **params), X, **kwargs)
    assert_names(rf"(?i)\bsequence {i} has .* at step {t}\b", message)


@given(data=st.data())
def test_bad_sequence_length_is_refused(plain, data):
    """Wrong size, or a length above the width or below 1 at index j:
    'sequence_length[j] = v is out of range'; and never with a ragged list."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    n, width = len(seqs), max(len(s) for s in seqs)
    X = padded(seqs, width, np.nan, "post")
    lengths = [len(s) for s in seqs]
    kind = data.draw(st.sampled_from(["size", "2-D", "above", "below", "ragged"]))
    if kind == "size":
        size = data.draw(st.integers(0, n + 3).filter(lambda m: m != n))
        message = refusal(guarded(plain), X, sequence_length=[1] * size)
        assert_names(rf"sequence_length has shape \({size},\).*\({n},\)", message)
    elif kind == "2-D":
        message = refusal(guarded(plain), X, sequence_length=[lengths])
        assert_names(rf"sequence_length has shape \(1, {n}\)", message)
    elif kind == "ragged":
        ragged = seqs + [np.ones((width + 1, N_FEATURES))]
        message = refusal(guarded(plain), ragged, sequence_length=lengths + [width + 1])
        assert_names("only for padded arrays", message)
    else:
        j = data.draw(st.integers(0, n - 1), label="index")
        if kind == "above":
            lengths[j] = data.draw(st.integers(width + 1, width + 100))
        else:
            lengths[j] = data.draw(st.integers(-100, 0))
        message = refusal(guarded(plain), X, sequence_length=lengths)
        assert_names(rf"sequence_length\[{j}\] = {lengths[j]} is out of range", message)


@given(data=st.data())
def test_a_fractional_sequence_length_is_refused_naming_it(plain, data):
    """A non-whole length (1.5, NaN) at index j is that sequence's problem."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    X = padded(seqs, max(len(s) for s in seqs), np.nan, "post")
    lengths = np.array([len(s) for s in seqs], dtype=np.float64)
    j = data.draw(st.integers(0, len(seqs) - 1), label="index")
    lengths[j] = data.draw(st.sampled_from([lengths[j] - 0.5, np.nan]))
    message = refusal(guarded(plain), X, sequence_length=lengths)
    assert_names(rf"sequence_length\[{j}\]|\bSequence {j}\b", message)


NOT_SEQUENCES = st.one_of(
    st.none(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just({"X": np.ones((2, 3))}),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.integers(),
    st.floats(),
    st.just(np.float64(1.0)),
    st.just(np.array(2.0)),
)

LETTERS = st.text(alphabet="abcxyz", min_size=1, max_size=4)  # never a number


@given(X=NOT_SEQUENCES)
def test_x_that_holds_no_sequences_is_refused(plain, X):
    """None, dicts, strings, bytes and scalars are refused as a whole."""
    refusal(guarded(plain), X)


@given(data=st.data())
def test_a_non_numeric_item_is_refused_naming_it(plain, data):
    """None, a dict, a string, strings or objects as item i: 'Sequence i'."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    i = data.draw(st.integers(0, len(seqs)), label="index")
    length = max(len(s) for s in seqs) + 1  # a shape no other item has
    objects = np.ones((length, N_FEATURES), dtype=object)
    cell = data.draw(st.sampled_from([{}, {"a": 1}, "abc", [1.0]]), label="cell")
    objects[data.draw(st.integers(0, length - 1)), 1] = cell
    item = data.draw(
        st.sampled_from([None, {}, {"a": 1.0}, "abc", ["a", "b"], objects])
        | LETTERS
        | st.lists(LETTERS, min_size=1, max_size=4).map(np.array),
        label="item",
    )
    message = refusal(guarded(plain), seqs[:i] + [item] + seqs[i:])
    assert_names(rf"\bSequence {i}\b", message)


@given(data=st.data())
def test_a_list_of_only_non_numeric_items_is_refused_clearly(plain, data):
    """A list whose items are all the same non-numeric thing (so it is read as
    one array): refused by skrnn's own message about X or sequence 0, not by a
    conversion error from deep inside numpy."""
    length = data.draw(st.integers(1, 5))
    objects = np.ones((length, N_FEATURES), dtype=object)
    objects[0, 0] = data.draw(st.sampled_from([{}, "abc"]), label="cell")
    item = data.draw(
        st.sampled_from([None, {}, {"a": 1.0}, objects])
        | LETTERS
        | st.lists(LETTERS, min_size=1, max_size=4),
        label="item",
    )
    copies = data.draw(st.integers(1, 4), label="copies")
    message = refusal(guarded(plain), [copy.deepcopy(item) for _ in range(copies)])
    assert_names(r"\bSequence 0\b|\bX\b", message)


@given(data=st.data())
def test_an_object_array_with_a_non_number_is_refused_naming_its_sequence(plain, data):
    """A padded object array with a string/dict/list in a real step of
    sequence i: refused, naming sequence i."""
    seqs = data.draw(float_sequences(N_FEATURES, max_size=5))
    X = padded(seqs, max(len(s) for s in seqs), np.nan, "post", dtype=object)
    i = data.draw(st.integers(0, len(seqs) - 1), label="index")
    t = data.draw(st.integers(0, len(seqs[i]) - 1), label="step")
    X[i, t, data.draw(st.integers(0, N_FEATURES - 1))] = data.draw(
        st.sampled_from([{}, [1.0, 2.0], None]) | LETTERS, label="cell"
    )
    message = refusal(guarded(plain), X)
    assert_names(rf"\bSequence {i}\b|X\[{i}\]", message)
