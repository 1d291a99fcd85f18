"""Scaling and resampling of sequences over their real steps; numpy only.

:class:`SequenceStandardScaler` is the pipeline step; the functions below work
on the canonical ``(values, lengths)`` form and also serve the estimators'
built-in ``scaling`` and ``window``. :class:`InputPipeline` describes all that
an estimator does between the canonical form and its network, once fitted; its
numpy rendering is :meth:`InputPipeline.transform`, and the exporters render
the same description in ONNX and TensorFlow.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skrnn._fixes import StrOptions, _fit_context, _get_output_config
from skrnn._sequences import is_ragged, locate, real_step_mask
from skrnn._validation import SequenceInputMixin

__all__ = [
    "InputPipeline",
    "SequenceStandardScaler",
    "feature_statistics",
    "standardize",
    "stack_windows",
    "zscore_sequences",
]


# Sequences scaled at a time by an in-place transform.
IN_PLACE_CHUNK = 1024


def feature_statistics(steps, weights=None):
    """Mean, variance and divisor of each feature over the rows of ``steps``.

    Parameters
    ----------
    steps : ndarray of shape (n_steps, n_features)
        Real steps only.
    weights : ndarray of shape (n_steps,), default=None
        Non-negative weight of each step (an integer weight counts the step
        that many times); None weighs every step alike.

    Returns
    -------
    mean, var, scale : ndarray of shape (n_features,)
        float64 statistics; ``scale`` is the standard deviation, or 1 where a
        feature is constant (it is then left unscaled, not divided by zero).
    """
    steps = steps.astype(np.float64, copy=False)
    mean = np.average(steps, axis=0, weights=weights)
    var = np.average((steps - mean) ** 2, axis=0, weights=weights)
    scale = np.sqrt(var)
    return mean, var, np.where(scale > 10 * np.finfo(scale.dtype).eps, scale, 1.0)


def _real(values, lengths):
    return np.arange(values.shape[1]) < lengths[:, None]


def standardize(values, lengths, mean, scale):
    """Canonical ``values`` with real steps standardised and padding kept at zero.

    Parameters
    ----------
    values : ndarray of shape (n, T, n_features)
        Right-padded sequences.
    lengths : ndarray of int of shape (n,)
        True lengths.
    mean, scale : ndarray of shape (n_features,)
        Subtracted, then divided by.

    Returns
    -------
    scaled : ndarray
        A new array of the dtype of ``values``.
    """
    real = _real(values, lengths)[..., None]
    scaled = (values - mean.astype(values.dtype)) / scale.astype(values.dtype)
    return np.where(real, scaled, 0).astype(values.dtype, copy=False)


def zscore_sequences(values, lengths):
    """Standardise each feature of each sequence by its own real steps.

    Parameters
    ----------
    values : ndarray of shape (n, T, n_features)
        Right-padded sequences.
    lengths : ndarray of int of shape (n,)
        True lengths.

    Returns
    -------
    scaled : ndarray
        A new array of the dtype of ``values``; a feature constant over a
        sequence becomes zero there.
    """
    real = _real(values, lengths)[..., None]
    count = lengths.astype(np.float64)[:, None]
    data = np.where(real, values, 0).astype(np.float64)
    mean = data.sum(axis=1) / count
    centred = np.where(real, data - mean[:, None], 0)
    std = np.sqrt((centred**2).sum(axis=1) / count)
    std = np.where(std > 1e-8 * (1 + np.abs(mean)), std, 1.0)
    return (centred / std[:, None]).astype(values.dtype)


def stack_windows(values, lengths, window):
    """Group each ``window`` consecutive real steps into one step of stacked features.

    Parameters
    ----------
    values : ndarray of shape (n, T, n_features)
        Right-padded sequences.
    lengths : ndarray of int of shape (n,)
        True lengths.
    window : int
        Steps grouped into one; a sequence's last window, when it holds fewer
        real steps, repeats its last real step, so padding never enters.

    Returns
    -------
    values : ndarray of shape (n, ceil(T / window), window * n_features)
        Right-padded groups: step ``j`` holds steps ``j * window`` to
        ``(j + 1) * window - 1``, first step's features first.
    lengths : ndarray of shape (n,)
        ``ceil(lengths / window)``.
    """
    if window == 1:
        return values, lengths
    n, width, n_features = values.shape
    n_windows = -(-width // window)
    steps = np.arange(n_windows * window)
    # Past a sequence's end, read its last real step (every sequence has one).
    source = np.minimum(steps[None, :], np.maximum(lengths, 1)[:, None] - 1)
    filled = np.take_along_axis(values, source[..., None], axis=1)
    stacked = filled.reshape(n, n_windows, window * n_features)
    new_lengths = (-(-lengths // window)).astype(lengths.dtype)
    return np.where(_real(stacked, new_lengths)[..., None], stacked, 0), new_lengths


def _window_statistics(values, lengths, weights, window):
    """Weighted mean and scale of each network input over real windowed steps.

    What :func:`feature_statistics` gives on the real steps of
    ``stack_windows(values, lengths, window)`` weighted by their sequence's
    weight, computed a chunk of sequences at a time so that no windowed copy
    of a large training set is made.
    """
    chunks = [
        slice(start, start + IN_PLACE_CHUNK)
        for start in range(0, len(values), IN_PLACE_CHUNK)
    ]

    def weighted_sums(function):
        total = 0.0
        for chunk in chunks:
            stacked, stacked_lengths = stack_windows(
                values[chunk], lengths[chunk], window
            )
            step_weights = _real(stacked, stacked_lengths) * weights[chunk][:, None]
            total = total + np.einsum(
                "nt,ntf->f", step_weights, function(stacked.astype(np.float64))
            )
        return total

    total_weight = sum(
        ((-(-lengths[chunk] // window)) * weights[chunk]).sum() for chunk in chunks
    )
    mean = weighted_sums(lambda stacked: stacked) / total_weight
    var = weighted_sums(lambda stacked: (stacked - mean) ** 2) / total_weight
    scale = np.sqrt(var)
    return mean, np.where(scale > 10 * np.finfo(scale.dtype).eps, scale, 1.0)


@dataclass(frozen=True, eq=False)
class InputPipeline:
    """The fitted steps between the canonical form and the network's input.

    In order: the affine ``scalers`` of ``SequenceStandardScaler`` steps in
    front (exported pipelines only), ``window`` steps stacked into one, then
    ``scaling``: per feature by ``feature_mean`` and ``feature_scale``, or
    each sequence by its own statistics. Token ids pass through unchanged.

    Parameters
    ----------
    tokens : bool
        Whether the input is token ids.
    step_width : int
        Features of each input step (1 for token ids).
    window : int, default=1
        Steps stacked side by side into one network step.
    scaling : {None, 'feature', 'sequence'}, default=None
        The built-in scaling, after the windows.
    feature_mean, feature_scale : ndarray of shape (window * step_width,)
        With ``scaling='feature'``: subtracted, then divided by.
    scalers : tuple of (shift, scale) pairs, default=()
        Affine steps before everything else, per input feature.
    """

    tokens: bool
    step_width: int
    window: int = 1
    scaling: str = None
    feature_mean: np.ndarray = None
    feature_scale: np.ndarray = None
    scalers: tuple = ()

    @classmethod
    def fit(cls, values, lengths, weights, *, tokens, window, scaling):
        """Learn the scaling statistics on training sequences.

        Sequences weigh in by ``weights`` (those of weight zero not at all),
        so a weight acts like repeating the sequence here too.
        """
        if tokens:
            return cls(tokens=True, step_width=1)
        step_width = values.shape[2]
        mean = scale = None
        if scaling == "feature":
            mean, scale = _window_statistics(values, lengths, weights, window)
        return cls(False, step_width, window, scaling, mean, scale)

    def transform(self, values, lengths, in_place=False):
        """The network's input, ``(values, lengths)``: the numpy rendering.

        With ``in_place``, ``values`` (right-padded with zeros, as
        :func:`skrnn.to_padded` gives it) may be overwritten and returned
        reshaped, so a large training set is not copied at each step; when its
        width is not a multiple of ``window`` a new array is made instead.
        """
        if self.tokens:
            return values, lengths
        if in_place and not self.scalers and values.shape[1] % self.window == 0:
            return self._transform_in_place(values, lengths)
        for shift, scale in self.scalers:
            values = standardize(values, lengths, np.asarray(shift), np.asarray(scale))
        values, lengths = stack_windows(values, lengths, self.window)
        if self.scaling == "feature":
            values = standardize(values, lengths, self.feature_mean, self.feature_scale)
        elif self.scaling == "sequence":
            values = zscore_sequences(values, lengths)
        return values, lengths

    def _transform_in_place(self, values, lengths):
        window = self.window
        if window > 1:
            # A last window with fewer real steps repeats its last real step,
            # as stack_windows does; the windows are then a reshape.
            ends = -(-lengths // window) * window
            for offset in range(window - 1):
                rows = np.flatnonzero(lengths + offset < ends)
                values[rows, lengths[rows] + offset] = values[rows, lengths[rows] - 1]
            n, width, n_features = values.shape
            values = values.reshape(n, width // window, window * n_features)
            lengths = (-(-lengths // window)).astype(lengths.dtype)
        if self.scaling is None:
            return values, lengths
        if self.scaling == "feature":
            mean = self.feature_mean.astype(values.dtype)
            scale = self.feature_scale.astype(values.dtype)
        # A chunk of sequences at a time, so temporaries stay small.
        for start in range(0, len(values), IN_PLACE_CHUNK):
            chunk = values[start : start + IN_PLACE_CHUNK]
            chunk_lengths = lengths[start : start + IN_PLACE_CHUNK]
            if self.scaling == "feature":
                chunk -= mean
                chunk /= scale
                chunk *= _real(chunk, chunk_lengths)[..., None]
            else:
                chunk[...] = zscore_sequences(chunk, chunk_lengths)
        return values, lengths


class SequenceStandardScaler(
    OneToOneFeatureMixin, TransformerMixin, SequenceInputMixin, BaseEstimator
):
    """Standardise each feature of variable-length sequences.

    The mean and standard deviation of each feature are computed over the real
    steps of all sequences only: padding, EOS markers and steps after EOS are
    left out, and left untouched by ``transform``. The output has the form of
    the input: a ragged list stays a list of arrays of the same shapes, a
    padded array keeps its padding (NaN stays NaN). scikit-learn's
    ``StandardScaler`` cannot take 3-D or ragged input, and would count padding.

    ``set_output(transform="pandas")`` works for 2-D input (a DataFrame of
    univariate sequences, one column per step): a DataFrame with the same
    columns and index comes back. 3-D and ragged input have no table form,
    so pandas output is refused for them with an error.

    Parameters
    ----------
    padding : {'post', 'pre'}, default='post'
        Side of padded arrays that holds the padding.
    mask_value : float, default=None
        Value of padding steps in padded arrays; None means NaN.
    eos_value : float, default=None
        End-of-sequence marker; the marker step and everything after it are
        neither counted nor changed.
    with_mean : bool, default=True
        Whether to subtract the mean.
    with_std : bool, default=True
        Whether to divide by the standard deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_step_features,)
        Mean of each feature over real steps.
    var_ : ndarray of shape (n_step_features,)
        Variance of each feature over real steps.
    scale_ : ndarray of shape (n_step_features,)
        Divisor of each feature (the standard deviation, 1 where it is 0).
    n_samples_seen_ : int
        Number of real steps counted.
    n_features_in_ : int
        As for :class:`~skrnn.SequenceRNNClassifier`: features per step, or
        the number of columns of a 2-D array.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import SequenceStandardScaler
    >>> X = [np.array([[100.0, 1.0], [300.0, 3.0]]), np.array([[200.0, 2.0]])]
    >>> Xt = SequenceStandardScaler().fit_transform(X)
    >>> [x.shape for x in Xt], np.round(Xt[0][:, 0], 3).tolist()
    ([(2, 2), (1, 2)], [-1.225, 1.225])
    """

    _parameter_constraints = {
        "padding": [StrOptions({"post", "pre"})],
        "mask_value": [Real, None],
        "eos_value": [Real, None],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(
        self,
        *,
        padding="post",
        mask_value=None,
        eos_value=None,
        with_mean=True,
        with_std=True,
    ):
        self.padding = padding
        self.mask_value = mask_value
        self.eos_value = eos_value
        self.with_mean = with_mean
        self.with_std = with_std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _locate(self, X, sequence_length, reset):
        """Return the checked input, its located steps and which of them scale."""
        checked, tabular = self._check_input(X, reset=reset)
        located = locate(
            checked,
            sequence_length=sequence_length,
            padding=self.padding,
            mask_value=self.mask_value,
            eos_value=self.eos_value,
        )
        self._record_features(
            located.steps.shape[2],
            tabular,
            reset=reset,
            expected=None if reset else len(self.mean_),
        )
        scaled = real_step_mask(located)
        # The EOS marker keeps its value, so readers still find it.
        last = located.start + located.lengths - 1
        rows = np.flatnonzero(located.ends_with_eos)
        scaled[rows, last[rows]] = False
        return checked, located.steps, scaled

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sequence_length=None):
        """Compute each feature's mean and standard deviation over real steps.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Sequences in any form :class:`~skrnn.SequenceRNNClassifier` accepts.
        y : None
            Ignored.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        self : SequenceStandardScaler
            The fitted scaler.
        """
        _, steps, scaled = self._locate(X, sequence_length, reset=True)
        real = steps[scaled]
        self.mean_, self.var_, self.scale_ = feature_statistics(real)
        self.n_samples_seen_ = len(real)
        return self

    def _apply(self, X, sequence_length, forward):
        check_is_fitted(self)
        checked, steps, scaled = self._locate(X, sequence_length, reset=False)
        container = _get_output_config("transform", self)["dense"]
        if container != "default" and (is_ragged(checked) or checked.ndim != 2):
            raise ValueError(
                f'set_output(transform="{container}") needs 2-D input (one column '
                "per step), which maps to a table; got "
                + ("ragged sequences" if is_ragged(checked) else "a 3-D array")
                + ", whose output has no table form. Use "
                'set_output(transform="default") for 3-D or ragged input.'
            )
        out = steps.copy()
        shift, scale = self._shift_and_scale()
        if forward:
            out[scaled] = (out[scaled] - shift) / scale
        else:
            out[scaled] = out[scaled] * scale + shift
        return _in_original_form(out, checked)

    def _shift_and_scale(self):
        """What ``transform`` subtracts, then divides by, per feature."""
        ones = np.ones_like(self.mean_)
        return (
            self.mean_ if self.with_mean else 0.0 * ones,
            self.scale_ if self.with_std else ones,
        )

    def transform(self, X, sequence_length=None):
        """Standardise the real steps; padding and EOS steps are kept as they are.

        Parameters
        ----------
        X : list of array-like, or array-like
            Sequences with the features seen at fit.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        X_scaled : list of ndarray, or ndarray
            Same form and shapes as ``X``.
        """
        return self._apply(X, sequence_length, forward=True)

    def inverse_transform(self, X, sequence_length=None):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : list of array-like, or array-like
            Standardised sequences.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        X_original : list of ndarray, or ndarray
            Same form and shapes as ``X``.
        """
        return self._apply(X, sequence_length, forward=False)

    def fit_transform(self, X, y=None, sequence_length=None):
        """Fit, then transform ``X`` with the same ``sequence_length``.

        Parameters
        ----------
        X : list of array-like, or array-like
            Sequences.
        y : None
            Ignored.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        X_scaled : list of ndarray, or ndarray
            Same form and shapes as ``X``.
        """
        return self.fit(X, sequence_length=sequence_length).transform(
            X, sequence_length=sequence_length
        )


def _in_original_form(steps, X):
    """Give located ``(n, T, F)`` steps back the layout of checked input ``X``."""
    if is_ragged(X):
        out = []
        for i, item in enumerate(X):
            length = len(item)
            seq = steps[i, :length]
            out.append(seq[:, 0] if np.ndim(item) == 1 else seq)
        return out
    return steps[..., 0] if X.ndim == 2 else steps
