"""Generated sequences: :func:`make_sequence_classification`."""

import numpy as np


def make_sequence_classification(
    n_samples=200,
    *,
    n_features=3,
    n_classes=2,
    min_length=5,
    max_length=30,
    signal=1.0,
    vocabulary_size=None,
    random_state=None,
):
    """Generate variable-length sequences whose class is written in their steps.

    Each class has its own pattern: a random mean vector (or, for tokens, a
    preferred set of ids) that a random subset of each sequence's steps follow;
    the other steps are noise. ``signal`` scales how far apart the classes are,
    so the task goes from hopeless (0) to easy (large).

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_features : int, default=3
        Features per step (ignored for tokens).
    n_classes : int, default=2
        Number of classes, balanced.
    min_length, max_length : int, default=5, 30
        Lengths are drawn uniformly from this inclusive range.
    signal : float, default=1.0
        Separation of the classes.
    vocabulary_size : int, default=None
        When set, sequences are 1-D integer token ids in
        ``1 .. vocabulary_size - 1`` (0 is left for padding).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : list of ndarray
        ``(length, n_features)`` float32 arrays (the precision the estimators
        train fastest in), or ``(length,)`` int arrays of token ids.
    y : ndarray of int of shape (n_samples,)
        Class of each sequence.

    Examples
    --------
    >>> from skrnn.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(10, random_state=0)
    >>> len(X), X[0].shape[1], sorted(set(y.tolist()))
    (10, 3, [0, 1])
    """
    from sklearn.utils import check_random_state

    if not 1 <= min_length <= max_length:
        raise ValueError(
            f"need 1 <= min_length <= max_length; got {min_length}, {max_length}"
        )
    rng = check_random_state(random_state)
    y = rng.permutation(np.arange(n_samples) % n_classes)
    lengths = rng.randint(min_length, max_length + 1, size=n_samples)
    if vocabulary_size is not None:
        if vocabulary_size < 3:
            raise ValueError("vocabulary_size must be at least 3")
        preferred = [
            rng.choice(np.arange(1, vocabulary_size), size=max(1, vocabulary_size // 4))
            for _ in range(n_classes)
        ]
        share = min(1.0, 0.5 * signal)
        X = []
        for label, length in zip(y, lengths, strict=True):
            ids = rng.randint(1, vocabulary_size, size=length)
            marked = rng.uniform(size=length) < share
            ids[marked] = rng.choice(preferred[label], size=marked.sum())
            X.append(ids)
        return X, y
    centres = rng.normal(scale=signal, size=(n_classes, n_features))
    X = []
    for label, length in zip(y, lengths, strict=True):
        steps = rng.normal(size=(length, n_features))
        marked = rng.uniform(size=length) < 0.5
        steps[marked] += centres[label]
        X.append(steps.astype(np.float32))
    return X, y
