"""The parameters and attributes every estimator shares, documented once.

Each estimator's docstring holds ``%(shared_parameters)s`` and
``%(shared_attributes)s``; :func:`with_shared_docs` fills in the entries its
own ``__init__`` takes, with the defaults of its signature.
"""

import ast
import inspect
import re

__all__ = ["store_params", "with_shared_docs"]


SHARED_PARAMETERS = """\
    units : int or tuple of int, default=64
        Units of the recurrent layer; a tuple stacks one layer per entry,
        first to last.
    cell : {'simple', 'lstm', 'gru'}, default='simple'
        Recurrent layer: ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``.
    bidirectional : bool, default=False
        Whether each recurrent layer also reads the sequence backwards
        (``keras.layers.Bidirectional``).
    activation : str or callable, default='tanh'
        Activation of the recurrent layers, as Keras accepts it.
    dropout : float, default=0.0
        Fraction of the inputs of each recurrent layer dropped during training.
    recurrent_dropout : float, default=0.0
        Fraction of the recurrent state dropped during training.
    pooling : {'attention', 'last', 'mean', 'max'}, default='attention'
        How the recurrent outputs become one vector per sequence: a learned
        softmax-weighted mean over its real steps (attention), the output at
        its last real step (for a bidirectional network, the final states of
        both directions), or the mean or the maximum over its real steps.
        Padding never enters, whichever is chosen. ``'attention'`` had the
        best mean cross-validated accuracy on the training splits of the
        benchmark panel; ``'last'`` did better on short series (24-29 steps).
    conv_filters : tuple of int or None, default=(32, 64, 32)
        A convolutional branch beside the recurrent network (the LSTM-FCN
        design): one block per entry, each a 1-D convolution with this many
        filters, layer normalisation across the filters of each step and
        ReLU, then the mean over real steps, joined to the recurrent summary
        before the output layer. Padding never reaches it: padded steps are
        zeroed before every convolution and the mean is taken over real steps
        only, so a sequence's prediction is that of the sequence alone; no
        statistic crosses sequences, so training never depends on how
        sequences are batched and a sample weight acts like repeating the
        sequence. It reads the original steps (unstacking ``window``); for long
        series its first block strides so that the longest training
        sequence becomes at most 256 of its steps. None: no branch, the
        recurrent network alone. With it, the mean cross-validated accuracy
        on the training splits of the nine UCR/UEA classification problems
        of the benchmark panel rose from 0.775 to 0.848 (OSULeaf 0.58 to
        0.79, ACSF1 0.54 to 0.68, Trace 0.76 to 0.97; ArrowHead fell from
        0.86 to 0.78).
    conv_kernel_size : int or tuple of int, default=(8, 5, 3)
        Kernel width of each block of the convolutional branch, one per
        entry of ``conv_filters`` (an int: the same for all). The first
        block's kernel spans this many of its strided steps. The
        classifier's kernels, twice as wide as LSTM-FCN's (8, 5, 3), were
        chosen on the training splits of the benchmark panel: its mean
        cross-validated accuracy over the nine classification problems rose
        from 0.860 to 0.872 and from 0.868 to 0.895 in two draws under JAX,
        from 0.848 to 0.861 and from 0.867 to 0.885 under TensorFlow
        (ArrowHead 8-14 points in each), for 12-33% more fitting time. The
        regressor keeps (8, 5, 3): the wider kernels moved its mean R² both
        ways (0.230 to 0.229, 0.193 to 0.208).
    conv_znorm : bool, default=False
        Whether the convolutional branch's first block also reads each
        feature of each sequence standardised by that sequence's own real
        steps (minus their mean, over their standard deviation), beside the
        feature as the recurrent network gets it: the series' shape whatever
        its level and spread, which per-feature ``scaling`` keeps. Ignored
        without the branch. Chosen on the panel's training splits: the
        regressor's mean cross-validated R² over its three problems rose
        from 0.160 to 0.245 and from 0.010 to 0.197 in two draws (Tecator,
        spectra, 0.55 to 0.92 and 0.51 to 0.93), so the regressor reads
        both; the classifier's mean accuracy was level in two draws (0.861
        against 0.863, 0.866 against 0.866) and lower on five training
        sequences per class, so it does not. The branch reading the standardised
        sequences alone scored higher on Tecator (0.98) but lost most of a
        target set by each sequence's level, its mean (R² 0.47-0.52, against
        0.85-0.88 reading both and 0.90-0.91 without).
    summary_dropout : float, default=0.7
        With the convolutional branch: the share of training sequences whose
        whole recurrent summary is dropped (set to zero, the others scaled
        up) before the output layer, so that the branch also learns to
        classify alone and the recurrent network, which fits small training
        sets fast, does not crowd it out. Ignored without the branch.
        Each sequence's draw comes from its own values and the update count,
        not its place in the batch, so sample weights stay exact. Chosen on
        the panel's training splits: for the classifier, mean
        cross-validated accuracy 0.849 with 0.7, against 0.833 with 0.5 and
        0.846 with 0.85 (OSULeaf 0.80 to 0.87); for the regressor, mean R²
        0.160 with 0.5 against 0.038 with 0.7 (Tecator 0.55 against 0.21),
        so it keeps 0.5.
    linear_steps : {'auto'} or bool, default='auto'
        A linear read of every step at its place, added to the network's
        output (for the classifier, a logistic regression on the zero-padded
        steps beside the network): each feature of each of the first as many
        steps as the longest training sequence has gets its own weight,
        padding reads as zero, and later steps are not read. A label set by
        the values at particular steps gets a direct path, which the
        network's means over steps cannot give. ``'auto'``: where the
        network reads every step (``window_`` 1) and the longest training
        sequence has at most 25 steps; True: always; False: never. Token ids
        (``embedding_dim``) have none. Chosen on synthetic rules over 12
        steps (the label set by a few steps, 100 training sequences) and the
        panel's training splits: the rules' mean test accuracy rose from
        0.796 to 0.878 (a logistic regression: 0.881); on the panel only
        ItalyPowerDemand (24 steps) has one, and its cross-validated
        accuracy rose or held in three draws (0.970 to 0.970, 0.956 to
        0.985, 0.955 to 0.970), while scikit-learn's 8x8 digits lost up to
        0.8 points. Read always, it cost long series (GunPoint 0.90 to
        0.82, BasicMotions 1.00 to 0.73). The regressor does not read it by
        default.
    network_dropout : float, default=0.8
        With the linear read of the steps: the share of training sequences
        whose whole network output is dropped (set to zero, the others
        scaled up) before the linear read's is added, so that the linear
        read also learns to predict alone rather than being left behind by
        the network, which fits small training sets fast. Drawn per
        sequence, as ``summary_dropout``. Ignored without the linear read.
        On the rules, 0.8 scored 0.858, against 0.836 with 0.5 and 0.801
        with none (before the read's steps were scaled by 4, which took 0.8
        to 0.878).
    embedding_dim : int, default=None
        None: steps are numeric features. An int: steps are integer token ids
        (0, 1, 2, ...), fed through a ``keras.layers.Embedding`` of this
        width whose vocabulary is the ids seen at fit (0 to the largest).
        Ids larger than any seen at fit are refused at predict.
    scaling : {'feature', 'sequence'} or None, default='feature'
        Standardisation of numeric steps before the network. ``'feature'``:
        each feature by its mean and standard deviation over the real steps
        of the training data (learned at fit, kept in ``feature_mean_`` and
        ``feature_scale_``). ``'sequence'``: each feature of each sequence by
        that sequence's own real steps (z-normalisation, nothing learned).
        None: values as given. Token ids are never scaled. ``'feature'`` was
        chosen on the panel's training splits; ``'sequence'`` loses the
        level and spread that tell many series apart.
    window : int or 'auto', default='auto'
        Steps read as one network step: each ``window`` consecutive real
        steps go side by side as the features of one network step
        (``window * n_features`` inputs; a sequence's last, partial window
        repeats its last real step). Long series become shorter, so easier
        for a recurrent network to learn from and faster to read, and no
        value is dropped. ``'auto'`` picks the smallest window that makes
        the longest training sequence at most 25 network steps
        (``window_``; 1 for sequences of up to 25 steps). Token ids need
        ``window=1`` (``'auto'`` gives 1).
    padding : {'post', 'pre'}, default='post'
        Side of padded arrays that holds the padding.
    truncating : {'pre', 'post'}, default='pre'
        With ``maxlen``: ``'pre'`` keeps the last ``maxlen`` steps of longer
        sequences, ``'post'`` keeps the first ``maxlen``.
    maxlen : int, default=None
        Longest sequence kept, in steps; None keeps every step.
    mask_value : float, default=None
        Value of padding steps in padded arrays. None means NaN for numeric
        input and 0 for token ids. Only a contiguous run of steps equal to it
        at the padding side is padding; the same value inside a sequence is
        data. Set ``mask_value=0.0`` for zero-padded float arrays.
    eos_value : float, default=None
        End-of-sequence marker: the first step equal to it (all features
        equal to it, for multivariate steps) is fed to the network and
        everything after it is ignored. None: no marker.
    max_iter : int, default=500
        Maximum number of epochs (passes over the training data) per call to
        ``fit``.
    batch_size : int or 'auto', default='auto'
        Sequences per training step; ``'auto'`` is ``min(32, n_samples)``.
        Larger values are clipped to the number of samples.
    optimizer : {'adam', 'sgd', 'rmsprop'}, default='adam'
        Keras optimizer.
    learning_rate_init : float, default=0.001
        Initial learning rate of the optimizer.
    learning_rate : {'constant', 'adaptive'}, default='constant'
        ``'adaptive'`` divides the learning rate by 5 each time
        ``n_iter_no_change`` epochs pass without improvement (instead of
        stopping), until it would fall below 1e-6, as in ``MLPClassifier``.
    momentum : float, default=0.9
        Momentum of the ``'sgd'`` optimizer.
    clipnorm : float, default=5.0
        Clip each variable's gradient to this norm; guards recurrent networks
        against exploding gradients. None: no clipping. Chosen by
        measurement: with it, the default tagger learns running parity
        (per-step accuracy 1.000 against 0.685 without); the mean
        cross-validated accuracy on the UCR/UEA panel is 0.812 against 0.804
        without (0.800 with a norm of 1.0), and the mean R² on its regression
        problems 0.052 against 0.083 (Tecator 0.78 against 0.83).
    weight_average : float, default=0.99
        Momentum of an exponential moving average of the weights, kept by
        the optimizer while training (Keras' ``use_ema``). When ``fit`` ends
        without held-out data, the average replaces the weights: the network
        is a mean over its last ``1 / (1 - weight_average)`` or so updates
        (100 by default) rather than wherever the last update left it. Like
        the optimizer, it is set when the network is built.
        ``partial_fit`` keeps the last update's weights, so repeated calls
        continue training. With ``early_stopping``, each epoch's average is
        what the held-out data scores (and what callbacks see at the epoch's
        end), and the best epoch's average is kept; training goes on from
        the last update's weights, as Keras' ``SwapEMAWeights`` callback
        does. None: no average. Chosen on the classifier: the
        mean cross-validated accuracy on the UCR/UEA panel rose from 0.849
        to 0.863 (GunPoint 0.86 to 0.94). The regressor, which holds out a
        tenth by default, averages with momentum 0.9: on its three UCR/UEA
        problems the mean cross-validated R² led four draws of five (two
        seeds each on TensorFlow and JAX and a third on JAX; by 0.009 to
        0.053) and tied the fifth, Tecator ahead in all five. Not measured
        for the tagger, which keeps None.
    alpha : float, default=0.0001
        L2 penalty: ``alpha`` times the sum of squared kernel weights is
        added to the mean training loss.
    early_stopping : bool or 'auto', default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class for a classifier) and stop when its score (accuracy, or R² for
        a regressor) has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the weights of the best epoch are kept. ``partial_fit``
        refuses True. ``'auto'`` holds out only where that share is at least
        5 sequences and, for a classifier, can be stratified (every class at
        least twice, and at least one held-out sequence per class); never in
        ``partial_fit``. Elsewhere it trains on all the data. It is the
        regressor's default: on the UCR/UEA regression problems it raised
        the cross-validated R² on the training splits on all three
        (CardanoSentiment -0.56 to -0.12, Covid3Month -0.06 to -0.05,
        Tecator 0.78 to 0.81). On the classification problems it lowered
        the mean accuracy (0.812 to 0.806; JapaneseVowels 0.97 to 0.91,
        ItalyPowerDemand 0.90 to 0.85, OSULeaf 0.58 to 0.65), so the
        classifier and the tagger default to False.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    tol : float, default=1e-4
        Improvement that counts: of the training loss (lower), or of the
        validation score (higher) with ``early_stopping``. The classifier's
        1e-3 was chosen by cross-validation on the benchmark panel's
        training splits: the same or a higher mean accuracy than 1e-4 in two
        draws, with JapaneseVowels fits about five times shorter (on long
        series the loss keeps improving by more than either until
        ``max_iter``). The regressor and the tagger keep 1e-4.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops (or, with
        ``learning_rate='adaptive'``, before the learning rate drops), and at
        least enough epochs for 250 updates, so small data sets (a few
        updates per epoch) are not stopped on their initial plateau. Nor is
        a network that has not started learning: epochs count only once the
        training loss is 10% below the first epoch's and, with
        ``early_stopping``, the held-out score has beaten the first epoch's
        by ``tol`` (or after 10,000 updates).
    shuffle : bool, default=True
        Whether to shuffle the training sequences before each epoch.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks, deep-copied for each fit so clones and grid-search
        candidates never share their state. They see the usual events; an
        epoch's logs hold the keys of ``history_``, and setting
        ``model.stop_training`` ends training.
    warm_start : bool, default=False
        Continue from the fitted network on the next ``fit`` instead of
        starting anew (same targets, features and network required).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. An int gives the same model on every fit. None draws fresh
        randomness for each fit. Global random state (NumPy's, Python's,
        Keras') is never read or changed.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar with the loss and metrics
        of each epoch.
"""

