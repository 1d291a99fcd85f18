"""What every skrnn estimator shares: parameters, network, training and saving.

:class:`BaseSequenceRNN` owns the recurrent network's parameters, the input
pipeline to the network (checks, canonical form, ``window``, ``scaling``), the
atomic training loop and saving. Each estimator names its task
(:mod:`skrnn._tasks`: targets, loss, held-out score, decoding) and keeps the
public methods.
"""

import os
import sys
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skrnn._fixes import Interval, StrOptions, _check_sample_weight, _fit_context
from skrnn._input import NetworkInputMixin
from skrnn._model import OPTIMIZERS, POOLINGS
from skrnn._network import NetworkMixin
from skrnn._persistence import save
from skrnn._predict import predict_outputs
from skrnn._runners import runner
from skrnn._sequences import pad_steps
from skrnn._training import Dataset, EpochResult, Stopping, run_epochs

__all__ = ["BaseSequenceRNN"]

# batch_size='auto' is min(AUTO_BATCH_SIZE, n_samples).
AUTO_BATCH_SIZE = 32
# early_stopping='auto' holds out a validation share only when it has at least
# this many sequences: a score over fewer is too noisy to stop on.
MIN_VALIDATION_SEQUENCES = 5


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


class BaseSequenceRNN(
    NetworkInputMixin, NetworkMixin, BaseEstimator, metaclass=ABCMeta
):
    """Shared machinery of the recurrent estimators; not meant to be used directly.

    A subclass names its task (``_task``, see :mod:`skrnn._tasks`), which
    reads the targets, chooses the loss and output width, scores held-out
    data and decodes outputs; the subclass keeps the public methods. Each
    subclass spells out its own ``__init__``, as scikit-learn reads the
    parameters and their defaults from its signature.
    """

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
        "conv_znorm": ["boolean"],
        "summary_dropout": [Interval(Real, 0, 1, closed="left")],
        "linear_steps": ["boolean", StrOptions({"auto"})],
        "network_dropout": [Interval(Real, 0, 1, closed="left")],
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
        "weight_average": [Interval(Real, 0, 1, closed="neither"), None],
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

    # ------------------------------------------------------------------ task

    @property
    @abstractmethod
    def _task(self):
        """The task (see :mod:`skrnn._tasks`) built from the parameters alone."""

    @property
    def _fitted_task(self):
        """The task with this estimator's fitted attributes."""
        return self._task.with_attributes(vars(self))

    @abstractmethod
    def predict(self, X, sequence_length=None):
        """Predict from sequences ``X``."""

    # ------------------------------------------------------------------ input

    def _require_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )

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
        task = self._task
        previous = self._fitted_task if continuing else None
        targets = task.read_targets(
            y, values, lengths, previous, partial=partial, **head_args
        )
        data = targets.data
        data.weights = task.sample_weights(
            _check_sample_weight(sample_weight, lengths, ensure_non_negative=True),
            targets,
            partial,
        )
        rng = self._rng if continuing and partial else seed_source(self.random_state)
        # Drawn before the split, as it always was, so a fit that holds nothing
        # out builds the same network as before the split came first.
        seed = None if continuing else int(rng.randint(np.iinfo(np.int32).max - 1000))
        # As in HistGradientBoosting: decide and split first, then learn the
        # input's statistics (window_, scaling) and the target scaling on the
        # training part only, so the held-out part never shapes what judges it.
        data, validation = self._split_validation(data, rng, partial, task)
        # A split copies its parts: the whole canonical array need not live on.
        input_dtype = values.dtype
        del values
        targets.data = None
        if data.weights.sum() == 0:
            raise ValueError("sample_weight is zero for every training sequence.")
        if continuing:
            pipeline = self._input_pipeline
        else:
            # Statistics weigh each sequence as training does (sample_weight
            # times class_weight; a tagger's per-step weights share one value
            # per sequence).
            pipeline = self._fit_input_pipeline(
                data.values,
                data.lengths,
                data.weights if data.weights.ndim == 1 else data.weights.max(axis=1),
            )
        for part in (data, validation):
            if part is not None:
                # The canonical arrays are the estimator's own: no copy.
                part.values, part.lengths = pipeline.transform(
                    part.values, part.lengths, in_place=True
                )
        task.scale_targets(targets.attributes, data, validation, previous)
        if continuing:
            model = self.model_
            dtype = model.outputs[0].dtype
        else:
            model = None
            # Precision follows X, as in MLPClassifier, where the backend
            # computes in float64; token ids train in float32.
            dtype = (
                "float64"
                if not self._tokens and input_dtype == np.float64 and runner().float64
                else "float32"
            )
        if not self._tokens:
            for part in (data, validation):
                if part is not None:
                    part.values = part.values.astype(dtype, copy=False)
        if model is None:
            model = self._build(
                network, data, task.head(targets.attributes, dtype), seed, dtype
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
            average=not plan.partial,
            validation=plan.validation,
            validate=self._validation_logs,
            monitor=f"val_{self._task.score_name}",
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
        monitor = f"val_{self._task.score_name}"
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

    def _validation_logs(self, model, data):
        """Held-out logs of ``model`` on ``data``: the task's loss and score."""
        outputs = predict_outputs(model, data.values, data.lengths, data.steps)
        return self._task.validation_logs(outputs, data)

    def _split_validation(self, data, rng, partial, task):
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
                stratify=task.stratify(data),
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

    # ------------------------------------------------------------- prediction

    def _outputs(self, X, sequence_length):
        """Network outputs for ``X``, float64, in the caller's order."""
        check_is_fitted(self)
        values, lengths = self._validate_X(X, sequence_length, reset=False)
        return self._network_outputs(
            *self._network_input(values, lengths, in_place=True)
        )

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

    # ---------------------------------------------------------------- saving

    def _export_description(self):
        """The fitted estimator as the exporters read it (plain data)."""
        from skrnn._export import Description

        return Description(
            pipeline=self._input_pipeline,
            model=self.model_,
            network=self._network,
            task=self._fitted_task,
            name=type(self).__name__,
            params=self.get_params(deep=False),
        )

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
