"""What every skrnn estimator shares: input checks, parameters, network, training.

:class:`SequenceInputMixin` applies scikit-learn's array checks and the
sequence conventions of :mod:`skrnn._sequences`; :class:`BaseSequenceRNN`
adds the recurrent network's parameters, its building and compiling, the
atomic training loop and saving. Each estimator is a head on it: it turns its
targets into training targets, names its loss and score, and decodes outputs.
"""

import warnings
from numbers import Integral, Number, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from skrnn._model import build_model
from skrnn._persistence import save
from skrnn._sequences import is_ragged, pad_steps, to_padded
from skrnn._training import Stopping, predict_logits, run_epochs

__all__ = ["BaseSequenceRNN", "SequenceInputMixin"]

_FLOAT_DTYPES = (np.float64, np.float32)

# Parameters baked into the built network, which warm starts must keep.
_NETWORK_PARAMS = (
    "units",
    "cell",
    "bidirectional",
    "activation",
    "dropout",
    "recurrent_dropout",
    "embedding_dim",
    "alpha",
)

_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


class SequenceInputMixin:
    """Validates sequence input and keeps ``n_features_in_`` as documented.

    ``n_features_in_`` is the number of features per step, except for a 2-D
    array (univariate sequences, one column per step), where it is the number
    of columns, checked at predict like any scikit-learn estimator's, with the
    column names of a DataFrame.
    """

    def _check_input(self, X, *, reset, tokens=False):
        """Return ``(X, tabular)``: X checked by scikit-learn unless it is ragged.

        ``tabular`` tells whether ``X`` is a 2-D array read as one column per
        step, whose width and column names were checked (or recorded on fit).
        """
        # Sparse dok matrices are dicts too; check_array gives them their error.
        if getattr(X, "shape", None) == () or (
            not hasattr(X, "shape")
            and (X is None or isinstance(X, (str, bytes, dict, set, Number)))
        ):
            raise TypeError(
                f"X must hold sequences; got {type(X).__name__}. Expected a list of "
                "arrays (one per sequence) or a 2-D/3-D array or DataFrame."
            )
        if isinstance(X, (list, tuple)) and len(X) == 0:
            raise ValueError(
                "X holds no sequences (an empty list); pass at least one sequence."
            )
        if is_ragged(X):
            return X, False
        array = X if hasattr(X, "ndim") or hasattr(X, "shape") else np.asarray(X)
        if getattr(array, "dtype", None) is not None and array.dtype.kind in "USa":
            raise TypeError(
                f"X has dtype {array.dtype}; expected numbers. Encode strings as "
                "integer token ids (for example with sklearn's OrdinalEncoder) and "
                "set embedding_dim."
            )
        dtype = "numeric" if tokens else _FLOAT_DTYPES
        tabular = (
            not tokens
            and len(getattr(array, "shape", ())) == 2
            and (reset or self._tabular_input)
        )
        if tabular:
            X = validate_data(
                self, X, reset=reset, dtype=dtype, ensure_all_finite=False
            )
        else:
            X = check_array(X, allow_nd=True, dtype=dtype, ensure_all_finite=False)
        return X, tabular

    def _record_features(self, n_features, tabular, *, reset, expected):
        """On fit, record the input width; afterwards, check the step width."""
        if reset:
            if not tabular:
                self.n_features_in_ = n_features
                self.__dict__.pop("feature_names_in_", None)
            self._tabular_input = tabular
        elif n_features != expected:
            raise ValueError(
                f"X has {n_features} features per step, but {type(self).__name__} "
                f"is expecting {expected} features per step as input."
            )


