"""Turn sequences as users have them into one canonical, right-padded form.

Everything about the *shape* of the data lives here: ragged lists, padded 2-D and
3-D arrays, token ids, padding side, true lengths passed beside the data, EOS
markers, truncation, and every error about bad input. Only numpy is used, so this
module can be tested and reasoned about without Keras.

The canonical form is a pair ``(values, lengths)``:

* ``values`` has shape ``(n_sequences, max_length, n_features)`` for numeric input
  and ``(n_sequences, max_length)`` for token ids; sequence ``i`` occupies
  ``values[i, :lengths[i]]`` and every step after it is zero.
* ``lengths`` is an ``int32`` array of true lengths, all at least 1.
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    "Located",
    "check_items_are_numbers",
    "is_ragged",
    "locate",
    "pad_steps",
    "padded_for_network",
    "real_step_mask",
    "to_padded",
]

# Sequences whose values are checked at a time.
_CHECK_CHUNK = 1024
# Token ids are fed to an Embedding as int32.
_MAX_TOKEN_ID = np.iinfo(np.int32).max - 1


def is_ragged(X):
    """Return True if ``X`` is a list or tuple of sequences of unequal shapes.

    A list whose items all have one shape is read as the array it forms, as
    scikit-learn reads a list of equal-length rows as a table; the sequences
    it describes are the same either way.

    Parameters
    ----------
    X : object
        The input as the user passed it.

    Returns
    -------
    ragged : bool
        True for a list or tuple whose items differ in shape.
    """
    if not isinstance(X, (list, tuple)):
        return False
    return len({np.shape(item) for item in X}) > 1


def to_padded(
    X,
    *,
    tokens=False,
    sequence_length=None,
    padding="post",
    truncating="pre",
    maxlen=None,
    mask_value=None,
    eos_value=None,
):
    """Convert sequences in any supported form to right-padded values and lengths.

    Parameters
    ----------
    X : list of array-like or ndarray of shape (n, T) or (n, T, n_features)
        Ragged sequences (one array of shape ``(length,)`` or
        ``(length, n_features)`` per sequence), or a padded array. A 2-D array
        holds univariate sequences (or token ids when ``tokens=True``), one
        column per step.
    tokens : bool, default=False
        Whether the steps are integer token ids rather than numeric features.
    sequence_length : array-like of int of shape (n,), default=None
        True lengths of the sequences in a padded array. The real steps are the
        first ``sequence_length[i]`` steps (``padding='post'``) or the last ones
        (``padding='pre'``). When None, lengths are found from padding.
    padding : {'post', 'pre'}, default='post'
        Side of a padded array that holds the padding.
    truncating : {'pre', 'post'}, default='pre'
        Side from which sequences longer than ``maxlen`` lose steps: ``'pre'``
        keeps the last ``maxlen`` steps, ``'post'`` keeps the first ones.
    maxlen : int, default=None
        Longest sequence kept; None keeps every step.
    mask_value : float, default=None
        Value of padding steps in a padded array. None means NaN for numeric
        input and 0 for token ids. Only a contiguous run of steps equal to it at
        the padding side is padding; the same value inside a sequence is data.
    eos_value : float, default=None
        End-of-sequence marker: the first step equal to it (every feature equal
        to it, for multivariate steps) is the last step kept.

    Returns
    -------
    values : ndarray
        ``(n, max_length, n_features)`` float array (float32 when the input was
        float32, else float64), or ``(n, max_length)`` int32 array of token ids.
    lengths : ndarray of shape (n,), dtype int32
        True length of each sequence.

    Raises
    ------
    ValueError, TypeError
        For any input that does not describe non-empty sequences of numbers.
    """
    return padded_for_network(
        X,
        tokens=tokens,
        sequence_length=sequence_length,
        padding=padding,
        truncating=truncating,
        maxlen=maxlen,
        mask_value=mask_value,
        eos_value=eos_value,
    )


def padded_for_network(X, *, width_for=None, **options):
    """:func:`to_padded`, in a new array the estimators may change in place.

    ``width_for(longest)`` gives the padded width for a longest sequence of
    ``longest`` steps (at least that); a width the network's windows divide
    lets them be a view of the array. A list of sequences is stacked once, with
    no second copy when no step moves.
    """
    maxlen = options.pop("maxlen", None)
    truncating = options.pop("truncating", "pre")
    tokens = options.get("tokens", False)
    located = locate(X, width_for=width_for, **options)
    start, lengths = located.start, located.lengths
    if maxlen is not None:
        start, lengths = _truncate(start, lengths, maxlen, truncating)
    width = int(lengths.max())
    if width_for is not None:
        width = max(width, width_for(width))
    steps = located.steps
    if located.owned and not start.any() and width <= steps.shape[1]:
        # The stacked list is ours and right-padded already: keep it.
        out = steps[:, :width]
        out[np.arange(width) >= lengths[:, None]] = 0
        if tokens:
            out = out.astype(np.int32)
        return out, lengths.astype(np.int32)
    return _gather(steps, start, lengths, tokens, width)


def pad_steps(values, width):
    """Right-pad canonical ``values`` with zero steps to at least ``width`` steps."""
    missing = int(width) - values.shape[1]
    if missing <= 0:
        return values
    pad = [(0, 0)] * values.ndim
    pad[1] = (0, missing)
    return np.pad(values, pad)


class Located(NamedTuple):
    """Where each sequence's real steps lie in the input (see :func:`locate`)."""

    steps: np.ndarray
    start: np.ndarray
    lengths: np.ndarray
    ends_with_eos: np.ndarray
    # Whether ``steps`` is a new array (a stacked list), not the caller's.
    owned: bool = False


