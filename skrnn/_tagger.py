"""Sequence tagger: a label per step, or an output sequence ended by EOS."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skrnn._base import BaseSequenceRNN
from skrnn._docs import store_params, with_shared_docs
from skrnn._fixes import Interval
from skrnn._predict import log_softmax
from skrnn._tasks import Tagging

__all__ = ["SequenceRNNTagger"]


@with_shared_docs
class SequenceRNNTagger(BaseSequenceRNN):
    """Recurrent-network tagger: an output label sequence per input sequence.

    The network emits a label at every step, from the steps read so far.

    * **EOS mode** (the default, ``eos_label`` set): ``Y[i]`` may be shorter
      than ``X[i]``. The network is trained to emit ``Y[i]`` from the first
      step, then an end-of-sequence (EOS) label right after its last label;
      the loss counts those steps only (anything after the EOS, in the
      targets or in the outputs, never reaches the loss or the gradients).
      ``predict`` cuts each output at the first predicted EOS. With
      ``max_output_length``, outputs may be longer than their inputs: the
      network keeps running on padding steps, told by an extra feature that
      the input has ended.
    * **Aligned mode** (``eos_label=None``): ``Y[i]`` has one label per step
      of ``X[i]``, and every output has the input's length.

    Inputs follow the conventions of :class:`SequenceRNNClassifier` (ragged
    lists, padded arrays, token ids, ``sequence_length``).

    Parameters
    ----------
    %(shared_parameters)s
    eos_label : label or None, default='<eos>'
        The end-of-sequence label. Not None: EOS mode. If a target sequence
        contains it, the target ends there and the rest is ignored; the EOS
        is kept out of ``classes_`` and is never returned by ``predict``.
        None: aligned mode.
    max_output_length : int, default=None
        EOS mode only: outputs may have this many labels even when their
        input is shorter (the network runs on past the input's end). None:
        an output is at most as long as its input.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``Y`` at fit (without the EOS).
    history_ : dict of str to list of float
        Per-epoch metrics: ``'loss'`` and ``'accuracy'`` (per counted step)
        on the training data, plus ``'val_loss'`` (per counted step) and
        ``'val_accuracy'`` with ``early_stopping``; the latter is ``score``'s
        per-sequence accuracy, which early stopping monitors.
    %(shared_attributes)s

    See Also
    --------
    SequenceRNNClassifier : One label per sequence.

    Notes
    -----
    ``score`` is the mean over sequences of the per-sequence accuracy: the
    number of positions where the predicted label equals the true one,
    divided by the longer of the two sequences. A predicted sequence that
    is too short or too long therefore counts its missing or extra steps as
    wrong.

    ``partial_fit`` takes ``classes_`` from the labels of its first call, so
    that call must show every label; later calls with other labels are
    refused.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import SequenceRNNTagger
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.randint(0, 2, size=n) for n in rng.randint(3, 9, size=40)]
    >>> Y = [np.cumsum(x) % 2 for x in X]  # running parity, one label a step
    >>> tagger = SequenceRNNTagger(units=8, max_iter=5, eos_label=None,
    ...                            random_state=0)
    >>> [len(y) for y in tagger.fit(X, Y).predict(X[:3])] == [len(x) for x in X[:3]]
    True
    """

    # Every step gets a label, so steps are neither pooled nor averaged.
    _parameter_constraints = {
        **{
            name: constraint
            for name, constraint in BaseSequenceRNN._parameter_constraints.items()
            if name not in ("pooling", "window")
        },
        "eos_label": "no_validation",
        "max_output_length": [Interval(Integral, 0, None, closed="left"), None],
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
        scaling="feature",
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
        weight_average=None,
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
        eos_label="<eos>",
        max_output_length=None,
    ):
        store_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _window_param(self):
        return 1

    @property
    def _task(self):
        return Tagging(
            eos_label=self.eos_label, max_output_length=self.max_output_length
        )

    # ------------------------------------------------------------- prediction

    def _step_log_proba(self, X, sequence_length):
        """Per-step log-probabilities and each sequence's number of steps."""
        check_is_fitted(self)
        values, lengths = self._network_input(
            *self._validate_X(X, sequence_length, reset=False), in_place=True
        )
        steps = self._task.steps(lengths)
        return log_softmax(self._network_outputs(values, lengths, steps)), steps

    def predict_proba(self, X, sequence_length=None):
        """Per-step label probabilities of each sequence.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Input sequences in any accepted form.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        proba : list of ndarray
            One array per sequence, a row per emitted step. Aligned mode:
            ``(len(X[i]), n_classes)``. EOS mode: ``(n_steps_i, n_classes + 1)``
            over every step the network emits for the sequence (its length,
            or ``max_output_length``, plus one), the last column being the
            EOS.
        """
        log_proba, steps = self._step_log_proba(X, sequence_length)
        return [np.exp(rows[:n]) for rows, n in zip(log_proba, steps, strict=True)]

    def predict(self, X, sequence_length=None):
        """Most probable label sequence of each input sequence.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Input sequences in any accepted form.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        Y_pred : list of ndarray
            One array of labels (drawn from ``classes_``) per sequence. In EOS
            mode each is cut before the first step whose most probable label
            is the EOS (or at the longest allowed output, if none is).
        """
        log_proba, steps = self._step_log_proba(X, sequence_length)
        return self._fitted_task.predict(log_proba, steps)

    def score(self, X, Y, sample_weight=None, sequence_length=None):
        """Mean per-sequence accuracy of the predicted label sequences.

        Parameters
        ----------
        X : list of array-like, or array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_features)
            Input sequences in any accepted form.
        Y : list of array-like of shape (n_labels_i,)
            True label sequences (cut at their EOS in EOS mode).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the mean.
        sequence_length : array-like of int of shape (n_samples,), default=None
            True lengths of the sequences of a padded array.

        Returns
        -------
        score : float
            Mean over sequences of (positions predicted right) / (longer of
            the predicted and true lengths); 1.0 for two empty sequences.
        """
        return self._task.score(
            Y, self.predict(X, sequence_length=sequence_length), sample_weight
        )
