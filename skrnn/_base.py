"""What every skrnn estimator shares: parameters, network, training and saving.

:class:`BaseSequenceRNN` owns the recurrent network's parameters, the input
pipeline to the network (checks, canonical form, ``window``, ``scaling``), the
atomic training loop and saving. Each estimator is a head on it and provides
the hooks marked abstract: it reads its targets (:meth:`_prepare_targets`),
names its output layer and loss (:meth:`_head`), scores held-out data
(:meth:`_validation_logs`) and decodes outputs (``predict``).
"""

import ast
import inspect
import os
import re
import sys
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skrnn._fixes import Interval, StrOptions, _check_sample_weight, _fit_context
from skrnn._model import OPTIMIZERS, POOLINGS, build_model, compile_model
from skrnn._persistence import save
from skrnn._predict import predict_outputs
from skrnn._preprocessing import (
    feature_statistics,
    stack_windows,
    standardize,
    zscore_sequences,
)
from skrnn._sequences import pad_steps, to_padded
from skrnn._training import Dataset, EpochResult, Stopping, run_epochs
from skrnn._validation import SequenceInputMixin

__all__ = ["BaseSequenceRNN", "Head", "Targets"]

# Parameters that build_model takes as they are.
_LAYER_PARAMS = (
    "units",
    "cell",
    "bidirectional",
    "activation",
    "dropout",
    "recurrent_dropout",
    "embedding_dim",
    "alpha",
    "conv_filters",
    "conv_kernel_size",
    "summary_dropout",
)
# Parameters baked into the built network or its input, which warm starts and
# partial_fit must keep (the tagger has no pooling or window).
_NETWORK_PARAMS = (*_LAYER_PARAMS, "pooling", "scaling", "window")

# batch_size='auto' is min(AUTO_BATCH_SIZE, n_samples).
AUTO_BATCH_SIZE = 32
# window='auto' groups just enough steps that the longest training sequence
# becomes at most this many network steps.
AUTO_WINDOW_STEPS = 25
# The convolutional branch's first block strides so that the longest training
# sequence becomes at most this many of its steps (a cheap first stage for long
# series).
AUTO_CONV_STEPS = 256
# early_stopping='auto' holds out a validation share only when it has at least
# this many sequences: a score over fewer is too noisy to stop on.
MIN_VALIDATION_SEQUENCES = 5


@dataclass(frozen=True)
class Head:
    """What a head puts on the shared network: output width, loss and metrics.

    ``per_step`` asks for one output per step instead of one per sequence;
    ``past_end`` lets the network run past the input's end (see
    :func:`skrnn._model.build_model`).
    """

    n_outputs: int
    loss: object
    metrics: list = field(default_factory=list)
    per_step: bool = False
    past_end: int = None


@dataclass
class Targets:
    """A head's reading of ``y``: training data, and the fitted attributes it sets.

    ``attributes`` maps names to values (``{"classes_": ...}``); they are set
    on the estimator when the fit succeeds and read back by :meth:`_head`.
    """

    data: Dataset
    attributes: dict


@dataclass
class _FitPlan:
    """Everything one call to fit has prepared before running epochs."""

    model: object
    train: Dataset
    validation: Dataset
    rng: np.random.RandomState
    history: dict
    attributes: dict
    network: dict
    continuing: bool
    partial: bool


def _positive_ints(estimator, name, value):
    """``value``, an int or a sequence of them, as a tuple of positive ints."""
    values = (value,) if isinstance(value, Integral) else value
    if len(values) == 0 or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            f"The {name!r} parameter of {type(estimator).__name__} must be a "
            f"positive int or a non-empty tuple of positive ints; got {value!r}."
        )
    return tuple(int(v) for v in values)


