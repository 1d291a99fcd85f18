"""scikit-learn classifier wrapping a length-masked Keras recurrent network."""

import warnings
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from skrnn._model import build_model
from skrnn._sequences import check_n_features, is_ragged, to_padded

__all__ = ["SequenceRNNClassifier"]

_FLOAT_DTYPES = (np.float64, np.float32)
# Sequences per compiled predict call: large enough to amortise the call,
# small enough to keep the padded batch in cache-friendly memory.
_PREDICT_BATCH_SIZE = 1024


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _seed_source(random_state):
    """A RandomState for this fit that never draws from numpy's global RNG."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


class SequenceRNNClassifier(ClassifierMixin, BaseEstimator):
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
        Maximum number of epochs (passes over the training data).
    batch_size : int or 'auto', default='auto'
        Sequences per training step; ``'auto'`` is ``min(200, n_samples)``.
        Larger values are clipped to the number of samples.
    learning_rate_init : float, default=0.001
        Learning rate of the Adam optimizer.
    alpha : float, default=0.0001
        L2 penalty: ``alpha`` times the sum of squared kernel weights is
        added to the mean training loss.
    tol : float, default=1e-4
        Training stops when the epoch's training loss has not improved by at
        least ``tol`` for ``n_iter_no_change`` consecutive epochs.
    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before training stops.
    shuffle : bool, default=True
        Whether to shuffle the training sequences before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and shuffling. An int gives the
        same model on every fit. None draws fresh randomness for each fit.
        Global random state (NumPy's, Python's, Keras') is never read or
        changed.
    verbose : int, default=0
        0 is silent; 1 or more prints the loss and accuracy after each epoch.

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
        Per-epoch training metrics: ``'loss'`` and ``'accuracy'``.
    loss_curve_ : list of float
        Training loss after each epoch.
    n_iter_ : int
        Number of epochs run.
    t_ : int
        Number of training samples seen, ``n_iter_ * n_samples``.

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
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
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
        learning_rate_init=0.001,
        alpha=0.0001,
        tol=1e-4,
        n_iter_no_change=10,
        shuffle=True,
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
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
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
        tabular = False
        if not is_ragged(X):
            array = X if hasattr(X, "ndim") or hasattr(X, "shape") else np.asarray(X)
            if getattr(array, "dtype", None) is not None and array.dtype.kind in "USa":
                raise TypeError(
                    f"X has dtype {array.dtype}; expected numbers. Encode strings "
                    "as integer token ids (for example with sklearn's "
                    "OrdinalEncoder) and set embedding_dim."
                )
            dtype = "numeric" if tokens else _FLOAT_DTYPES
            # A 2-D array is tabular (one column per step), as in scikit-learn:
            # its width and column names are checked like any estimator's.
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
        n_features = 1 if tokens else values.shape[2]
        if reset:
            if not tabular:
                self.n_features_in_ = n_features
                self.__dict__.pop("feature_names_in_", None)
            self._tabular_input = tabular
        else:
            expected = 1 if tokens else self.model_.inputs[0].shape[-1]
            check_n_features(n_features, expected, type(self).__name__)
        return values, lengths

    def _validate_y(self, y, n_samples):
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
        return np.unique(y, return_inverse=True)

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
            over sequences. Zero weights ignore a sequence.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array, which then need no
            padding value.

        Returns
        -------
        self : SequenceRNNClassifier
            The fitted estimator.
        """
        before = self.__dict__.copy()
        try:
            return self._fit(X, y, sample_weight, sequence_length)
        except BaseException:
            # Never leave a half-updated estimator behind.
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit(self, X, y, sample_weight, sequence_length):
        units = self._units_tuple()
        values, lengths = self._validate_X(X, sequence_length, reset=True)
        classes, y_encoded = self._validate_y(y, len(lengths))
        sample_weight = _check_sample_weight(
            sample_weight, values, ensure_non_negative=True
        )
        weighted_classes = np.unique(y_encoded[sample_weight > 0])
        if len(weighted_classes) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y, counting "
                "only samples with non-zero sample_weight, has "
                f"{len(weighted_classes)} class. Pass sequences of at least two "
                "classes."
            )
        tokens = self.embedding_dim is not None
        dtype = "float64" if not tokens and values.dtype == np.float64 else "float32"
        if not tokens:
            values = values.astype(dtype, copy=False)
        rng = _seed_source(self.random_state)
        model = build_model(
            n_features=values.shape[-1] if not tokens else 1,
            n_outputs=len(classes),
            units=units,
            cell=self.cell,
            bidirectional=self.bidirectional,
            activation=self.activation,
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            embedding_dim=self.embedding_dim,
            vocabulary_size=int(values.max()) + 1 if tokens else None,
            alpha=self.alpha,
            seed=int(rng.randint(np.iinfo(np.int32).max - 1000)),
            dtype=dtype,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate_init),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )
        # Keras divides the weighted loss by the batch size; scaling the weights
        # to average 1 makes the loss the weighted mean, sum(w * l) / sum(w), so
        # integer weights act exactly like repeated samples.
        sample_weight = sample_weight * (len(sample_weight) / sample_weight.sum())
        history = self._train(
            model, values, lengths, y_encoded, sample_weight.astype(dtype), rng
        )
        self.classes_ = classes
        self.model_ = model
        self.history_ = history
        self.loss_curve_ = history["loss"]
        self.n_iter_ = len(history["loss"])
        self.t_ = self.n_iter_ * len(lengths)
        return self

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _train(self, model, values, lengths, y, sample_weight, rng):
        """Run up to ``max_iter`` epochs; return the per-epoch history."""
        n_samples = len(lengths)
        batch_size = self._batch_size(n_samples)
        history = {"loss": [], "accuracy": []}
        best_loss, no_improvement = np.inf, 0
        for epoch in range(self.max_iter):
            order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
            totals = dict.fromkeys(history, 0.0)
            for start in range(0, n_samples, batch_size):
                batch = order[start : start + batch_size]
                # Each batch is padded only to its own longest sequence.
                width = lengths[batch].max()
                logs = model.train_on_batch(
                    [values[batch, :width], lengths[batch]],
                    y[batch],
                    sample_weight=sample_weight[batch],
                    return_dict=True,
                )
                for name in totals:
                    totals[name] += logs[name] * len(batch)
            for name in history:
                history[name].append(totals[name] / n_samples)
            loss = history["loss"][-1]
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}/{self.max_iter}: loss={loss:.6f}, "
                    f"accuracy={history['accuracy'][-1]:.4f}"
                )
            if not np.isfinite(loss):
                raise ValueError(
                    f"Training diverged: the loss became {loss} at epoch {epoch + 1}. "
                    "Lower learning_rate_init, scale the features (large raw values "
                    "make recurrent networks unstable), or use cell='lstm'/'gru'."
                )
            no_improvement = no_improvement + 1 if loss > best_loss - self.tol else 0
            best_loss = min(best_loss, loss)
            if no_improvement >= self.n_iter_no_change:
                break
        else:
            warnings.warn(
                f"SequenceRNNClassifier stopped at max_iter={self.max_iter} epochs "
                "while the training loss was still improving; raise max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return history

    # ------------------------------------------------------------- prediction

    def _logits(self, X, sequence_length):
        check_is_fitted(self)
        values, lengths = self._validate_X(X, sequence_length, reset=False)
        if self.embedding_dim is None:
            values = values.astype(self.model_.inputs[0].dtype, copy=False)
        else:
            self._check_vocabulary(values, lengths)
        # Sequences of similar length share a batch, so little padding is run.
        order = np.argsort(lengths, kind="stable")
        logits = np.empty((len(lengths), len(self.classes_)))
        for start in range(0, len(order), _PREDICT_BATCH_SIZE):
            batch = order[start : start + _PREDICT_BATCH_SIZE]
            width = lengths[batch[-1]]
            logits[batch] = self.model_.predict_on_batch(
                [values[batch, :width], lengths[batch]]
            )
        return logits

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
        return _log_softmax(self._logits(X, sequence_length))

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
