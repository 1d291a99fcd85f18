"""The training loop: epochs of seeded, length-aware batches on a compiled Keras model.

Batches are drawn from a ``RandomState`` the estimator owns (so training is
reproducible without global seeds), each batch is cut to its own longest
sequence, and Keras callbacks see the usual ``on_*`` events with epoch logs.
The stopping rules follow ``MLPClassifier``: stop (or, with an adaptive learning
rate, divide it by 5) after ``n_iter_no_change`` epochs without an improvement of
``tol`` in the training loss, or in the validation score when early stopping.
Stale epochs are counted only once the network has left its initial plateau.
"""

import copy
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import keras
import numpy as np

from skrnn._engines import borrowed, copy_state
from skrnn._predict import partial_first
from skrnn._runners import _pad_rows, runner

__all__ = ["Dataset", "Stopping", "run_epochs"]

# Training stops only after this many updates without improvement (and at
# least n_iter_no_change epochs).
MIN_STALE_UPDATES = 250
# A network whose training loss is still within this fraction of its first
# epoch's has not started learning: its stale epochs are not counted (a
# SimpleRNN tagger learning running parity sits within 2% of its first loss
# for about 170 epochs, then learns the rule exactly), ...
MIN_LOSS_DROP = 0.1
# ... for at most this many updates.
MAX_PLATEAU_UPDATES = 10_000
# The adaptive learning rate is divided until it falls below this, as in
# MLPClassifier.
MIN_LEARNING_RATE = 1e-6
# Training shuffles, then sorts windows of this many batches by length, so a
# batch holds sequences of similar length and is padded little.
BUCKET_WINDOW = 32
LENGTH_JITTER = 0.1


@dataclass
class Dataset:
    """Canonical training data: right-padded values, lengths, targets, weights."""

    values: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray
    weights: np.ndarray = None
    # Steps each sequence runs for, when a head reads past the input's end;
    # None: its length.
    steps: np.ndarray = None

    def __len__(self):
        return len(self.lengths)

    @property
    def widths(self):
        return self.lengths if self.steps is None else self.steps

    def subset(self, index):
        return Dataset(
            self.values[index],
            self.lengths[index],
            self.targets[index],
            self.weights[index],
            None if self.steps is None else self.steps[index],
        )

    def batch(self, index, width, rows=None):
        """Inputs, targets and weights of the sequences ``index``, ``width`` steps.

        With ``rows`` (more than ``len(index)``), the batch is padded to that
        many rows of weight zero, and with a ``width`` above its longest
        sequence's, to that many steps; the real rows' weights are scaled so
        the loss, which Keras divides by the number of rows (and steps, for
        per-step targets), and its gradients stay those of the unpadded batch.
        """
        targets, weights = self.targets[index], self.weights[index]
        values, lengths = self.values[index, :width], self.lengths[index]
        per_step = targets.ndim == 2 and weights.ndim == 2
        if per_step:
            # Per-step targets are cut to the batch's width like the values.
            targets, weights = targets[:, :width], weights[:, :width]
        n_rows = len(index)
        rows = n_rows if rows is None else rows
        # Elements Keras' loss is averaged over: padded, and actual.
        padded, actual = rows, n_rows
        if per_step:
            padded *= weights.shape[1]
            actual *= min(weights.shape[1], int(self.widths[index].max()))
        if padded != actual:
            weights = weights * np.asarray(padded / actual, weights.dtype)
            values, lengths, targets = (
                _pad_rows(array, rows) for array in (values, lengths, targets)
            )
            weights = np.concatenate(
                [weights, np.zeros((rows - n_rows, *weights.shape[1:]), weights.dtype)]
            )
        return [values, lengths], targets, weights