def locate(
    X,
    *,
    tokens=False,
    sequence_length=None,
    padding="post",
    mask_value=None,
    eos_value=None,
    width_for=None,
):
    """Find each sequence's real steps where they lie, without moving them.

    Same input conventions and errors as :func:`to_padded`, which gathers the
    located steps into the canonical form; transformers that must return data
    in its original layout use this directly.

    Returns
    -------
    located : Located
        ``steps``: the input as an ``(n, T, n_features)`` float array
        (``(n, T)`` ids for tokens; a list is right-padded with zeros first);
        sequence ``i`` is ``steps[i, start[i] : start[i] + lengths[i]]``, its
        last step being an EOS marker where ``ends_with_eos[i]``.
    """
    ragged = is_ragged(X)
    if ragged:
        if sequence_length is not None:
            raise ValueError(
                "sequence_length is only for padded arrays; a list of sequences "
                "already carries each sequence's length. Drop sequence_length, or "
                "pass the padded array instead of the list."
            )
        steps, lengths = _stack_ragged(X, tokens, width_for)
        start = np.zeros(len(lengths), dtype=np.intp)
    else:
        steps = _as_step_array(X, tokens)
        start, lengths = _find_real_steps(
            steps, sequence_length, padding, mask_value, tokens
        )
    if eos_value is not None:
        lengths = _cut_at_eos(steps, start, lengths, eos_value)
    _check_values(steps, start, lengths, tokens)
    # After the cut, a sequence holding EOS ends with it.
    ends_with_eos = _last_step_is(steps, start, lengths, eos_value)
    return Located(steps, start, lengths, ends_with_eos, owned=ragged)


def real_step_mask(located):
    """Boolean ``(n, T)`` mask of the located real steps."""
    return _real(located.start, located.lengths, located.steps.shape[1])


def _real(start, lengths, n_steps):
    steps = np.arange(n_steps)
    return (steps >= start[:, None]) & (steps < (start + lengths)[:, None])


def _describe(array):
    return f"array of shape {array.shape} and dtype {array.dtype}"


def _as_number_array(item, where):
    """Return ``item`` as a numeric ndarray, or raise a TypeError naming ``where``."""
    array = np.asarray(item)
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{where} holds objects that are not numbers ({_describe(array)}: "
                f"{error}). "
                "Sequences must hold numbers; encode strings or categories as "
                "integer token ids (for example with sklearn's OrdinalEncoder) and "
                "set embedding_dim."
            ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where} has dtype {array.dtype}; expected numbers (int or float). "
            "Encode strings or categories as integer token ids (for example with "
            "sklearn's OrdinalEncoder) and set embedding_dim."
        )
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    return array


def check_items_are_numbers(X):
    """Raise a TypeError naming the first sequence of ``X`` that is not numbers.

    For a list, tuple or object array whose items are sequences: scikit-learn's
    checks would convert it whole and report a cell without saying which
    sequence holds it.
    """
    for i, item in enumerate(X):
        if item is None or isinstance(item, (str, bytes, dict, set)):
            raise TypeError(
                f"Sequence {i} is {type(item).__name__}, not numbers. Each "
                "sequence must be an array of numbers of shape (length,) or "
                "(length, n_features)."
            )
        _as_number_array(item, f"Sequence {i}")


