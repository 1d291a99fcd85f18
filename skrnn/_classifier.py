"""scikit-learn classifier wrapping a length-masked Keras recurrent network."""

import keras
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from skrnn._base import BaseSequenceRNN, Head, Targets, store_params, with_shared_docs
from skrnn._fixes import StrOptions, _fit_context
from skrnn._predict import log_softmax, predict_outputs
from skrnn._training import Dataset

__all__ = ["SequenceRNNClassifier", "classification_logs"]


def classification_logs(model, data):
    """Held-out ``val_loss`` (log loss) and ``val_accuracy``, weighted."""
    logits = predict_outputs(model, data.values, data.lengths)
    picked = log_softmax(logits)[np.arange(len(data)), data.targets]
    weights = data.weights / data.weights.sum()
    return {
        "val_loss": float(-(weights * picked).sum()),
        "val_accuracy": float(
            (weights * (logits.argmax(axis=1) == data.targets)).sum()
        ),
    }


@with_shared_docs
class SequenceRNNClassifier(ClassifierMixin, BaseSequenceRNN):
    """Recurrent-network classifier for variable-length sequences.

    A Keras 3 recurrent network (SimpleRNN by default, LSTM or GRU on request)
    reads each sequence up to its true last step (long series a window of
    steps at a time), a learned attention pools its outputs over the real
    steps (``pooling``), and a dense softmax layer classifies the result.
    Sequences may be given as a ragged list, as padded 2-D or 3-D arrays, as
    integer token ids, or as a padded array with their true lengths passed
    beside it; see :ref:`input`. Padding is found from lengths, never from
    values inside a sequence.

    Parameters
    ----------
    %(shared_parameters)s
    class_weight : dict, 'balanced' or None, default=None
        Weight of each class, keyed by label; ``'balanced'`` weighs classes
        inversely to their frequency. Multiplies ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen at fit.
    history_ : dict of str to list of float
        Per-epoch metrics: ``'loss'`` and ``'accuracy'`` on the training
        data, plus ``'val_loss'`` and ``'val_accuracy'`` with
        ``early_stopping``.
    %(shared_attributes)s

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

    _score_name = "accuracy"

    _parameter_constraints = {
        **BaseSequenceRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
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
        pooling="attention",
        conv_filters=(32, 64, 32),
        conv_kernel_size=(8, 5, 3),
        summary_dropout=0.5,
        embedding_dim=None,
        scaling="feature",
        window="auto",
        padding="post",
        truncating="pre",
        maxlen=None,
        mask_value=None,
        eos_value=None,
        max_iter=500,
        batch_size="auto",
        optimizer="adam",
        learning_rate_init=0.001,
        learning_rate="constant",
        momentum=0.9,
        clipnorm=5.0,
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
        store_params(self, locals())

    # ------------------------------------------------------------------- head

    def _prepare_targets(
        self, y, values, lengths, *, continuing, partial, classes=None
    ):
        """Class indices of ``y``, and the classes the network's head will have."""
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} supports binary and multiclass targets; got "
                f"a {target_type} target. Pass one label per sequence."
            )
        y = column_or_1d(y, warn=True)
        if len(y) != len(lengths):
            raise ValueError(
                f"X has {len(lengths)} sequences but y has {len(y)} labels; pass one "
                "label per sequence."
            )
        if continuing:
            classes = self.classes_
            if partial:
                self._check_labels_known(y, classes)
            elif not np.array_equal(np.unique(y), classes):
                raise ValueError(
                    "warm_start can only continue with the classes of the previous "
                    f"fit {classes.tolist()}; y has {np.unique(y).tolist()}. Set "
                    "warm_start=False to train a new network."
                )
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
        return Targets(
            Dataset(values, lengths, np.searchsorted(classes, y)),
            {"classes_": classes},
        )

    def _check_labels_known(self, y, classes):
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y has labels {unseen.tolist()[:5]} that are not among the classes "
                f"{classes.tolist()} given on the first call to partial_fit."
            )

    def _sample_weights(self, sample_weight, targets, partial):
        """Per-sequence weights: ``sample_weight`` times ``class_weight``."""
        weights = super()._sample_weights(sample_weight, targets, partial)
        classes = targets.attributes["classes_"]
        targets = targets.data.targets
        if self.class_weight is not None:
            if isinstance(self.class_weight, str):
                if partial:
                    raise ValueError(
                        "class_weight='balanced' needs the whole training set, so "
                        "partial_fit does not support it; pass a dict of class "
                        "weights."
                    )
                per_class = compute_class_weight(
                    "balanced", classes=np.arange(len(classes)), y=targets
                )
            else:
                unknown = set(self.class_weight) - set(classes.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight has labels {sorted(map(str, unknown))} that "
                        f"are not among the classes {classes.tolist()}; key it by "
                        "label."
                    )
                per_class = np.array([self.class_weight.get(c, 1.0) for c in classes])
            weights = weights * per_class[targets]
        n_weighted = len(np.unique(targets[weights > 0]))
        if len(classes) < 2 or (n_weighted < 2 and not partial):
            raise ValueError(
                "Classifier can't train when only one class is present: y, counting "
                f"only samples with non-zero sample_weight, has {n_weighted} class. "
                "Pass sequences of at least two classes."
            )
        return weights

    def _stratify(self, data):
        return data.targets

    def _head(self, attributes, dtype):
        return Head(
            n_outputs=len(attributes["classes_"]),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )

    _validation_logs = staticmethod(classification_logs)

    # ---------------------------------------------------------------- fitting

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

    # ------------------------------------------------------------- prediction

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
        return log_softmax(self._outputs(X, sequence_length))

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
        best = self._outputs(X, sequence_length).argmax(axis=1)
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
