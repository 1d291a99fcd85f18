"""Training-curve plot in the style of scikit-learn's Display objects."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["TrainingCurveDisplay"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "TrainingCurveDisplay needs matplotlib, which is not installed. "
            "Install it with `pip install matplotlib` (or `pip install "
            "skrnn[examples]`)."
        ) from error
    return plt


class TrainingCurveDisplay:
    """Loss and accuracy per epoch of a fitted sequence estimator.

    The loss (training, and validation with ``early_stopping``) is drawn on
    ``ax_``; the accuracy on a twin axis, ``accuracy_ax_``. Build it with
    :meth:`from_estimator`, or from a history dict and call :meth:`plot`.
    matplotlib is needed only here.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values, as in an estimator's ``history_``: ``'loss'`` and
        optionally ``'accuracy'``, ``'val_loss'``, ``'val_accuracy'``.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the loss curves.
    accuracy_ax_ : matplotlib Axes or None
        Twin axes with the accuracy curves, when the history has accuracy.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to matplotlib Line2D
        The curve drawn for each history key.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skrnn import TrainingCurveDisplay
    >>> history = {"loss": [0.9, 0.5, 0.4], "accuracy": [0.5, 0.8, 0.9]}
    >>> display = TrainingCurveDisplay(history=history).plot()
    >>> sorted(display.lines_)
    ['accuracy', 'loss']
    """

    _LABELS = {
        "loss": "training loss",
        "val_loss": "validation loss",
        "accuracy": "training accuracy",
        "val_accuracy": "validation accuracy",
    }

    def __init__(self, *, history, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the loss on; a new figure when None.

        Returns
        -------
        display : TrainingCurveDisplay
            This object, with ``ax_``, ``accuracy_ax_``, ``figure_`` and
            ``lines_`` set.
        """
        plt = _pyplot()
        if "loss" not in self.history or len(self.history["loss"]) == 0:
            raise ValueError("history has no 'loss' curve to plot.")
        if ax is None:
            _, ax = plt.subplots()
        epochs = np.arange(1, len(self.history["loss"]) + 1)
        self.lines_ = {}
        for key in ("loss", "val_loss"):
            if key in self.history:
                (self.lines_[key],) = ax.plot(
                    epochs, self.history[key], label=self._LABELS[key]
                )
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("loss")
        handles = list(self.lines_.values())
        self.accuracy_ax_ = None
        accuracy_keys = [k for k in ("accuracy", "val_accuracy") if k in self.history]
        if accuracy_keys:
            self.accuracy_ax_ = ax.twinx()
            for key, color in zip(accuracy_keys, ("C2", "C3"), strict=False):
                (self.lines_[key],) = self.accuracy_ax_.plot(
                    epochs,
                    self.history[key],
                    linestyle="--",
                    color=color,
                    label=self._LABELS[key],
                )
                handles.append(self.lines_[key])
            self.accuracy_ax_.set_ylabel("accuracy")
        ax.legend(handles=handles, loc="center right")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the training curves of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator with ``history_``
            For example a fitted :class:`~skrnn.SequenceRNNClassifier`.
        ax : matplotlib Axes, default=None
            Axes to draw the loss on; a new figure when None.

        Returns
        -------
        display : TrainingCurveDisplay
            The plotted display.
        """
        check_is_fitted(estimator, "history_")
        display = cls(
            history=estimator.history_, estimator_name=type(estimator).__name__
        )
        return display.plot(ax=ax)