def _stack_ragged(X, tokens, width_for=None):
    """Right-pad a list of per-sequence arrays into one array of steps.

    ``width_for(longest)`` gives a wider array (see :func:`padded_for_network`).
    """
    if len(X) == 0:
        raise ValueError(
            "X is an empty list; expected at least one sequence. Pass a list with "
            "one array of shape (length,) or (length, n_features) per sequence."
        )
    items = []
    n_features = None
    for i, item in enumerate(X):
        where = f"Sequence {i}"
        array = _as_number_array(item, where)
        if array.ndim == 0:
            raise ValueError(
                f"{where} is a single number ({array!r}); expected an array of "
                "shape (length,) or (length, n_features). For one-step sequences "
                "wrap the value in a list."
            )
        if array.ndim > 2:
            raise ValueError(
                f"{where} has {array.ndim} dimensions ({_describe(array)}); each "
                "sequence must have shape (length,) or (length, n_features)."
            )
        if array.shape[0] == 0:
            raise ValueError(
                f"{where} is empty (length 0); every sequence needs at least one "
                "step. Remove it, or give it at least one step."
            )
        if array.ndim == 1:
            array = array[:, None]
        if n_features is None:
            n_features = (array.shape[1], i)
        elif array.shape[1] != n_features[0]:
            raise ValueError(
                f"Sequences have different numbers of features per step: sequence "
                f"{n_features[1]} has {n_features[0]}, sequence {i} has "
                f"{array.shape[1]}. Every step of every sequence must have the same "
                "features."
            )
        items.append(array)
    if tokens and n_features[0] != 1:
        raise ValueError(
            f"Token sequences must hold one id per step, but sequence {n_features[1]} "
            f"has {n_features[0]} values per step. Pass 1-D arrays of token ids."
        )
    lengths = np.array([len(item) for item in items], dtype=np.intp)
    dtype = np.result_type(*[item.dtype for item in items])
    if not tokens and dtype.kind != "f":
        dtype = np.float64
    width = int(lengths.max())
    if width_for is not None:
        width = max(width, width_for(width))
    values = np.zeros((len(items), width, n_features[0]), dtype=dtype)
    for i, item in enumerate(items):
        values[i, : len(item)] = item
    return _token_steps(values, tokens), lengths


def _token_steps(values, tokens):
    """Drop the trailing feature axis of token arrays."""
    if tokens:
        return values[..., 0]
    return values


def _as_step_array(X, tokens):
    """Validate a padded array and give it shape (n, T, F), or (n, T) for tokens."""
    values = _as_number_array(X, "X")
    if values.ndim < 2 or values.ndim > 3:
        raise ValueError(
            f"X has {values.ndim} dimension(s) ({_describe(values)}); expected a "
            "list of sequences, a 2-D array (n_samples, n_timesteps) of univariate "
            "sequences or token ids, or a 3-D array "
            "(n_samples, n_timesteps, n_features)."
        )
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            f"X holds no steps ({_describe(values)}); expected at least one "
            "sequence of at least one step."
        )
    if values.ndim == 2:
        values = values[:, :, None]
    if tokens:
        if values.shape[2] != 1:
            raise ValueError(
                f"Token ids must be one per step, but X has {values.shape[2]} "
                "features per step. Pass a 2-D array (n_samples, n_timesteps) of "
                "token ids, or unset embedding_dim for numeric features."
            )
        return values[..., 0]
    if values.dtype.kind != "f":
        values = values.astype(np.float64)
    return values


def _is_mask(values, mask_value):
    """Boolean (n, T) array: whether every feature of a step equals mask_value."""
    equal = np.isnan(values) if np.isnan(mask_value) else values == mask_value
    return equal.all(axis=2) if equal.ndim == 3 else equal


def _find_real_steps(values, sequence_length, padding, mask_value, tokens):
    """Return the first real step and the length of each padded sequence."""
    n, n_steps = values.shape[:2]
    if sequence_length is not None:
        lengths = _check_sequence_length(sequence_length, n, n_steps)
    else:
        if mask_value is None:
            mask_value = 0 if tokens else np.nan
        is_mask = _is_mask(values, mask_value)
        side = is_mask[:, ::-1] if padding == "post" else is_mask
        padded = np.cumprod(side, axis=1, dtype=np.intp).sum(axis=1)
        lengths = n_steps - padded
        empty = np.flatnonzero(lengths == 0)
        if empty.size:
            raise ValueError(
                f"Sequence {empty[0]} is empty: every step equals the padding value "
                f"mask_value={mask_value!r}. Every sequence needs at least one real "
                f"step ({empty.size} sequence(s) are empty); remove them."
            )
    start = np.zeros(n, dtype=np.intp) if padding == "post" else n_steps - lengths
    return start, lengths


