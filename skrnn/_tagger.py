"""Sequence tagger: a label per step, or an output sequence ended by EOS."""

from numbers import Integral

import keras
import numpy as np
from sklearn.utils.validation import check_is_fitted

from skrnn._base import BaseSequenceRNN, Head, Targets, store_params, with_shared_docs
from skrnn._fixes import Interval
from skrnn._predict import log_softmax, predict_outputs
from skrnn._sequences import pad_steps
from skrnn._training import Dataset

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
        on the training data, plus ``'val_loss'`` and ``'val_accuracy'`` with
        ``early_stopping``.
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

    _score_name = "accuracy"

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

    # ------------------------------------------------------------------ steps

    @property
    def _eos_mode(self):
        return self.eos_label is not None

    def _steps(self, lengths):
        """Steps the network emits for sequences of these input lengths."""
        if not self._eos_mode:
            return lengths
        return np.maximum(lengths, self.max_output_length or 0) + 1

    def _max_labels(self, lengths):
        """Longest output each sequence may have, in labels."""
        return np.maximum(lengths, self.max_output_length or 0)

    # ------------------------------------------------------------------- head

    def _split_targets(self, Y, lengths):
        """Each target sequence as a 1-D array, cut at its EOS in EOS mode."""
        if isinstance(Y, (str, bytes)) or not hasattr(Y, "__len__"):
            raise TypeError(
                f"Y must be a list of label sequences, one per input sequence; "
                f"got {type(Y).__name__}."
            )
        if len(Y) != len(lengths):
            raise ValueError(
                f"X has {len(lengths)} sequences but Y has {len(Y)}; pass one label "
                "sequence per input sequence."
            )
        sequences = []
        for i, labels in enumerate(Y):
            labels = np.asarray(labels)
            if labels.ndim != 1:
                raise ValueError(
                    f"Y[{i}] has shape {labels.shape}; each target must be a 1-D "
                    "sequence of labels."
                )
            if self._eos_mode:
                ends = np.flatnonzero(labels == self.eos_label) if labels.size else []
                if len(ends):
                    labels = labels[: ends[0]]
            sequences.append(labels)
        return sequences

    def _check_target_lengths(self, sequences, lengths):
        limits = self._max_labels(lengths)
        for i, (labels, length, limit) in enumerate(
            zip(sequences, lengths, limits, strict=True)
        ):
            if not self._eos_mode and len(labels) != length:
                raise ValueError(
                    f"Y[{i}] has {len(labels)} labels but X[{i}] has {length} steps; "
                    "with eos_label=None (aligned mode) each input step needs one "
                    "label. Set eos_label for outputs of other lengths."
                )
            if len(labels) > limit:
                bound = f"the {limit} its input's length allows" + (
                    f" with max_output_length={self.max_output_length}"
                    if self.max_output_length is not None
                    else ""
                )
                raise ValueError(
                    f"Y[{i}] has {len(labels)} labels, more than {bound}. Set "
                    "max_output_length to allow longer outputs."
                )

    def _prepare_targets(self, Y, values, lengths, *, continuing, partial):
        """Padded per-step targets and weights that count only the steps that do."""
        sequences = self._split_targets(Y, lengths)
        self._check_target_lengths(sequences, lengths)
        seen = np.concatenate(sequences) if any(len(s) for s in sequences) else None
        if continuing:
            classes = self.classes_
            if seen is not None:
                unseen = np.setdiff1d(np.unique(seen), classes)
                if unseen.size:
                    raise ValueError(
                        f"Y has labels {unseen.tolist()[:5]} that the network was "
                        f"not fitted with ({classes.tolist()}). Set warm_start=False "
                        "to train a new network."
                    )
        else:
            if seen is None:
                raise ValueError("Y holds no labels; every target sequence is empty.")
            try:
                classes = np.unique(seen)
            except TypeError as error:
                raise TypeError(
                    f"The labels in Y cannot be sorted ({error}); use labels of one "
                    "type."
                ) from None
            if len(classes) < 2 and not self._eos_mode:
                raise ValueError(
                    "Y has a single label; a tagger needs at least two labels (or "
                    "an eos_label)."
                )
        steps = self._steps(lengths)
        width = int(steps.max())
        targets = np.zeros((len(lengths), width), dtype=np.int32)
        counted = np.zeros((len(lengths), width))
        eos = len(classes)
        for i, labels in enumerate(sequences):
            targets[i, : len(labels)] = np.searchsorted(classes, labels)
            if self._eos_mode:
                targets[i, len(labels)] = eos
            counted[i, : len(labels) + self._eos_mode] = 1.0
        data = Dataset(pad_steps(values, width), lengths, targets, counted, steps)
        return Targets(data, {"classes_": classes})

    def _sample_weights(self, sample_weight, targets, partial):
        """Each sequence's weight spread over its counted steps."""
        weights = super()._sample_weights(sample_weight, targets, partial)
        return targets.data.weights * weights[:, None]

    def _head(self, attributes, dtype):
        return Head(
            n_outputs=len(attributes["classes_"]) + self._eos_mode,
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, reduction="mean_with_sample_weight", dtype=dtype
            ),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            per_step=True,
            past_end=(self.max_output_length or 0) if self._eos_mode else None,
        )

    def _validation_logs(self, model, data):
        # Steps past a batch's width are NaN; they are never counted.
        log_proba = log_softmax(
            predict_outputs(model, data.values, data.lengths, data.steps)
        )
        counted = data.weights
        picked = np.take_along_axis(log_proba, data.targets[..., None], axis=2)[..., 0]
        right = log_proba.argmax(axis=2) == data.targets
        total = counted.sum()
        return {
            "val_loss": float(
                -(np.where(counted > 0, picked, 0) * counted).sum() / total
            ),
            "val_accuracy": float((right * counted).sum() / total),
        }

    # ------------------------------------------------------------- prediction

    def _step_log_proba(self, X, sequence_length):
        """Per-step log-probabilities and each sequence's number of steps."""
        check_is_fitted(self)
        values, lengths = self._network_input(
            *self._validate_X(X, sequence_length, reset=False)
        )
        steps = self._steps(lengths)
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
        eos = len(self.classes_)
        predictions = []
        for rows, n in zip(log_proba, steps, strict=True):
            best = rows[:n].argmax(axis=1)
            if self._eos_mode:
                ends = np.flatnonzero(best == eos)
                best = best[: ends[0]] if len(ends) else best[: n - 1]
            predictions.append(self.classes_[best])
        return predictions

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
        predicted = self.predict(X, sequence_length=sequence_length)
        truth = self._split_targets(Y, np.arange(len(predicted)))
        accuracies = [
            sequence_accuracy(got, expected)
            for got, expected in zip(predicted, truth, strict=True)
        ]
        return float(np.average(accuracies, weights=sample_weight))


def sequence_accuracy(predicted, true):
    """Positions where ``predicted`` equals ``true``, over the longer length."""
    longest = max(len(predicted), len(true))
    if longest == 0:
        return 1.0
    overlap = min(len(predicted), len(true))
    return float(np.sum(predicted[:overlap] == true[:overlap]) / longest)