@dataclass
class Stopping:
    """MLPClassifier's convergence rule, patient for at least some updates.

    :meth:`record_epoch` takes the epoch's training loss and, when holding
    out, its held-out score: the monitored value is that score (higher is
    better), or else minus the loss.
    When ``patience`` epochs in a row fail to beat the best value by ``tol``,
    the count restarts and training either stops or, with ``adaptive``, goes
    on with the optimizer's learning rate divided by 5, until it would fall
    below ``MIN_LEARNING_RATE``. ``patience`` is ``n_iter_no_change`` epochs,
    or more on small data: enough epochs for ``min_stale_updates`` updates, so
    a set that makes one or two updates per epoch is not stopped on its
    initial plateau.

    Nor is a network that has not started learning: epochs count as stale
    only once the training loss has fallen ``MIN_LOSS_DROP`` below the first
    epoch's and, when holding out, the held-out score has risen ``tol``
    above the first epoch's (or reached 1, a perfect score), or after
    ``MAX_PLATEAU_UPDATES`` updates. Held out, a regressor's first score is
    about that of predicting the mean target, which a network still learning
    can take longer than its patience to beat. A fit that continues a
    trained network (``plateau=False``) counts from its first epoch.
    """

    tol: float
    n_iter_no_change: int
    adaptive: bool
    updates_per_epoch: int = 1
    # None: MIN_STALE_UPDATES, read when training runs.
    min_stale_updates: int = None
    # Whether the network may still be on its initial plateau.
    plateau: bool = True
    best: float = -np.inf
    stale_epochs: int = 0
    updates: int = 0
    first_loss: float = None
    first_score: float = None
    loss_fell: bool = False
    score_rose: bool = False

    @property
    def patience(self):
        """Stale epochs that end training (or lower the learning rate)."""
        updates = (
            MIN_STALE_UPDATES
            if self.min_stale_updates is None
            else self.min_stale_updates
        )
        return max(self.n_iter_no_change, -(-updates // self.updates_per_epoch))

    def _left_plateau(self, loss, score):
        """Whether the network has started learning, given the epoch's
        training loss and held-out score (None: not holding out)."""
        self.updates += self.updates_per_epoch
        if self.first_loss is None:
            self.first_loss, self.first_score = loss, score
        self.loss_fell |= loss <= (1 - MIN_LOSS_DROP) * self.first_loss
        self.score_rose |= (
            score is None or score > self.first_score + self.tol or score >= 1
        )
        # Each condition only ever turns one way, so once off, the plateau
        # stays off.
        self.plateau = (
            self.plateau
            and not (self.loss_fell and self.score_rose)
            and self.updates < MAX_PLATEAU_UPDATES
        )
        return not self.plateau

    def record_epoch(self, loss, optimizer, score=None, verbose=0):
        """Count one epoch; lower the learning rate if due; return True to stop.

        ``loss`` is the epoch's training loss, ``score`` its held-out score
        (None when not holding out).
        """
        value = -loss if score is None else score
        improved = value > self.best + self.tol
        self.best = max(self.best, value)
        learning = self._left_plateau(loss, score)
        self.stale_epochs = 0 if improved or not learning else self.stale_epochs + 1
        if self.stale_epochs < self.patience:
            return False
        self.stale_epochs = 0
        if not self.adaptive:
            return True
        reduced = float(optimizer.learning_rate.numpy()) / 5
        if reduced < MIN_LEARNING_RATE:
            return True
        optimizer.learning_rate = reduced
        if verbose:
            print(f"Learning rate divided by 5: {reduced:.2e}")
        return False


@dataclass
class EpochResult:
    """What ``run_epochs`` reports back."""

    history: dict
    converged: bool = False
    best_weights: list = field(default=None, repr=False)


def _batches(lengths, batch_size, shuffle, rng):
    """Index arrays of the epoch's batches, of similar lengths when shuffling.

    Sequences are shuffled, then each window of ``BUCKET_WINDOW`` batches is
    sorted by length jittered by up to ``LENGTH_JITTER``, so a batch holds
    sequences of similar (not identical) lengths and its members still vary
    from epoch to epoch; the batch order is shuffled too.
    """
    n_samples = len(lengths)
    if not shuffle:
        order = np.arange(n_samples)
        return partial_first(
            [order[i : i + batch_size] for i in range(0, n_samples, batch_size)]
        )
    order = rng.permutation(n_samples)
    jitter = rng.uniform(1 - LENGTH_JITTER, 1 + LENGTH_JITTER, size=n_samples)
    window = batch_size * BUCKET_WINDOW
    batches = []
    for start in range(0, n_samples, window):
        chunk = order[start : start + window]
        chunk = chunk[np.argsort(lengths[chunk] * jitter[chunk], kind="stable")]
        batches.extend(
            chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)
        )
    # Only the last batch can be smaller; it stays first (see _partial_first).
    last = batches.pop()
    batches = [batches[i] for i in rng.permutation(len(batches))]
    return partial_first([*batches, last])


def run_epochs(
    model,
    train,
    *,
    n_epochs,
    batch_size,
    shuffle,
    rng,
    history,
    stopping=None,
    average=True,
    validation=None,
    validate=None,
    monitor=None,
    callbacks=None,
    verbose=0,
):
    """Train ``model`` for up to ``n_epochs`` epochs.

    Parameters
    ----------
    model : keras.Model
        Compiled model taking ``[values, lengths]``. It owns the state and is
        what callbacks see; the steps run on an engine of the same graph,
        shared with every model like it (see :mod:`skrnn._engines`), and the
        trained state is read back into ``model`` at the end.
    train : Dataset
        Training data; ``targets`` are class indices, ``weights`` scaled to
        average 1.
    n_epochs : int
        Epochs to run at most.
    batch_size : int
        Sequences per training step.
    shuffle : bool
        Whether to draw a new order before each epoch.
    rng : numpy.random.RandomState
        Source of the orders.
    history : dict of str to list
        Per-epoch logs are appended to it (keys are created as needed).
    stopping : Stopping, default=None
        Convergence rule; None runs every epoch.
    average : bool, default=True
        Whether the optimizer's moving average of the weights, if it keeps
        one, replaces the weights at the end; with ``validation``, each
        epoch's average is scored instead, and the best one is returned.
    validation : Dataset, default=None
        Held-out data; when given, ``stopping`` monitors its score and the
        weights of the best epoch (or their average, see ``average``) are
        returned.
    validate : callable, default=None
        ``validate(model, validation)`` returns the epoch's held-out logs;
        required with ``validation``.
    monitor : str, default=None
        The log of ``validate`` that is monitored, higher being better;
        required with ``validation``.
    callbacks : list of keras.callbacks.Callback, default=None
        Deep-copied, so the caller's callbacks keep no state from this run.
    verbose : int, default=0
        Keras progress bar when positive.

    Returns
    -------
    result : EpochResult
        History, whether the stopping rule ended training, and the best weights
        when validating.
    """
    steps = -(-len(train) // batch_size)
    callback_list = keras.callbacks.CallbackList(
        copy.deepcopy(list(callbacks)) if callbacks else None,
        add_progbar=verbose > 0,
        model=model,
        verbose=verbose,
        epochs=n_epochs,
        steps=steps,
    )
    result = EpochResult(history)
    model.stop_training = False
    # Callbacks see ``model``, which owns the state; when there are any, it
    # receives the engine's state before the epoch's callbacks run, and what
    # they change (weights, learning rate) goes back into the engine after.
    sync = bool(callbacks)
    run = runner()
    epoch_logs = {}
    with borrowed(model, training=True) as engine:
        trainer = run.trainer(engine, train.batch(np.arange(1), 1))
        # With held-out data the average, if kept, is what is scored, kept and
        # shown to callbacks; the updates go on from the last update's weights.
        score_average = validation is not None and average and engine.optimizer.use_ema
        # The trainer may hold the engine's state between updates: it goes
        # back into the engine however the epochs end.
        try:
            best_score = -np.inf
            callback_list.on_train_begin()
            for epoch in range(n_epochs):
                callback_list.on_epoch_begin(epoch)
                epoch_logs = _train_epoch(
                    run,
                    trainer,
                    train,
                    _batches(train.widths, batch_size, shuffle, rng),
                    callback_list,
                    min(batch_size, len(train)),
                )
                if not np.isfinite(epoch_logs["loss"]):
                    raise ValueError(
                        f"Training diverged: the loss became {epoch_logs['loss']} "
                        f"at epoch {epoch + 1}. Lower learning_rate_init, set "
                        "clipnorm, scale the features (large raw values make "
                        "recurrent networks unstable), or use cell='lstm' or 'gru'."
                    )
                if validation is not None or sync:
                    # The engine's variables hold the state again.
                    trainer.close()
                with _average_in_place(engine) if score_average else nullcontext():
                    if validation is not None:
                        epoch_logs.update(validate(engine, validation))
                        if epoch_logs[monitor] > best_score:
                            best_score = epoch_logs[monitor]
                            result.best_weights = engine.get_weights()
                    if sync:
                        copy_state(engine, model)
                    callback_list.on_epoch_end(epoch, epoch_logs)
                    if sync:
                        copy_state(model, engine)
                for name, value in epoch_logs.items():
                    history.setdefault(name, []).append(float(value))
                if stopping is not None:
                    score = None if validation is None else epoch_logs[monitor]
                    if stopping.record_epoch(
                        epoch_logs["loss"], engine.optimizer, score, verbose
                    ):
                        result.converged = True
                        break
                if model.stop_training:
                    break
        finally:
            trainer.close()
    if average and validation is None and model.optimizer.use_ema:
        model.optimizer.finalize_variable_values(model.trainable_variables)
    callback_list.on_train_end(epoch_logs)
    return result


@contextmanager
def _average_in_place(model):
    """Hold the optimizer's moving average in ``model``'s trainable variables
    for the block, then the weights it replaced."""
    variables = model.trainable_variables
    weights = [keras.ops.copy(variable.value) for variable in variables]
    # One average per trainable variable, in the same order (Keras' use_ema).
    # Copies: a JAX variable keeps the array it is given, and a compiled step
    # that donates its state would delete it under the other holder.
    averages = model.optimizer._model_variables_moving_average
    for variable, average in zip(variables, averages, strict=True):
        variable.assign(keras.ops.copy(average.value))
    try:
        yield
    finally:
        for variable, weight in zip(variables, weights, strict=True):
            variable.assign(weight)


def _train_epoch(run, trainer, train, batches, callback_list, max_rows):
    """One pass over ``batches``; returns the epoch's mean logs.

    The logs are means over the epoch's sequences, weighted as the loss is:
    Keras' metrics accumulate over the epoch on the device, and are read back
    at its end, or after every batch when a callback wants them. Each batch
    has the shape the backend's runner asks for (see
    :meth:`skrnn._runners.TensorFlowRunner.batch_shape`).
    """
    per_batch_logs = bool(callback_list.callbacks)
    max_width = train.values.shape[1]
    trainer.begin_epoch()
    for step, batch in enumerate(batches):
        callback_list.on_train_batch_begin(step)
        rows, width = run.batch_shape(
            len(batch), train.widths[batch].max(), max_rows, max_width, len(batches)
        )
        logs = trainer.step(train.batch(batch, width, rows))
        if per_batch_logs:
            logs = {name: float(value) for name, value in logs.items()}
            callback_list.on_train_batch_end(step, logs)
    return trainer.end_epoch()
