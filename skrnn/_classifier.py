"""scikit-learn classifier wrapping a length-masked Keras recurrent network."""

import warnings
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
)

from skrnn._base import SequenceInputMixin
from skrnn._model import build_model
from skrnn._sequences import to_padded
from skrnn._training import (
    Dataset,
    Stopping,
    log_softmax,
    predict_logits,
    run_epochs,
)

__all__ = ["SequenceRNNClassifier"]

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


def _seed_source(random_state):
    """A RandomState for this fit that never draws from numpy's global RNG."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


class SequenceRNNClassifier(ClassifierMixin, SequenceInputMixin, BaseEstimator):
    """Recurrent-network classifier for variable-length sequences.

    A Keras 3 recurrent network (SimpleRNN by default, LSTM or GRU on request)
    reads each sequence up to its true last step, and a dense softmax layer
    classifies the final state. Sequences may be given as a ragged list, as
    padded 2-D or 3-D arrays, as integer token ids, or as a padded array with
    their true lengths passed beside it; see the input conventions in the
    README. Padding is found from lengths, never from values inside a
    sequence.

    Parameters
    ----------
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
        Hold out ``validation_fraction`` of the training data (stratified)
        and stop when its accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the weights of the best epoch are kept.
        Ignored by ``partial_fit``.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    tol : float, default=1e-4
        Improvement that counts: of the training loss (lower), or of the
        validation accuracy (higher) with ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops (or, with
        ``learning_rate='adaptive'``, before the learning rate drops).
    shuffle : bool, default=True
        Whether to shuffle the training sequences before each epoch.
    class_weight : dict, 'balanced' or None, default=None
        Weight of each class, keyed by label; ``'balanced'`` weighs classes
        inversely to their frequency. Multiplies ``sample_weight``.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks, deep-copied for each fit so clones and grid-search
        candidates never share their state. They see the usual events; an
        epoch's logs hold ``loss`` and ``accuracy`` (and ``val_loss`` and
        ``val_accuracy`` with ``early_stopping``), and setting
        ``model.stop_training`` ends training.
    warm_start : bool, default=False
        Continue from the fitted network on the next ``fit`` instead of
        starting anew (same classes, features and network required).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. An int gives the same model on every fit. None draws fresh
        randomness for each fit. Global random state (NumPy's, Python's,
        Keras') is never read or changed.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar with loss and accuracy
        for each epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen at fit.
    n_features_in_ : int
        Features per step; for a 2-D array (univariate sequences, one column
        per step) the number of columns, as in scikit-learn; 1 for token ids.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fit on a DataFrame with string column names.
    model_ : keras.Model
        The trained network, mapping ``[values, lengths]`` (right-padded
        steps and true lengths) to class logits.
    history_ : dict of str to list of float
        Per-epoch metrics: ``'loss'`` and ``'accuracy'`` on the training
        data, plus ``'val_loss'`` and ``'val_accuracy'`` with
        ``early_stopping``.
    loss_curve_ : list of float
        Training loss after each epoch.
    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation accuracy after each epoch; None without
        ``early_stopping``.
    best_validation_score_ : float or None
        Best validation accuracy, whose weights were kept; None without
        ``early_stopping``.
    n_iter_ : int
        Number of epochs run (over all calls, with ``warm_start`` or
        ``partial_fit``).
    t_ : int
        Number of training samples seen.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron on
        fixed-width vectors.

    Notes
    -----
    The network computes in float32 when ``X`` is float32 or token ids and
    in float64 otherwise, as ``MLPClassifier`` does; float32 input trains
    about three times faster on CPU.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import SequenceRNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(n, 2)) for n in rng.randint(3, 9, size=40)]
    >>> y = [int(seq[:, 0].sum() > 0) for seq in X]
    >>> clf = SequenceRNNClassifier(units=8, max_iter=20, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

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
        "class_weight": [dict, StrOptions({"balanced"}), None],
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
        class_weight=None,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.units = units
        self.cell = cell
        self.bidirectional = bidirectional
        self.activation = activation
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.embedding_dim = embedding_dim
        self.padding = padding
        self.truncating = truncating
        self.maxlen = maxlen
        self.mask_value = mask_value
        self.eos_value = eos_value
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.clipnorm = clipnorm
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

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
                "The 'units' parameter of SequenceRNNClassifier must be a positive "
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

    def _validate_y(self, y, n_samples):
        """Return ``y`` as a 1-D array of labels, one per sequence."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} supports binary and multiclass targets; got "
                f"a {target_type} target. Pass one label per sequence."
            )
        y = column_or_1d(y, warn=True)
        if len(y) != n_samples:
            raise ValueError(
                f"X has {n_samples} sequences but y has {len(y)} labels; pass one "
                "label per sequence."
            )
        return y

    def _network_params(self):
        """The parameters baked into a built network (warm starts keep them)."""
        return {name: getattr(self, name) for name in _NETWORK_PARAMS} | {
            "units": self._units_tuple()
        }

    def _sample_weights(self, sample_weight, targets, classes, partial):
        """Per-sequence weights: ``sample_weight`` times ``class_weight``."""
        weights = _check_sample_weight(sample_weight, targets, ensure_non_negative=True)
        if self.class_weight is None:
            return weights
        if isinstance(self.class_weight, str):
            if partial:
                raise ValueError(
                    "class_weight='balanced' needs the whole training set, so "
                    "partial_fit does not support it; pass a dict of class weights."
                )
            per_class = compute_class_weight(
                "balanced", classes=np.arange(len(classes)), y=targets
            )
        else:
            unknown = set(self.class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(map(str, unknown))} that are "
                    f"not among the classes {classes.tolist()}; key it by label."
                )
            per_class = np.array([self.class_weight.get(c, 1.0) for c in classes])
        return weights * per_class[targets]

    def _split_validation(self, data, rng):
        try:
            train, validation = train_test_split(
                np.arange(len(data)),
                test_size=self.validation_fraction,
                stratify=data.targets,
                random_state=rng,
            )
        except ValueError as error:
            raise ValueError(
                f"early_stopping cannot hold out validation_fraction="
                f"{self.validation_fraction} of {len(data)} sequences with every "
                f"class on both sides ({error}). Raise validation_fraction, pass "
                "more sequences, or set early_stopping=False."
            ) from None
        return data.subset(train), data.subset(validation)

    # ---------------------------------------------------------------- fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, sequence_length=None):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Training sequences; see the class docstring for the accepted forms.
        y : array-like of shape (n_samples,)
            Class labels (ints, strings, bools, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sequence; the loss is the weighted mean
            over sequences, so an integer weight acts like repeating the
            sequence. Zero weights ignore a sequence.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array, which then need no
            padding value.

        Returns
        -------
        self : SequenceRNNClassifier
            The fitted estimator.
        """
        return self._fit_atomically(X, y, sample_weight, sequence_length)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, sequence_length=None):
        """Train for one epoch on ``X``, continuing from the current network.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Training sequences.
        y : array-like of shape (n_samples,)
            Class labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call will see; required on the first call,
            ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sequence.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        self : SequenceRNNClassifier
            The updated estimator.
        """
        return self._fit_atomically(
            X, y, sample_weight, sequence_length, partial=True, classes=classes
        )

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

    def _fit(self, X, y, sample_weight, sequence_length, partial=False, classes=None):
        continuing = hasattr(self, "model_") and (partial or self.warm_start)
        network = self._network_params()
        values, lengths = self._validate_X(X, sequence_length, reset=not continuing)
        y = self._validate_y(y, len(lengths))
        if continuing:
            self._check_continuation(network, y, partial)
            classes = self.classes_
        elif partial:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: every "
                    "label that any call will see."
                )
            classes = np.unique(classes)
            self._check_labels_known(y, classes)
        else:
            classes = np.unique(y)
        targets = np.searchsorted(classes, y)
        weights = self._sample_weights(sample_weight, targets, classes, partial)
        n_weighted = len(np.unique(targets[weights > 0]))
        if len(classes) < 2 or (n_weighted < 2 and not partial):
            raise ValueError(
                "Classifier can't train when only one class is present: y, counting "
                f"only samples with non-zero sample_weight, has {n_weighted} class. "
                "Pass sequences of at least two classes."
            )
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
            values = values.astype(dtype, copy=False)
        rng = self._rng if continuing and partial else _seed_source(self.random_state)
        if model is None:
            model = self._build(network, values, classes, rng, dtype)
        data = Dataset(values, lengths, targets, weights)
        validation = None
        if self.early_stopping and not partial:
            data, validation = self._split_validation(data, rng)
        if data.weights.sum() == 0:
            raise ValueError("sample_weight is zero for every training sequence.")
        # Keras divides the weighted loss by the batch size; scaling the weights
        # to average 1 makes the loss the weighted mean, sum(w * l) / sum(w), so
        # integer weights act exactly like repeated samples.
        data.weights = (data.weights * (len(data) / data.weights.sum())).astype(dtype)
        history = (
            {name: list(curve) for name, curve in self.history_.items()}
            if continuing
            else {}
        )
        n_before = len(history.get("loss", ()))
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
        self.classes_ = classes
        self.model_ = model
        self.history_ = history
        self.loss_curve_ = history["loss"]
        self.n_iter_ = len(history["loss"])
        self.t_ = (self.t_ if continuing else 0) + n_run * len(data)
        validating = validation is not None
        self.best_loss_ = None if validating else min(history["loss"])
        self.validation_scores_ = history["val_accuracy"] if validating else None
        self.best_validation_score_ = (
            max(history["val_accuracy"]) if validating else None
        )
        self._network = network
        self._rng = rng
        return self

    def _check_labels_known(self, y, classes):
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y has labels {unseen.tolist()[:5]} that are not among the classes "
                f"{classes.tolist()} given on the first call to partial_fit."
            )

    def _check_continuation(self, network, y, partial):
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
        if partial:
            self._check_labels_known(y, self.classes_)
        elif not np.array_equal(np.unique(y), self.classes_):
            raise ValueError(
                "warm_start can only continue with the classes of the previous fit "
                f"{self.classes_.tolist()}; y has {np.unique(y).tolist()}. Set "
                "warm_start=False to train a new network."
            )

    def _build(self, network, values, classes, rng, dtype):
        tokens = network["embedding_dim"] is not None
        model = build_model(
            n_features=1 if tokens else values.shape[-1],
            n_outputs=len(classes),
            vocabulary_size=int(values.max()) + 1 if tokens else None,
            seed=int(rng.randint(np.iinfo(np.int32).max - 1000)),
            dtype=dtype,
            **network,
        )
        optimizers = {
            "adam": keras.optimizers.Adam,
            "rmsprop": keras.optimizers.RMSprop,
            "sgd": keras.optimizers.SGD,
        }
        options = {"momentum": self.momentum} if self.optimizer == "sgd" else {}
        model.compile(
            optimizer=optimizers[self.optimizer](
                learning_rate=self.learning_rate_init, clipnorm=self.clipnorm, **options
            ),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )
        return model

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    # ------------------------------------------------------------- prediction

    def _logits(self, X, sequence_length):
        check_is_fitted(self)
        values, lengths = self._validate_X(X, sequence_length, reset=False)
        if self.embedding_dim is None:
            values = values.astype(self.model_.inputs[0].dtype, copy=False)
        else:
            self._check_vocabulary(values, lengths)
        return predict_logits(self.model_, values, lengths)

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

    def predict_log_proba(self, X, sequence_length=None):
        """Log of the class probabilities of each sequence.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Sequences in any accepted form.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        return log_softmax(self._logits(X, sequence_length))

    def predict_proba(self, X, sequence_length=None):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Sequences in any accepted form.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X, sequence_length))

    def predict(self, X, sequence_length=None):
        """Most probable class of each sequence.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Sequences in any accepted form.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, drawn from ``classes_``.
        """
        best = self._logits(X, sequence_length).argmax(axis=1)
        return self.classes_[best]

    def score(self, X, y, sample_weight=None, sequence_length=None):
        """Mean accuracy on the given sequences and labels.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Sequences in any accepted form.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the mean.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        score : float
            Fraction of correctly classified sequences.
        """
        return accuracy_score(
            y,
            self.predict(X, sequence_length=sequence_length),
            sample_weight=sample_weight,
        )