def seed_source(random_state):
    """A RandomState for one fit that never draws from numpy's global RNG."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


class BaseSequenceRNN(SequenceInputMixin, BaseEstimator):
    """Shared machinery of the recurrent estimators; not meant to be used directly.

    A subclass provides the head: ``_prepare_targets`` (targets for training and
    what the head needs to know), ``_build_head`` (output width and loss),
    ``_validation_logs`` (the held-out score named by ``_score_name``) and
    ``_set_head`` (its fitted attributes), plus ``fit``/``predict``/``score``.
    """

    # What early stopping monitors, higher is better; logged as ``val_<name>``.
    _score_name = "score"
    # Fitted private attributes that saving keeps, besides those ending in "_".
    _saved_private = ("_tabular_input", "_network", "_rng")

    _parameter_constraints = {
        "units": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "cell": [StrOptions({"simple", "lstm", "gru"})],
        "bidirectional": ["boolean"],
        "activation": [str, callable],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"post", "pre"})],
        "truncating": [StrOptions({"pre", "post"})],
        "maxlen": [Interval(Integral, 1, None, closed="left"), None],
        "mask_value": [Real, None],
        "eos_value": [Real, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "optimizer": [StrOptions({"adam", "sgd", "rmsprop"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "adaptive"})],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        units=64,
        *,
        cell="simple",
        bidirectional=False,
        activation="tanh",
        dropout=0.0,
        recurrent_dropout=0.0,
        embedding_dim=None,
        padding="post",
        truncating="pre",
        maxlen=None,
        mask_value=None,
        eos_value=None,
        max_iter=200,
        batch_size="auto",
        optimizer="adam",
        learning_rate_init=0.001,
        learning_rate="constant",
        momentum=0.9,
        clipnorm=None,
        alpha=0.0001,
        early_stopping=False,
        validation_fraction=0.1,
        tol=1e-4,
        n_iter_no_change=10,
        shuffle=True,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        store_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # NaN marks padding only; missing values inside a sequence are refused.
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------------ input

    def _units_tuple(self):
        units = (self.units,) if isinstance(self.units, Integral) else self.units
        if len(units) == 0 or not all(
            isinstance(u, Integral) and not isinstance(u, bool) and u >= 1
            for u in units
        ):
            raise ValueError(
                f"The 'units' parameter of {type(self).__name__} must be a positive "
                f"int or a non-empty tuple of positive ints; got {self.units!r}."
            )
        return tuple(int(u) for u in units)

    def _validate_X(self, X, sequence_length, reset):
        """Return ``(values, lengths)``; on fit, also set the input attributes."""
        tokens = self.embedding_dim is not None
        X, tabular = self._check_input(X, reset=reset, tokens=tokens)
        values, lengths = to_padded(
            X,
            tokens=tokens,
            sequence_length=sequence_length,
            padding=self.padding,
            truncating=self.truncating,
            maxlen=self.maxlen,
            mask_value=self.mask_value,
            eos_value=self.eos_value,
        )
        expected = None
        if not reset:
            expected = 1 if tokens else self.model_.inputs[0].shape[-1]
        self._record_features(
            1 if tokens else values.shape[2], tabular, reset=reset, expected=expected
        )
        return values, lengths

    def _require_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )

    def _network_params(self):
        """The parameters baked into a built network (warm starts keep them)."""
        return {name: getattr(self, name) for name in _NETWORK_PARAMS} | {
            "units": self._units_tuple()
        }

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    # ---------------------------------------------------------------- fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, sequence_length=None):
        """Fit the network to sequences ``X`` and their targets ``y``.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Training sequences; see the class docstring for the accepted forms.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), or list \
                of array-like
            One target per sequence: a class label (classifier), a value or a
            row of values (regressor), or a sequence of labels (tagger).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sequence; the loss is the weighted mean
            over sequences, so an integer weight acts like repeating the
            sequence. Zero weights ignore a sequence.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array, which then need no
            padding value.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_atomically(X, y, sample_weight, sequence_length)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, sequence_length=None):
        """Train for one epoch on ``X``, continuing from the current network.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), or list \
                of array-like
            One target per sequence, as for ``fit``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sequence.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit_atomically(X, y, sample_weight, sequence_length, partial=True)

    def _fit_atomically(self, *args, **kwargs):
        """Fit, or leave the estimator (and its network) exactly as it was."""
        before = self.__dict__.copy()
        model = getattr(self, "model_", None)
        if model is not None:
            weights = model.get_weights()
            optimizer_state = [v.numpy() for v in model.optimizer.variables]
        try:
            return self._fit(*args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            if model is not None:
                model.set_weights(weights)
                for variable, value in zip(
                    model.optimizer.variables, optimizer_state, strict=False
                ):
                    variable.assign(value)
            raise

    def _fit(self, X, y, sample_weight, sequence_length, partial=False, **head_args):
        continuing = hasattr(self, "model_") and (partial or self.warm_start)
        network = self._network_params()
        self._require_y(y)
        values, lengths = self._validate_X(X, sequence_length, reset=not continuing)
        if continuing:
            self._check_network_unchanged(network)
        data, head = self._prepare_targets(
            y, values, lengths, continuing=continuing, partial=partial, **head_args
        )
        data.weights = self._sample_weights(sample_weight, data, head, partial)
        tokens = self.embedding_dim is not None
        if continuing:
            model = self.model_
            dtype = model.outputs[0].dtype
        else:
            model = None
            # Precision follows X, as in MLPClassifier; token ids train in float32.
            dtype = (
                "float64" if not tokens and values.dtype == np.float64 else "float32"
            )
        if not tokens:
            data.values = data.values.astype(dtype, copy=False)
        rng = self._rng if continuing and partial else seed_source(self.random_state)
        if model is None:
            model = self._build(network, data.values, head, rng, dtype)
        validation = None
        if self.early_stopping and not partial:
            data, validation = self._split_validation(data, rng)
        if data.weights.sum() == 0:
            raise ValueError("sample_weight is zero for every training sequence.")
        # Keras divides the weighted loss by the batch size; scaling the weights
        # to average 1 makes the loss the weighted mean, sum(w * l) / sum(w), so
        # integer weights act exactly like repeated samples.
        data.weights = (data.weights * (data.weights.size / data.weights.sum())).astype(
            dtype
        )
        history = (
            {name: list(curve) for name, curve in self.history_.items()}
            if continuing
            else {}
        )
        n_before = len(history.get("loss", ()))
        monitor = f"val_{self._score_name}"
        result = run_epochs(
            model,
            data,
            n_epochs=1 if partial else self.max_iter,
            batch_size=self._batch_size(len(data)),
            shuffle=self.shuffle,
            rng=rng,
            history=history,
            stopping=None
            if partial
            else Stopping(
                self.tol, self.n_iter_no_change, self.learning_rate == "adaptive"
            ),
            validation=validation,
            validate=self._validation_logs,
            monitor=monitor,
            callbacks=self.callbacks,
            verbose=self.verbose,
        )
        if result.best_weights is not None:
            model.set_weights(result.best_weights)
        if not partial and not result.converged and not model.stop_training:
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={self.max_iter} epochs "
                "while still improving; raise max_iter.",
                ConvergenceWarning,
                stacklevel=5,
            )
        n_run = len(history["loss"]) - n_before
        self._set_head(head)
        self.model_ = model
        self.history_ = history
        self.loss_curve_ = history["loss"]
        self.n_iter_ = len(history["loss"])
        self.t_ = (self.t_ if continuing else 0) + n_run * len(data)
        validating = validation is not None
        self.best_loss_ = None if validating else min(history["loss"])
        self.validation_scores_ = history[monitor] if validating else None
        self.best_validation_score_ = max(history[monitor]) if validating else None
        self._network = network
        self._rng = rng
        return self

    def _check_network_unchanged(self, network):
        """Refuse to continue training a network that no longer matches."""
        changed = [
            name for name, value in network.items() if self._network[name] != value
        ]
        if changed:
            raise ValueError(
                f"Cannot continue training: {', '.join(changed)} changed since the "
                "network was built. Restore them, or set warm_start=False to train "
                "a new network."
            )

    def _sample_weights(self, sample_weight, data, head, partial):
        """Per-sequence training weights; subclasses add their own factors."""
        return _check_sample_weight(
            sample_weight, data.lengths, ensure_non_negative=True
        )

    def _stratify(self, data):
        """Labels to stratify the early-stopping split by; None: no stratifying."""
        return None

    def _split_validation(self, data, rng):
        try:
            train, validation = train_test_split(
                np.arange(len(data)),
                test_size=self.validation_fraction,
                stratify=self._stratify(data),
                random_state=rng,
            )
        except ValueError as error:
            raise ValueError(
                f"early_stopping cannot hold out validation_fraction="
                f"{self.validation_fraction} of {len(data)} sequences "
                f"({error}). Raise validation_fraction, pass more sequences, or "
                "set early_stopping=False."
            ) from None
        return data.subset(train), data.subset(validation)

    def _build(self, network, values, head, rng, dtype):
        tokens = network["embedding_dim"] is not None
        n_outputs, loss, metrics, model_options = self._build_head(head, dtype)
        model = build_model(
            n_features=1 if tokens else values.shape[-1],
            n_outputs=n_outputs,
            vocabulary_size=int(values.max()) + 1 if tokens else None,
            seed=int(rng.randint(np.iinfo(np.int32).max - 1000)),
            dtype=dtype,
            **network,
            **model_options,
        )
        options = {"momentum": self.momentum} if self.optimizer == "sgd" else {}
        model.compile(
            optimizer=_OPTIMIZERS[self.optimizer](
                learning_rate=self.learning_rate_init, clipnorm=self.clipnorm, **options
            ),
            loss=loss,
            metrics=metrics,
        )
        # Created here, the optimizer's slots are not created inside the first
        # traced training step, which TensorFlow would then trace a second time.
        model.optimizer.build(model.trainable_variables)
        return model

    # ------------------------------------------------------------- prediction

    def _outputs(self, X, sequence_length):
        """Network outputs for ``X``, float64, in the caller's order."""
        check_is_fitted(self)
        values, lengths = self._validate_X(X, sequence_length, reset=False)
        return self._network_outputs(values, lengths)

    def _network_outputs(self, values, lengths, steps=None):
        """Run the network on canonical input; ``steps`` as in ``predict_logits``."""
        if steps is not None:
            values = pad_steps(values, steps.max())
        if self.embedding_dim is None:
            values = values.astype(self.model_.inputs[0].dtype, copy=False)
        else:
            self._check_vocabulary(values, lengths)
        return predict_logits(self.model_, values, lengths, steps)

    def _check_vocabulary(self, values, lengths):
        vocabulary_size = self.model_.get_layer("embedding").input_dim
        real = np.arange(values.shape[1]) < lengths[:, None]
        unseen = (values >= vocabulary_size) & real
        if unseen.any():
            i, t = np.argwhere(unseen)[0]
            raise ValueError(
                f"Sequence {i} has token id {values[i, t]} at step {t}, but the ids "
                f"seen at fit were 0..{vocabulary_size - 1}. Map tokens unseen at "
                "fit to an id that was present in training (for example a reserved "
                "out-of-vocabulary id)."
            )

    # ---------------------------------------------------------------- saving

    def save(self, path):
        """Write the estimator to one file, safely and atomically.

        The file is a zip archive holding the network in Keras' native
        ``.keras`` format and a JSON document with the parameters, the fitted
        attributes and the versions of skrnn, Keras, TensorFlow and
        scikit-learn; it contains no pickle. Read it back with
        :func:`skrnn.load`. The file is written under a temporary name and
        renamed into place, so an interrupted save never leaves a partial
        file where a good one was.

        Parameters
        ----------
        path : str or path-like
            Destination file; ``.skrnn`` is the customary suffix. An existing
            file is replaced.

        Returns
        -------
        self : estimator
            The estimator, unchanged.
        """
        save(self, path)
        return self