def seed_source(random_state):
    """A RandomState for one fit that never draws from numpy's global RNG."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


def _warn_at_caller(message, category):
    """Warn, pointing at the first frame outside skrnn and scikit-learn.

    A fit reached through ``Pipeline`` or ``GridSearchCV`` sits deeper than a
    direct call; the warning should name the user's line either way.
    """
    internal = tuple(
        os.path.dirname(module.__file__) + os.sep
        for module in (sys.modules["skrnn"], sklearn)
    )
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_code.co_filename.startswith(internal):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 1)


class BaseSequenceRNN(SequenceInputMixin, BaseEstimator, metaclass=ABCMeta):
    """Shared machinery of the recurrent estimators; not meant to be used directly.

    A subclass is a head: it implements :meth:`_prepare_targets`,
    :meth:`_head`, :meth:`_validation_logs` and ``predict``, and names the
    held-out score that early stopping monitors in ``_score_name``. Each
    subclass spells out its own ``__init__``, as scikit-learn reads the
    parameters and their defaults from its signature.
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
        "pooling": [StrOptions(set(POOLINGS))],
        "conv_filters": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
        "conv_kernel_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "summary_dropout": [Interval(Real, 0, 1, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "scaling": [StrOptions({"feature", "sequence"}), None],
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
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
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "adaptive"})],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "clipnorm": [Interval(Real, 0, None, closed="neither"), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # NaN marks padding only; missing values inside a sequence are refused.
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------ head hooks

    @abstractmethod
    def _prepare_targets(self, y, values, lengths, *, continuing, partial):
        """Read ``y`` against canonical ``values``/``lengths``.

        Returns
        -------
        targets : Targets
            Training data (``weights`` left None) and the fitted attributes
            ``y`` defines. When ``continuing``, they must agree with the
            fitted ones.
        """

    @abstractmethod
    def _head(self, attributes, dtype):
        """The :class:`Head` for a network fitted with these target attributes."""

    @abstractmethod
    def _validation_logs(self, model, data):
        """Held-out logs: ``val_loss`` and ``val_<_score_name>``, from ``data``."""

    @abstractmethod
    def predict(self, X, sequence_length=None):
        """Predict from sequences ``X``."""

    # ------------------------------------------------------------------ input

    def _units_tuple(self):
        return _positive_ints(self, "units", self.units)

    def _convolution(self):
        """``(filters, kernel sizes)``, checked; filters are None without a branch.

        Kernel sizes stay as given (one, or one per block), so a warm start
        compares the parameter, not its expansion.
        """
        kernels = _positive_ints(self, "conv_kernel_size", self.conv_kernel_size)
        if self.conv_filters is None:
            return None, kernels
        filters = _positive_ints(self, "conv_filters", self.conv_filters)
        if len(kernels) not in (1, len(filters)):
            raise ValueError(
                f"conv_kernel_size={self.conv_kernel_size!r} gives {len(kernels)} "
                f"kernel sizes for the {len(filters)} blocks of conv_filters="
                f"{self.conv_filters!r}. Give one kernel size per block, or a "
                "single int for all of them."
            )
        return filters, kernels

    @property
    def _tokens(self):
        return self.embedding_dim is not None

    def _validate_X(self, X, sequence_length, reset):
        """Return canonical ``(values, lengths)``; on fit, record the input width."""
        X, tabular = self._check_input(X, reset=reset, tokens=self._tokens)
        values, lengths = to_padded(
            X,
            tokens=self._tokens,
            sequence_length=sequence_length,
            padding=self.padding,
            truncating=self.truncating,
            maxlen=self.maxlen,
            mask_value=self.mask_value,
            eos_value=self.eos_value,
        )
        expected = None
        if not reset:
            expected = 1 if self._tokens else self._step_width()
        self._record_features(
            1 if self._tokens else values.shape[2],
            tabular,
            reset=reset,
            expected=expected,
        )
        return values, lengths

    def _step_width(self):
        """Features per input step the fitted network takes (values, not ids).

        The network reads ``window_`` steps side by side; ``n_features_in_``
        counts columns for 2-D input, so it cannot say this.
        """
        return self.model_.inputs[0].shape[-1] // self.window_

    def _window_param(self):
        """The ``window`` parameter; the tagger, which labels every step, has none."""
        return self.window

    def _network_input(self, values, lengths, fit_weights=None):
        """Canonical input as the network reads it: windowed, then scaled.

        With ``fit_weights`` (training, per-sequence weights), ``window_``
        and the scaling statistics are learned on the way. Sequences weigh in
        by their weight (those of weight zero not at all), so a weight acts
        like repeating the sequence here too.
        """
        fitting = fit_weights is not None
        if fitting:
            counted = fit_weights > 0
            if not counted.any():
                raise ValueError("sample_weight is zero for every training sequence.")
            self.window_ = self._fit_window(lengths[counted])
            self.feature_mean_ = self.feature_scale_ = None
        if self._tokens:
            return values, lengths
        values, lengths = stack_windows(values, lengths, self.window_)
        if self.scaling == "feature":
            if fitting:
                real = (np.arange(values.shape[1]) < lengths[:, None]) & counted[
                    :, None
                ]
                step_weights = np.broadcast_to(fit_weights[:, None], real.shape)[real]
                self.feature_mean_, _, self.feature_scale_ = feature_statistics(
                    values[real], step_weights
                )
            values = standardize(
                values, lengths, self.feature_mean_, self.feature_scale_
            )
        elif self.scaling == "sequence":
            values = zscore_sequences(values, lengths)
        return values, lengths

    def _fit_window(self, lengths):
        """``window_`` for training sequences of these lengths."""
        window = self._window_param()
        if self._tokens:
            if window not in (1, "auto"):
                raise ValueError(
                    f"window={window!r} groups steps into one, which token ids "
                    "cannot be; use window=1 with embedding_dim."
                )
            return 1
        if window == "auto":
            return max(1, -(-int(lengths.max()) // AUTO_WINDOW_STEPS))
        return int(window)

    def _require_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )

    def _network_params(self):
        """The parameters baked into a built network (warm starts keep them)."""
        params = self.get_params(deep=False)
        network = {name: params[name] for name in _NETWORK_PARAMS if name in params}
        network["units"] = self._units_tuple()
        if "conv_filters" in params:
            # Checked here, so a bad branch is refused before any work.
            network["conv_filters"], network["conv_kernel_size"] = self._convolution()
        return network

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(AUTO_BATCH_SIZE, n_samples)
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
        plan = self._prepare_fit(
            X, y, sample_weight, sequence_length, partial, head_args
        )
        result = self._run_epochs(plan)
        self._set_fitted(plan, result)
        return self

    def _prepare_fit(self, X, y, sample_weight, sequence_length, partial, head_args):
        """Check the input, read the targets, weigh, seed, and build or reuse."""
        if partial and self.early_stopping != "auto" and self.early_stopping:
            raise ValueError(
                "partial_fit trains one epoch on the data it is given and holds "
                "nothing out, so it does not support early_stopping=True. Set "
                "early_stopping=False, or call fit."
            )
        continuing = hasattr(self, "model_") and (partial or self.warm_start)
        network = self._network_params()
        self._require_y(y)
        values, lengths = self._validate_X(X, sequence_length, reset=not continuing)
        if continuing:
            self._check_network_unchanged(network)
        targets = self._prepare_targets(
            y, values, lengths, continuing=continuing, partial=partial, **head_args
        )
        data = targets.data
        data.weights = self._sample_weights(sample_weight, targets, partial)
        rng = self._rng if continuing and partial else seed_source(self.random_state)
        # Drawn before the split, as it always was, so a fit that holds nothing
        # out builds the same network as before the split came first.
        seed = None if continuing else int(rng.randint(np.iinfo(np.int32).max - 1000))
        # As in HistGradientBoosting: decide and split first, then learn the
        # input's statistics (window_, scaling) and the target scaling on the
        # training part only, so the held-out part never shapes what judges it.
        data, validation = self._split_validation(data, rng, partial)
        if data.weights.sum() == 0:
            raise ValueError("sample_weight is zero for every training sequence.")
        fit_weights = None
        if not continuing:
            # Statistics weigh each sequence as training does (sample_weight
            # times class_weight; a tagger's per-step weights share one value
            # per sequence).
            fit_weights = (
                data.weights if data.weights.ndim == 1 else data.weights.max(axis=1)
            )
        data.values, data.lengths = self._network_input(
            data.values, data.lengths, fit_weights
        )
        if validation is not None:
            validation.values, validation.lengths = self._network_input(
                validation.values, validation.lengths
            )
        self._scale_targets(targets.attributes, data, validation, continuing)
        if continuing:
            model = self.model_
            dtype = model.outputs[0].dtype
        else:
            model = None
            # Precision follows X, as in MLPClassifier; token ids train in float32.
            dtype = (
                "float64"
                if not self._tokens and values.dtype == np.float64
                else "float32"
            )
        if not self._tokens:
            for part in (data, validation):
                if part is not None:
                    part.values = part.values.astype(dtype, copy=False)
        if model is None:
            model = self._build(
                network, data, self._head(targets.attributes, dtype), seed, dtype
            )
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
        return _FitPlan(
            model=model,
            train=data,
            validation=validation,
            rng=rng,
            history=history,
            attributes=targets.attributes,
            network=network,
            continuing=continuing,
            partial=partial,
        )

    def _run_epochs(self, plan):
        """Train ``plan.model``; return the :class:`EpochResult`."""
        stopping = None
        if not plan.partial:
            batch_size = self._batch_size(len(plan.train))
            stopping = Stopping(
                self.tol,
                self.n_iter_no_change,
                self.learning_rate == "adaptive",
                updates_per_epoch=-(-len(plan.train) // batch_size),
                plateau=not plan.continuing,
            )
        return run_epochs(
            plan.model,
            plan.train,
            n_epochs=1 if plan.partial else self.max_iter,
            batch_size=self._batch_size(len(plan.train)),
            shuffle=self.shuffle,
            rng=plan.rng,
            history=plan.history,
            stopping=stopping,
            validation=plan.validation,
            validate=self._validation_logs,
            monitor=f"val_{self._score_name}",
            callbacks=self.callbacks,
            verbose=self.verbose,
        )

    def _set_fitted(self, plan, result: EpochResult):
        """Set the fitted attributes from a finished run."""
        model, history = plan.model, result.history
        if result.best_weights is not None:
            model.set_weights(result.best_weights)
        if not plan.partial and not result.converged and not model.stop_training:
            _warn_at_caller(
                f"{type(self).__name__} stopped at max_iter={self.max_iter} epochs "
                "while still improving; raise max_iter.",
                ConvergenceWarning,
            )
        n_before = len(self.history_["loss"]) if plan.continuing else 0
        n_run = len(history["loss"]) - n_before
        for name, value in plan.attributes.items():
            setattr(self, name, value)
        monitor = f"val_{self._score_name}"
        validating = plan.validation is not None
        self.model_ = model
        self.history_ = history
        self.loss_curve_ = history["loss"]
        self.n_iter_ = len(history["loss"])
        self.t_ = (self.t_ if plan.continuing else 0) + n_run * len(plan.train)
        self.best_loss_ = None if validating else min(history["loss"])
        self.validation_scores_ = history[monitor] if validating else None
        self.best_validation_score_ = max(history[monitor]) if validating else None
        self._network = plan.network
        self._rng = plan.rng

    def _check_network_unchanged(self, network):
        """Refuse to continue training a network that no longer matches."""
        changed = [
            name
            for name, value in network.items()
            if self._network.get(name, value) != value
        ]
        if changed:
            raise ValueError(
                f"Cannot continue training: {', '.join(changed)} changed since the "
                "network was built. Restore them, or set warm_start=False to train "
                "a new network."
            )

    def _sample_weights(self, sample_weight, targets, partial):
        """Per-sequence training weights; subclasses add their own factors."""
        return _check_sample_weight(
            sample_weight, targets.data.lengths, ensure_non_negative=True
        )

    def _scale_targets(self, attributes, train, validation, continuing):
        """Rescale the targets of ``train`` and ``validation`` in place.

        A head whose targets are numbers of any scale (the regressor) learns
        its scaling here, from ``train`` only, into ``attributes``; by
        default targets are used as they are.
        """

    def _stratify(self, data):
        """Labels to stratify the early-stopping split by; None: no stratifying."""
        return None

    def _split_validation(self, data, rng, partial):
        """``(train, validation)``; validation is None when nothing is held out.

        ``early_stopping='auto'`` holds out only outside ``partial_fit``, with
        at least ``MIN_VALIDATION_SEQUENCES`` held out, and when the split can
        be made (a classifier's split is stratified); ``True`` always.
        """
        if not self.early_stopping:
            return data, None
        auto = self.early_stopping == "auto"
        # train_test_split holds out ceil(validation_fraction * n) sequences.
        n_held_out = np.ceil(self.validation_fraction * len(data))
        if auto and (partial or n_held_out < MIN_VALIDATION_SEQUENCES):
            return data, None
        try:
            train, validation = train_test_split(
                np.arange(len(data)),
                test_size=self.validation_fraction,
                stratify=self._stratify(data),
                random_state=rng,
            )
        except ValueError as error:
            if auto:
                return data, None
            raise ValueError(
                f"early_stopping cannot hold out validation_fraction="
                f"{self.validation_fraction} of {len(data)} sequences "
                f"({error}). Raise validation_fraction, pass more sequences, or "
                "set early_stopping=False."
            ) from None
        return data.subset(train), data.subset(validation)

    def _build(self, network, data, head, seed, dtype):
        values = data.values
        layers = {name: network.get(name) for name in _LAYER_PARAMS}
        filters, kernels = layers["conv_filters"], layers["conv_kernel_size"]
        if filters is not None:
            layers["conv_kernel_size"] = kernels * (len(filters) // len(kernels))
            longest = int(data.lengths.max()) * self.window_
            layers["conv_stride"] = max(1, -(-longest // AUTO_CONV_STEPS))
        model = build_model(
            n_features=1 if self._tokens else values.shape[-1],
            n_outputs=head.n_outputs,
            vocabulary_size=int(values.max()) + 1 if self._tokens else None,
            seed=seed,
            dtype=dtype,
            per_step=head.per_step,
            past_end=head.past_end,
            **{name: value for name, value in layers.items() if value is not None},
            pooling=network.get("pooling", "last"),
            window=self.window_,
        )
        return compile_model(
            model,
            loss=head.loss,
            metrics=head.metrics,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate_init,
            momentum=self.momentum,
            clipnorm=self.clipnorm,
        )

    # ------------------------------------------------------------- prediction

    def _outputs(self, X, sequence_length):
        """Network outputs for ``X``, float64, in the caller's order."""
        check_is_fitted(self)
        values, lengths = self._validate_X(X, sequence_length, reset=False)
        return self._network_outputs(*self._network_input(values, lengths))

    def _network_outputs(self, values, lengths, steps=None):
        """Run the network on its input; ``steps`` as in ``predict_outputs``."""
        if steps is not None:
            values = pad_steps(values, steps.max())
        if self._tokens:
            self._check_vocabulary(values, lengths)
        else:
            values = values.astype(self.model_.inputs[0].dtype, copy=False)
        # The backend's compiled forward pass reads model_'s own weights.
        return predict_outputs(self.model_, values, lengths, steps)

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

    def export(self, path, format="onnx"):
        """Write the fitted estimator as an ONNX model, to serve without TensorFlow.

        See :func:`skrnn.export` (which also takes a ``Pipeline`` with a
        ``SequenceStandardScaler`` in front) for the graph's inputs and
        outputs.

        Parameters
        ----------
        path : str or path-like
            Destination file, customarily ``.onnx`` (a new directory for
            ``'tf_saved_model'``).
        format : {'onnx', 'tf_saved_model'}, default='onnx'
            ONNX for onnxruntime, or a TensorFlow SavedModel for TensorFlow
            Serving with the same signature.

        Returns
        -------
        path : pathlib.Path
            The file (or directory) written.
        """
        from skrnn._export import export

        return export(self, path, format=format)

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
    pooling : {'attention', 'last', 'mean', 'max'}, default='attention'
        How the recurrent outputs become one vector per sequence: a learned
        softmax-weighted mean over its real steps (attention), the output at
        its last real step (for a bidirectional network, the final states of
        both directions), or the mean or the maximum over its real steps.
        Padding never enters, whichever is chosen. ``'attention'`` had the
        best mean cross-validated accuracy on the training splits of the
        benchmark panel; ``'last'`` did better on short series (24-29 steps).
    conv_filters : tuple of int or None, default=(32, 64, 32)
        A convolutional branch beside the recurrent network (the LSTM-FCN
        design): one block per entry, each a 1-D convolution with this many
        filters, layer normalisation across the filters of each step and
        ReLU, then the mean over real steps, joined to the recurrent summary
        before the output layer. Padding never reaches it: padded steps are
        zeroed before every convolution and the mean is taken over real steps
        only, so a sequence's prediction is that of the sequence alone; no
        statistic crosses sequences, so training never depends on how
        sequences are batched and a sample weight acts like repeating the
        sequence. It reads the original steps (unstacking ``window``); for long
        series its first block strides so that the longest training
        sequence becomes at most 256 of its steps. None: no branch, the
        recurrent network alone. With it, the mean cross-validated accuracy
        on the training splits of the nine UCR/UEA classification problems
        of the benchmark panel rose from 0.775 to 0.848 (OSULeaf 0.58 to
        0.79, ACSF1 0.54 to 0.68, Trace 0.76 to 0.97; ArrowHead fell from
        0.86 to 0.78).
    conv_kernel_size : int or tuple of int, default=(8, 5, 3)
        Kernel width of each block of the convolutional branch, one per
        entry of ``conv_filters`` (an int: the same for all). The first
        block's kernel spans this many of its strided steps.
    summary_dropout : float, default=0.5
        With the convolutional branch: the share of training sequences whose
        whole recurrent summary is dropped (set to zero, the others scaled
        up) before the output layer, so that the branch also learns to
        classify alone and the recurrent network, which fits small training
        sets fast, does not crowd it out. Ignored without the branch.
        Each sequence's draw comes from its own values and the update count,
        not its place in the batch, so sample weights stay exact. Chosen on
        the panel's training splits: mean cross-validated accuracy 0.833
        against 0.819 for LSTM-FCN's dropout of 0.8 of the summary's units.
    embedding_dim : int, default=None
        None: steps are numeric features. An int: steps are integer token ids
        (0, 1, 2, ...), fed through a ``keras.layers.Embedding`` of this
        width whose vocabulary is the ids seen at fit (0 to the largest).
        Ids larger than any seen at fit are refused at predict.
    scaling : {'feature', 'sequence'} or None, default='feature'
        Standardisation of numeric steps before the network. ``'feature'``:
        each feature by its mean and standard deviation over the real steps
        of the training data (learned at fit, kept in ``feature_mean_`` and
        ``feature_scale_``). ``'sequence'``: each feature of each sequence by
        that sequence's own real steps (z-normalisation, nothing learned).
        None: values as given. Token ids are never scaled. ``'feature'`` was
        chosen on the panel's training splits; ``'sequence'`` loses the
        level and spread that tell many series apart.
    window : int or 'auto', default='auto'
        Steps read as one network step: each ``window`` consecutive real
        steps go side by side as the features of one network step
        (``window * n_features`` inputs; a sequence's last, partial window
        repeats its last real step). Long series become shorter, so easier
        for a recurrent network to learn from and faster to read, and no
        value is dropped. ``'auto'`` picks the smallest window that makes
        the longest training sequence at most 25 network steps
        (``window_``; 1 for sequences of up to 25 steps). Token ids need
        ``window=1`` (``'auto'`` gives 1).
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
    max_iter : int, default=500
        Maximum number of epochs (passes over the training data) per call to
        ``fit``.
    batch_size : int or 'auto', default='auto'
        Sequences per training step; ``'auto'`` is ``min(32, n_samples)``.
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
    clipnorm : float, default=5.0
        Clip each variable's gradient to this norm; guards recurrent networks
        against exploding gradients. None: no clipping. Chosen by
        measurement: with it, the default tagger learns running parity
        (per-step accuracy 1.000 against 0.685 without); the mean
        cross-validated accuracy on the UCR/UEA panel is 0.812 against 0.804
        without (0.800 with a norm of 1.0), and the mean R² on its regression
        problems 0.052 against 0.083 (Tecator 0.78 against 0.83).
    alpha : float, default=0.0001
        L2 penalty: ``alpha`` times the sum of squared kernel weights is
        added to the mean training loss.
    early_stopping : bool or 'auto', default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class for a classifier) and stop when its score (accuracy, or R² for
        a regressor) has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the weights of the best epoch are kept. ``partial_fit``
        refuses True. ``'auto'`` holds out only where that share is at least
        5 sequences and, for a classifier, can be stratified (every class at
        least twice, and at least one held-out sequence per class); never in
        ``partial_fit``. Elsewhere it trains on all the data. It is the
        regressor's default: on the UCR/UEA regression problems it raised
        the cross-validated R² on the training splits on all three
        (CardanoSentiment -0.56 to -0.12, Covid3Month -0.06 to -0.05,
        Tecator 0.78 to 0.81). On the classification problems it lowered
        the mean accuracy (0.812 to 0.806; JapaneseVowels 0.97 to 0.91,
        ItalyPowerDemand 0.90 to 0.85, OSULeaf 0.58 to 0.65), so the
        classifier and the tagger default to False.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    tol : float, default=1e-4
        Improvement that counts: of the training loss (lower), or of the
        validation score (higher) with ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops (or, with
        ``learning_rate='adaptive'``, before the learning rate drops), and at
        least enough epochs for 250 updates, so small data sets (a few
        updates per epoch) are not stopped on their initial plateau. Nor is
        a network that has not started learning: epochs count only once the
        training loss is 10% below the first epoch's (or after 10,000
        updates).
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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when fit on a DataFrame with string column names.
    window_ : int
        Steps read as one network step (1 for token ids).
    feature_mean_ : ndarray of shape (`window_` * n_features,) or None
        With ``scaling='feature'``: the mean of each network input over the
        real (windowed) training steps; None otherwise.
    feature_scale_ : ndarray of shape (`window_` * n_features,) or None
        With ``scaling='feature'``: the standard deviation of each network
        input (1 where it is constant); None otherwise.
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


def _entries(text):
    """numpydoc entries of ``text``, keyed by the name they document."""
    entries = re.split(r"\n(?=    \w)", text.rstrip("\n"))
    return {entry.split(" :")[0].strip(): entry + "\n" for entry in entries}


def _with_default(entry, default):
    """``entry`` with the default its class's signature gives, where it differs."""
    head, rest = entry.split("\n", 1)
    documented = head.rpartition("default=")[2]
    if ast.literal_eval(documented) == default:
        return entry
    return f"{head.rpartition('default=')[0]}default={default!r}\n{rest}"


def with_shared_docs(cls):
    """Fill the shared parameters and attributes into the class docstring.

    Only the parameters of the class's own ``__init__`` are documented (the
    tagger has no ``pooling`` or ``window``), and only the attributes that go
    with them.
    """
    signature = inspect.signature(cls.__init__).parameters
    parameters = "".join(
        _with_default(entry, signature[name].default)
        for name, entry in _entries(SHARED_PARAMETERS).items()
        if name in signature
    )
    attributes = "".join(
        entry
        for name, entry in _entries(SHARED_ATTRIBUTES).items()
        if name != "window_" or "window" in signature
    )
    cls.__doc__ = cls.__doc__.replace(
        "    %(shared_parameters)s\n", parameters
    ).replace("    %(shared_attributes)s\n", attributes)
    return cls


def store_params(estimator, params):
    """Set each ``__init__`` argument (``locals()`` of ``__init__``) unchanged."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
