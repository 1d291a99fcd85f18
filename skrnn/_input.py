"""The estimators' input side: checks, the canonical form, the input pipeline.

:class:`NetworkInputMixin` turns what the user passes into the canonical form,
fits the :class:`~skrnn._preprocessing.InputPipeline` (``window_`` and the
scaling statistics) on training sequences, and renders it for the network.
"""

import numpy as np

from skrnn._preprocessing import InputPipeline
from skrnn._sequences import padded_for_network
from skrnn._validation import SequenceInputMixin

__all__ = ["AUTO_WINDOW_STEPS", "NetworkInputMixin"]

# window='auto' groups just enough steps that the longest training sequence
# becomes at most this many network steps.
AUTO_WINDOW_STEPS = 25


class NetworkInputMixin(SequenceInputMixin):
    """Input checks and the fitted input pipeline of a recurrent estimator."""

    @property
    def _tokens(self):
        return self.embedding_dim is not None

    def _validate_X(self, X, sequence_length, reset):
        """Return canonical ``(values, lengths)``; on fit, record the input width."""
        X, tabular = self._check_input(X, reset=reset, tokens=self._tokens)
        width_for = None
        if not self._tokens:
            # A width the windows divide: they become a view, not a copy.
            fixed = None if reset else self.window_

            def width_for(longest):
                window = fixed or self._window_for(longest)
                return -(-longest // window) * window

        values, lengths = padded_for_network(
            X,
            width_for=width_for,
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

    def _network_input(self, values, lengths, in_place=False):
        """Canonical input as the fitted network reads it.

        ``in_place`` lets it reuse ``values``, which must then be the
        estimator's own (from :meth:`_validate_X`).
        """
        return self._input_pipeline.transform(values, lengths, in_place=in_place)

    def _fit_input_pipeline(self, values, lengths, weights):
        """Learn ``window_`` and the scaling statistics on training sequences.

        Only sequences of non-zero weight count, each weighing in by its
        weight, so a weight acts like repeating the sequence here too.
        """
        counted = weights > 0
        if not counted.any():
            raise ValueError("sample_weight is zero for every training sequence.")
        self.window_ = self._fit_window(lengths[counted])
        pipeline = InputPipeline.fit(
            values,
            lengths,
            weights,
            tokens=self._tokens,
            window=self.window_,
            scaling=self.scaling,
        )
        self.feature_mean_ = pipeline.feature_mean
        self.feature_scale_ = pipeline.feature_scale
        return pipeline

    @property
    def _input_pipeline(self):
        """The fitted :class:`InputPipeline` (scaling as the network was fitted)."""
        if self._tokens:
            return InputPipeline(tokens=True, step_width=1)
        return InputPipeline(
            tokens=False,
            step_width=self._step_width(),
            window=self.window_,
            scaling=getattr(self, "_network", {}).get("scaling", self.scaling),
            feature_mean=self.feature_mean_,
            feature_scale=self.feature_scale_,
        )

    def _fit_window(self, lengths):
        """``window_`` for training sequences of these lengths."""
        return self._window_for(int(lengths.max()))

    def _window_for(self, longest):
        """The window for a longest training sequence of ``longest`` steps."""
        window = self._window_param()
        if self._tokens:
            if window not in (1, "auto"):
                raise ValueError(
                    f"window={window!r} groups steps into one, which token ids "
                    "cannot be; use window=1 with embedding_dim."
                )
            return 1
        if window == "auto":
            return max(1, -(-longest // AUTO_WINDOW_STEPS))
        return int(window)

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
