"""Input validation shared by every skrnn estimator; numpy and scikit-learn only.

:class:`SequenceInputMixin` applies scikit-learn's array checks before the
sequence conventions of :mod:`skrnn._sequences` take over, and keeps
``n_features_in_`` (and ``feature_names_in_``) as documented. It knows nothing
of Keras, so the scaler and the sequence helpers import without TensorFlow.
"""

from numbers import Number

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from skrnn._sequences import check_items_are_numbers, is_ragged

__all__ = ["FLOAT_DTYPES", "SequenceInputMixin"]

FLOAT_DTYPES = (np.float64, np.float32)


class SequenceInputMixin:
    """Validates sequence input and keeps ``n_features_in_`` as documented.

    ``n_features_in_`` is the number of features per step, except for a 2-D
    array (univariate sequences, one column per step), where it is the number
    of columns, checked at predict like any scikit-learn estimator's, with the
    column names of a DataFrame.
    """

    def _check_input(self, X, *, reset, tokens=False):
        """Return ``(X, tabular)``: X checked by scikit-learn unless it is ragged.

        ``tabular`` tells whether ``X`` is a 2-D array read as one column per
        step, whose width and column names were checked (or recorded on fit).
        """
        # Sparse dok matrices are dicts too; check_array gives them their error.
        if getattr(X, "shape", None) == () or (
            not hasattr(X, "shape")
            and (X is None or isinstance(X, (str, bytes, dict, set, Number)))
        ):
            raise TypeError(
                f"X must hold sequences; got {type(X).__name__}. Expected a list of "
                "arrays (one per sequence) or a 2-D/3-D array or DataFrame."
            )
        if isinstance(X, (list, tuple)) and len(X) == 0:
            raise ValueError(
                "X holds no sequences (an empty list); pass at least one sequence."
            )
        if is_ragged(X):
            return X, False
        if (
            isinstance(X, (list, tuple))
            or getattr(getattr(X, "dtype", None), "kind", None) == "O"
        ):
            check_items_are_numbers(X)
        array = X if hasattr(X, "ndim") or hasattr(X, "shape") else np.asarray(X)
        if getattr(array, "dtype", None) is not None and array.dtype.kind in "USa":
            raise TypeError(
                f"X has dtype {array.dtype}; expected numbers. Encode strings as "
                "integer token ids (for example with sklearn's OrdinalEncoder) and "
                "set embedding_dim."
            )
        dtype = "numeric" if tokens else FLOAT_DTYPES
        tabular = (
            not tokens
            and len(getattr(array, "shape", ())) == 2
            and (reset or self._tabular_input)
        )
        # Checked as the array X became, whose dtype is its sequences':
        # check_array would give a list float64, so equal-length float32
        # sequences would train in float64 where ragged ones do not.
        if tabular:
            X = validate_data(
                self, array, reset=reset, dtype=dtype, ensure_all_finite=False
            )
        else:
            X = check_array(array, allow_nd=True, dtype=dtype, ensure_all_finite=False)
        return X, tabular

    def _record_features(self, n_features, tabular, *, reset, expected):
        """On fit, record the input width; afterwards, check the step width."""
        if reset:
            if not tabular:
                self.n_features_in_ = n_features
                self.__dict__.pop("feature_names_in_", None)
            self._tabular_input = tabular
        elif n_features != expected:
            raise ValueError(
                f"X has {n_features} features per step, but {type(self).__name__} "
                f"is expecting {expected} features per step as input."
            )