SHARED_ATTRIBUTES = """\
    n_features_in_ : int
        Features per step; for a 2-D array (univariate sequences, one column
        per step) the number of columns, as in scikit-learn; 1 for token ids.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when fit on a DataFrame with string column names.
    window_ : int
        Steps read as one network step (1 for token ids).
    feature_mean_ : ndarray of shape (`window_` * n_features,) or None
        With ``scaling='feature'``: the mean of each network input over the
        real (windowed) training steps; None otherwise.
    feature_scale_ : ndarray of shape (`window_` * n_features,) or None
        With ``scaling='feature'``: the standard deviation of each network
        input (1 where it is constant); None otherwise.
    model_ : keras.Model
        The trained network, mapping ``[values, lengths]`` (right-padded
        steps and true lengths) to its outputs (class logits, or values).
    loss_curve_ : list of float
        Training loss after each epoch.
    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation score after each epoch; None without
        ``early_stopping``.
    best_validation_score_ : float or None
        Best validation score, whose weights were kept; None without
        ``early_stopping``.
    n_iter_ : int
        Number of epochs run (over all calls, with ``warm_start`` or
        ``partial_fit``).
    t_ : int
        Number of training samples seen.
"""


def _entries(text):
    """numpydoc entries of ``text``, keyed by the name they document."""
    entries = re.split(r"\n(?=    \w)", text.rstrip("\n"))
    return {entry.split(" :")[0].strip(): entry + "\n" for entry in entries}


def _with_default(entry, default):
    """``entry`` with the default its class's signature gives, where it differs."""
    head, rest = entry.split("\n", 1)
    documented = head.rpartition("default=")[2]
    if ast.literal_eval(documented) == default:
        return entry
    return f"{head.rpartition('default=')[0]}default={default!r}\n{rest}"


def with_shared_docs(cls):
    """Fill the shared parameters and attributes into the class docstring.

    Only the parameters of the class's own ``__init__`` are documented (the
    tagger has no ``pooling`` or ``window``), and only the attributes that go
    with them.
    """
    signature = inspect.signature(cls.__init__).parameters
    parameters = "".join(
        _with_default(entry, signature[name].default)
        for name, entry in _entries(SHARED_PARAMETERS).items()
        if name in signature
    )
    attributes = "".join(
        entry
        for name, entry in _entries(SHARED_ATTRIBUTES).items()
        if name != "window_" or "window" in signature
    )
    cls.__doc__ = cls.__doc__.replace(
        "    %(shared_parameters)s\n", parameters
    ).replace("    %(shared_attributes)s\n", attributes)
    return cls


def store_params(estimator, params):
    """Set each ``__init__`` argument (``locals()`` of ``__init__``) unchanged."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
