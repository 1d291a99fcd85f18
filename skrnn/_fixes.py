"""scikit-learn's private helpers that skrnn uses, imported in this one place.

They are not public API and may move between scikit-learn releases; when one
does, only this file changes.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_get_output_config",
]