SHARED_PARAMETERS = """\
    units : int or tuple of int, default=64
        Units of the recurrent layer; a tuple stacks one layer per entry,
        first to last.
    cell : {'simple', 'lstm', 'gru'}, default='simple'
        Recurrent layer: ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``.
    bidirectional : bool, default=False
        Whether each recurrent layer also reads the sequence backwards
        (``keras.layers.Bidirectional``).
    activation : str or callable, default='tanh'
        Activation of the recurrent layers, as Keras accepts it.
    dropout : float, default=0.0
        Fraction of the inputs of each recurrent layer dropped during training.
    recurrent_dropout : float, default=0.0
        Fraction of the recurrent state dropped during training.
    embedding_dim : int, default=None
        None: steps are numeric features. An int: steps are integer token ids
        (0, 1, 2, ...), fed through a ``keras.layers.Embedding`` of this
        width whose vocabulary is the ids seen at fit (0 to the largest).
        Ids larger than any seen at fit are refused at predict.
    padding : {'post', 'pre'}, default='post'
        Side of padded arrays that holds the padding.
    truncating : {'pre', 'post'}, default='pre'
        With ``maxlen``: ``'pre'`` keeps the last ``maxlen`` steps of longer
        sequences, ``'post'`` keeps the first ``maxlen``.
    maxlen : int, default=None
        Longest sequence kept, in steps; None keeps every step.
    mask_value : float, default=None
        Value of padding steps in padded arrays. None means NaN for numeric
        input and 0 for token ids. Only a contiguous run of steps equal to it
        at the padding side is padding; the same value inside a sequence is
        data. Set ``mask_value=0.0`` for zero-padded float arrays.
    eos_value : float, default=None
        End-of-sequence marker: the first step equal to it (all features
        equal to it, for multivariate steps) is fed to the network and
        everything after it is ignored. None: no marker.
    max_iter : int, default=200
        Maximum number of epochs (passes over the training data) per call to
        ``fit``.
    batch_size : int or 'auto', default='auto'
        Sequences per training step; ``'auto'`` is ``min(200, n_samples)``.
        Larger values are clipped to the number of samples.
    optimizer : {'adam', 'sgd', 'rmsprop'}, default='adam'
        Keras optimizer.
    learning_rate_init : float, default=0.001
        Initial learning rate of the optimizer.
    learning_rate : {'constant', 'adaptive'}, default='constant'
        ``'adaptive'`` divides the learning rate by 5 each time
        ``n_iter_no_change`` epochs pass without improvement (instead of
        stopping), until it would fall below 1e-6, as in ``MLPClassifier``.
    momentum : float, default=0.9
        Momentum of the ``'sgd'`` optimizer.
    clipnorm : float, default=None
        Clip each gradient to this norm; guards recurrent networks against
        exploding gradients. None: no clipping.
    alpha : float, default=0.0001
        L2 penalty: ``alpha`` times the sum of squared kernel weights is
        added to the mean training loss.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class for a classifier) and stop when its score (accuracy, or R² for
        a regressor) has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the weights of the best epoch are kept. Ignored by
        ``partial_fit``.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    tol : float, default=1e-4
        Improvement that counts: of the training loss (lower), or of the
        validation score (higher) with ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops (or, with
        ``learning_rate='adaptive'``, before the learning rate drops).
    shuffle : bool, default=True
        Whether to shuffle the training sequences before each epoch.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks, deep-copied for each fit so clones and grid-search
        candidates never share their state. They see the usual events; an
        epoch's logs hold the keys of ``history_``, and setting
        ``model.stop_training`` ends training.
    warm_start : bool, default=False
        Continue from the fitted network on the next ``fit`` instead of
        starting anew (same targets, features and network required).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. An int gives the same model on every fit. None draws fresh
        randomness for each fit. Global random state (NumPy's, Python's,
        Keras') is never read or changed.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar with the loss and metrics
        of each epoch.
"""

SHARED_ATTRIBUTES = """\
    n_features_in_ : int
        Features per step; for a 2-D array (univariate sequences, one column
        per step) the number of columns, as in scikit-learn; 1 for token ids.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fit on a DataFrame with string column names.
    model_ : keras.Model
        The trained network, mapping ``[values, lengths]`` (right-padded
        steps and true lengths) to its outputs (class logits, or values).
    loss_curve_ : list of float
        Training loss after each epoch.
    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation score after each epoch; None without
        ``early_stopping``.
    best_validation_score_ : float or None
        Best validation score, whose weights were kept; None without
        ``early_stopping``.
    n_iter_ : int
        Number of epochs run (over all calls, with ``warm_start`` or
        ``partial_fit``).
    t_ : int
        Number of training samples seen.
"""


def with_shared_docs(cls):
    """Fill the parameters and attributes every estimator shares into its docstring."""
    cls.__doc__ = cls.__doc__.replace(
        "    %(shared_parameters)s\n", SHARED_PARAMETERS
    ).replace("    %(shared_attributes)s\n", SHARED_ATTRIBUTES)
    return cls


def store_params(estimator, params):
    """Set each ``__init__`` argument (``locals()`` of ``__init__``) unchanged."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