def _check_sequence_length(sequence_length, n, n_steps):
    lengths = np.asarray(sequence_length)
    if lengths.ndim != 1 or lengths.shape[0] != n:
        raise ValueError(
            f"sequence_length has shape {lengths.shape}; expected one length per "
            f"sequence, shape ({n},)."
        )
    if lengths.dtype.kind not in "iuf":
        raise TypeError(
            f"sequence_length must hold whole numbers; got dtype {lengths.dtype}."
        )
    if lengths.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            fractional = np.flatnonzero(
                ~np.isfinite(lengths) | (np.mod(lengths, 1) != 0)
            )
        if fractional.size:
            i = fractional[0]
            raise TypeError(
                f"sequence_length[{i}] = {lengths[i]} is not a whole number; each "
                "length must be a whole number of steps."
            )
    lengths = lengths.astype(np.intp)
    bad = np.flatnonzero((lengths < 1) | (lengths > n_steps))
    if bad.size:
        raise ValueError(
            f"sequence_length[{bad[0]}] = {lengths[bad[0]]} is out of range; each "
            f"length must be between 1 and the {n_steps} steps of the padded array."
        )
    return lengths


def _cut_at_eos(values, start, lengths, eos_value):
    """Shorten each sequence so it ends at its first EOS step (kept)."""
    is_eos = _is_mask(values, eos_value) & _real(start, lengths, values.shape[1])
    has_eos = is_eos.any(axis=1)
    first_eos = is_eos.argmax(axis=1)
    return np.where(has_eos, first_eos - start + 1, lengths)


def _last_step_is(values, start, lengths, eos_value):
    if eos_value is None:
        return np.zeros(len(lengths), dtype=bool)
    last = values[np.arange(len(lengths)), start + lengths - 1]
    return _is_mask(last[:, None], eos_value)[:, 0]


def _check_values(values, start, lengths, tokens):
    """Reject NaN/inf inside sequences, and bad token ids, in real steps only."""
    real = _real(start, lengths, values.shape[1])
    if tokens:
        _check_token_ids(values, real, start)
        return
    # A chunk of sequences at a time: the masks of a large set stay small.
    for first in range(0, len(values), _CHECK_CHUNK):
        chunk = slice(first, first + _CHECK_CHUNK)
        bad = ~np.isfinite(values[chunk]).all(axis=2) & real[chunk]
        if bad.any():
            i, t = np.argwhere(bad)[0]
            _not_finite(first + i, t, start, lengths)


def _not_finite(i, t, start, lengths):
    raise ValueError(
        f"Sequence {i} has NaN or inf at step {t - start[i]} (of "
        f"{lengths[i]} real steps). NaN marks padding only as a run of steps at "
        "the padding side; inside a sequence it is not allowed. Impute missing "
        "values, or pass the true lengths with sequence_length."
    )


def _check_token_ids(values, real, start):
    if values.dtype.kind == "f":
        # Only finite values are reduced: np.mod of inf (or of NaN padding)
        # warns; those are flagged as not finite anyway.
        finite = np.isfinite(values)
        whole = np.mod(values, 1, out=np.zeros_like(values), where=finite) == 0
        if not (finite[real].all() and whole[real].all()):
            where = ~finite | ~whole
            i, t = np.argwhere(where & real)[0]
            raise ValueError(
                f"Token ids must be whole numbers, but sequence {i} has "
                f"{values[i, t].item()!r} at step {t - start[i]}. Pass integer ids, or "
                "unset embedding_dim to treat the values as numeric features."
            )
    for bad, what in (
        (values < 0, "negative"),
        (values > _MAX_TOKEN_ID, f"larger than {_MAX_TOKEN_ID}"),
    ):
        if (bad & real).any():
            i, t = np.argwhere(bad & real)[0]
            raise ValueError(
                f"Token ids must be between 0 and {_MAX_TOKEN_ID}, but sequence {i} "
                f"has {values[i, t].item()!r} ({what}) at step {t - start[i]}. Map "
                "your tokens to ids 0, 1, 2, ... (for example with sklearn's "
                "OrdinalEncoder)."
            )


def _truncate(start, lengths, maxlen, truncating):
    excess = np.maximum(lengths - maxlen, 0)
    if truncating == "pre":
        start = start + excess
    return start, lengths - excess


def _gather(values, start, lengths, tokens, width=None):
    """Copy each sequence's real steps to the front of a right-padded array."""
    n = len(lengths)
    width = int(lengths.max()) if width is None else width
    steps = np.arange(width)
    source = np.minimum(start[:, None] + steps, values.shape[1] - 1)
    out = values[np.arange(n)[:, None], source]
    out[steps >= lengths[:, None]] = 0
    if tokens:
        out = out.astype(np.int32)
    return out, lengths.astype(np.int32)
