"""scikit-learn classifier wrapping a length-masked Keras recurrent network."""

import numpy as np
from sklearn.base import ClassifierMixin

from skrnn._base import BaseSequenceRNN
from skrnn._docs import store_params, with_shared_docs
from skrnn._fixes import StrOptions, _fit_context
from skrnn._predict import log_softmax
from skrnn._tasks import Classification

__all__ = ["SequenceRNNClassifier"]


@with_shared_docs
class SequenceRNNClassifier(ClassifierMixin, BaseSequenceRNN):
    """Recurrent-network classifier for variable-length sequences.

    A Keras 3 recurrent network (SimpleRNN by default, LSTM or GRU on request)
    reads each sequence up to its true last step (long series a window of
    steps at a time), a learned attention pools its outputs over the real
    steps (``pooling``), and a dense softmax layer classifies the result,
    joined by a masked convolutional branch over every step
    (``conv_filters``) and, for sequences of up to 25 steps, a linear read of
    every step at its place (``linear_steps``). Sequences may be given as a
    ragged list, as padded 2-D or 3-D arrays, as integer token ids, or as a
    padded array with their true lengths passed beside it; see :ref:`input`.
    Padding is found from lengths, never from values inside a sequence.

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
    The network computes in float32 when ``X`` is float32 (an array, or a
    list of float32 sequences) or token ids and in float64 otherwise, as
    ``MLPClassifier`` does; float32 input trains up to about three times
    faster on CPU.

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
        conv_kernel_size=(16, 10, 6),
        conv_znorm=False,
        summary_dropout=0.7,
        linear_steps="auto",
        network_dropout=0.8,
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
        weight_average=0.99,
        alpha=0.0001,
        early_stopping=False,
        validation_fraction=0.1,
        tol=1e-3,
        n_iter_no_change=10,
        shuffle=True,
        class_weight=None,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        store_params(self, locals())

    @property
    def _task(self):
        return Classification(class_weight=self.class_weight)

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
        return self._fitted_task.predict(self._outputs(X, sequence_length))

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
        return self._task.score(
            y, self.predict(X, sequence_length=sequence_length), sample_weight
        )
