"""Compiled networks shared by every estimator whose network has the same graph.

Keras traces a model's training and prediction steps the first time they run
(about 0.3 s each on a CPU), and the traced graphs live as long as the model.
An estimator builds a new model at every fit, so a search, a refit per customer
or ``check_estimator`` would trace the same graphs again and again and keep
every copy.

Instead, each estimator keeps its state (weights, optimizer slots, dropout seed
state) in its own model, and runs it on an *engine*: a compiled model of the
same graph, borrowed from a process-wide pool keyed by everything the graph
depends on (:func:`graph_key`). Borrowing loads the owner's state into the
engine; training reads it back. An engine is lent to one caller at a time;
concurrent callers with the same key get engines of their own, so estimators
never share state and threads stay correct. At most ``ENGINE_POOL_SIZE``
idle engines are kept, the least recently used being dropped first.

Each backend has one *runner* (:func:`runner`) owning what differs between
backends: the forward pass, the training step and the batch-shape rule. The
rest of skrnn calls the runner and never asks which backend is active.

- TensorFlow: prediction needs no engine: :func:`compiled_forward` traces one
  forward pass per graph that reads the weights of whichever model it is
  given, so nothing is copied before a call. Training runs each engine's own
  concrete training step (:func:`compiled_train_step`), traced once per
  engine and batch structure and called directly. Batches keep their exact
  shapes (a concrete function takes any).
- JAX: every new input shape is a new program, so batches have fixed shapes
  (:meth:`JaxRunner.batch_shape`): a training batch always has
  ``batch_size`` rows (the smaller last batch is padded with rows of weight
  zero), a short epoch runs at the data's width and a long one rounds widths
  up to powers of two, and prediction runs in blocks of
  ``JAX_PREDICT_ROWS``; a network compiles a bounded number of programs.
  Keras' stateless training step is compiled once per engine and shape and
  called with the state passed and returned; the state it consumes (donates)
  is the engine's own (:func:`copy_state` copies). Logs are read once per
  epoch.
"""

import functools
import json
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager

import keras
import numpy as np

from skrnn._model import keras_activation_name

__all__ = [
    "ENGINE_POOL_SIZE",
    "borrowed",
    "copy_state",
    "compiled_forward",
    "compiled_train_step",
    "graph_key",
    "runner",
]

# Idle engines kept per process, over all keys. Each holds its traced steps
# (a few MB); a search over more configurations than this re-traces the
# least recently used ones. (TensorFlow keeps its own copy of every traced
# function in its function library even after an engine is dropped.)
ENGINE_POOL_SIZE = 16

# Configuration entries that shape no graph: initial values live in variables.
_STATE_ENTRIES = frozenset({"seed", "learning_rate"})
_RECURRENT = frozenset({"SimpleRNN", "LSTM", "GRU"})
# Keys of live models, remembered with the optimizer they were computed for
# (compiling again gives a new one).
_KEYS = weakref.WeakKeyDictionary()


def _without_state(config):
    """``config`` without the entries that only set initial values."""
    if isinstance(config, dict):
        return {
            name: _without_state(value)
            for name, value in config.items()
            if name not in _STATE_ENTRIES
        }
    if isinstance(config, (list, tuple)):
        return [_without_state(value) for value in config]
    return config


def _uses_custom_functions(model):
    """Whether a layer of ``model`` holds an activation that is not Keras' own.

    Such a function is serialised by name only (or not at all, for a lambda),
    so two different functions could give the same configuration.
    """
    # _flatten_layers reaches the cells inside recurrent and wrapper layers.
    for layer in model._flatten_layers(include_self=False):
        for attribute in ("activation", "recurrent_activation"):
            function = getattr(layer, attribute, None)
            if function is not None and keras_activation_name(function) is None:
                return True
    return False


def graph_key(model):
    """A string naming everything ``model``'s traced steps depend on, or None.

    Computed once per model and compile (see :func:`_graph_key`).
    """
    optimizer = getattr(model, "optimizer", None)
    cached = _KEYS.get(model)
    if cached is not None and cached[0] is optimizer:
        return cached[1]
    key = _graph_key(model)
    _KEYS[model] = (optimizer, key)
    return key


def _graph_key(model):
    """A string naming everything ``model``'s traced steps depend on, or None.

    The key holds the backend, the model's configuration and its compile
    configuration, less seeds and the learning rate (they set the initial
    values of variables, which are copied in). A model using a custom function
    (for example a callable activation) gets None: two different functions can
    share a name, so such a model is never shared.
    """
    if _uses_custom_functions(model):
        return None
    try:
        config = {
            "backend": keras.backend.backend(),
            "model": model.get_config(),
            "compile": model.get_compile_config() if model.compiled else None,
            # Not in the loss's configuration, yet it sets the loss's precision.
            "loss_dtype": getattr(model.loss, "dtype", None),
        }
        if config["compile"] and config["compile"].get("optimizer"):
            # Keras numbers optimizer names (adam, adam_1, ...); they shape nothing.
            config["compile"]["optimizer"]["config"].pop("name", None)
        return json.dumps(_without_state(config), sort_keys=True)
    except Exception:  # noqa: BLE001 - whatever cannot be keyed is not shared
        return None


def copy_state(source, target, optimizer=True):
    """Assign ``source``'s variables (and optimizer variables) to ``target``."""
    if source is target:
        return
    pairs = list(zip(source.variables, target.variables, strict=True))
    if optimizer and source.optimizer is not None:
        pairs += zip(
            source.optimizer.variables, target.optimizer.variables, strict=True
        )
    if keras.backend.backend() == "tensorflow":
        # TensorFlow's own assign of the backing variables: half the cost of
        # Keras' (which checks and converts the value first).
        for source_variable, target_variable in pairs:
            target_variable.value.assign(source_variable.value, read_value=False)
    elif keras.backend.backend() == "jax":
        import jax.numpy as jnp

        # A JAX variable's assign keeps the array it is given, so without a
        # copy both models would hold one buffer, and a compiled step that
        # donates its state (as Keras' JAX trainer does) would delete the
        # other model's weights.
        for source_variable, target_variable in pairs:
            target_variable.assign(jnp.array(source_variable.value, copy=True))
    else:
        for source_variable, target_variable in pairs:
            target_variable.assign(source_variable.value)


class _EnginePool:
    """Idle engines by graph key, least recently used first."""

    def __init__(self, size):
        self.size = size
        self._idle = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key):
        with self._lock:
            engines = self._idle.get(key)
            if not engines:
                return None
            engine = engines.pop()
            if not engines:
                del self._idle[key]
            return engine

    def give_back(self, key, engine):
        with self._lock:
            self._idle.setdefault(key, []).append(engine)
            self._idle.move_to_end(key)
            while sum(map(len, self._idle.values())) > self.size:
                oldest = next(iter(self._idle))
                self._idle[oldest].pop(0)
                if not self._idle[oldest]:
                    del self._idle[oldest]

    def clear(self):
        with self._lock:
            self._idle.clear()

    def __len__(self):
        with self._lock:
            return sum(map(len, self._idle.values()))


_POOL = _EnginePool(ENGINE_POOL_SIZE)


def _with_seeds(config):
    """``config`` with a seed in every recurrent layer's configuration.

    Keras' recurrent layers do not serialise their seed; built from their
    configuration alone, they would draw one from Python's global random
    state. The value does not matter: the seed state is copied in.
    """
    if isinstance(config, dict):
        config = {name: _with_seeds(value) for name, value in config.items()}
        if config.get("class_name") in _RECURRENT and "seed" not in config["config"]:
            config["config"] = {**config["config"], "seed": 0}
        return config
    if isinstance(config, list):
        return [_with_seeds(value) for value in config]
    return config


def _clone_layer(layer):
    config = _with_seeds(
        {"class_name": type(layer).__name__, "config": layer.get_config()}
    )
    return type(layer).from_config(config["config"])


def _new_engine(model):
    """A compiled copy of ``model``'s graph with variables of its own."""
    engine = keras.models.clone_model(model, clone_function=_clone_layer)
    if model.compiled:
        arguments = keras.saving.deserialize_keras_object(model.get_compile_config())
        # The loss's dtype is not in its configuration: share the object.
        engine.compile(**{**arguments, "loss": model.loss})
        # As in compile_model: slots created now are not created while tracing.
        engine.optimizer.build(engine.trainable_variables)
    return engine


@contextmanager
def borrowed(model, training=False):
    """Lend a compiled engine holding ``model``'s state.

    Parameters
    ----------
    model : keras.Model
        The owner: a model from :func:`skrnn._model.build_model`, compiled
        for training.
    training : bool, default=False
        Also load the optimizer's state, and read the engine's variables
        back into ``model`` when the block ends without an error.

    Yields
    ------
    engine : keras.Model
        A model of the same graph, holding ``model``'s state; ``model``
        itself when its graph cannot be shared.
    """
    key = graph_key(model)
    if key is None:
        yield model
        return
    engine = _POOL.take(key) or _new_engine(model)
    copy_state(model, engine, optimizer=training)
    try:
        yield engine
        if training:
            copy_state(engine, model)
    finally:
        # The engine keeps the last state it held until the next borrower
        # overwrites it; it is never read before that.
        _POOL.give_back(key, engine)


# Forward passes by graph key, least recently used first; at most
# ENGINE_POOL_SIZE are kept.
_FORWARDS = OrderedDict()
_FORWARDS_LOCK = threading.Lock()


def _run_on(template_ref, dtypes, *arguments):
    """``template``'s forward pass on the weights behind the resource handles."""
    import tensorflow as tf

    template = template_ref()
    *handles, values, lengths = arguments
    state = [
        (
            variable,
            # A handle carries no static shape; the scope checks shapes.
            tf.ensure_shape(
                tf.raw_ops.ReadVariableOp(resource=handle, dtype=dtype), variable.shape
            ),
        )
        for variable, handle, dtype in zip(
            template.variables, handles, dtypes, strict=True
        )
    ]
    with keras.StatelessScope(state_mapping=state):
        return template([values, lengths], training=False)


def _compile_forward(template):
    """The concrete forward pass of ``template``'s graph, weights as inputs."""
    import tensorflow as tf

    dtypes = [tf.as_dtype(variable.dtype) for variable in template.variables]
    # The inputs' shapes are (None, None[, n_features]) and (None,).
    signature = [tf.TensorSpec([], tf.resource)] * len(dtypes) + [
        tf.TensorSpec(tensor.shape, tensor.dtype) for tensor in template.inputs
    ]
    # A partial, not a closure: TensorFlow counts traces per code object, and
    # would read the functions of many graphs as one function retracing. It
    # holds the template weakly, so a model that is its own template can be
    # freed.
    function = tf.function(
        functools.partial(_run_on, weakref.ref(template), dtypes),
        input_signature=signature,
        autograph=False,
    )
    # Its one concrete function, called directly: that skips matching the
    # arguments against the signature, about 0.8 ms of a 2 ms call.
    return function.get_concrete_function()


# Forward passes of models whose graph cannot be shared: one per model.
_OWN_FORWARDS = weakref.WeakKeyDictionary()


def compiled_forward(model, compile_forward=None):
    """A compiled forward pass that reads ``model``'s weights.

    Under TensorFlow, every model of one graph (see :func:`graph_key`) shares
    one trace: the function takes the variables' resource handles as inputs,
    so prediction neither copies weights into an engine nor traces per model,
    and concurrent calls are safe (nothing is assigned). A model whose graph
    cannot be shared gets a trace of its own.

    Parameters
    ----------
    model : keras.Model
        A model taking ``[values, lengths]``.
    compile_forward : callable, default=None
        ``compile_forward(template)`` compiles the forward pass of
        ``template``'s graph; None: TensorFlow's.

    Returns
    -------
    forward : callable
        ``forward(values, lengths)`` returns the outputs as a tensor.
    """
    if compile_forward is None:
        compile_forward = _compile_forward
    key = graph_key(model)
    if key is None:
        function = _OWN_FORWARDS.get(model)
        if function is None:
            function = _OWN_FORWARDS[model] = compile_forward(model)
    else:
        with _FORWARDS_LOCK:
            entry = _FORWARDS.get(key)
            if entry is not None:
                _FORWARDS.move_to_end(key)
        if entry is None:
            template = keras.models.clone_model(model, clone_function=_clone_layer)
            # The entry keeps the template alive while its function is cached.
            entry = (template, compile_forward(template))
            with _FORWARDS_LOCK:
                entry = _FORWARDS.setdefault(key, entry)
                while len(_FORWARDS) > ENGINE_POOL_SIZE:
                    _FORWARDS.popitem(last=False)
        function = entry[1]
    if compile_forward is not _compile_forward:
        return function
    handles = [variable.value.handle for variable in model.variables]
    return lambda values, lengths: function(*handles, values, lengths)


# Concrete training steps of each engine, by the structure of its batches.
_TRAIN_STEPS = weakref.WeakKeyDictionary()
_TRAIN_STEPS_LOCK = threading.Lock()


def _train_step_on(engine_ref, data):
    return engine_ref().train_step(data)


def _batch_spec(array):
    """A spec of ``array``'s kind: batch and time sizes free, features fixed."""
    import tensorflow as tf

    shape = [None] * array.ndim
    if array.ndim == 3:
        shape[2] = array.shape[2]
    return tf.TensorSpec(shape, tf.as_dtype(array.dtype))


def _build_metrics(engine, sample):
    """Create the compiled loss's and metrics' variables before tracing.

    Created inside the first trace, they would make TensorFlow trace the step
    a second time. The loss and metrics of ``sample`` (one sequence's first
    step), on outputs of zeros, build them eagerly; the network itself is not
    run, so no state (such as a dropout seed) moves.
    """
    inputs, targets, weights = sample
    output = engine.outputs[0]
    outputs = np.zeros(
        [1 if size is None else size for size in output.shape], output.dtype
    )
    engine.compute_loss(x=inputs, y=targets, y_pred=outputs, sample_weight=weights)
    engine.compute_metrics(inputs, targets, outputs, sample_weight=weights)
    engine.reset_metrics()


def compiled_train_step(engine, sample):
    """``engine``'s training step for batches like ``sample``, traced once.

    Keras' ``train_function`` traces the step for the first batch's exact
    shape, then again with free shapes when another width arrives, and
    matches every call's arguments against its traces. This is the step's
    one concrete function for any batch size and sequence length, traced
    once per engine and called directly: one trace where Keras makes two,
    and about half the functions that TensorFlow keeps in its function
    library for every new network (it never frees them). It keeps Keras'
    ``jit_compile`` setting and updates the compiled metrics as
    ``train_on_batch`` does (reset them with ``engine.reset_metrics()``).

    Parameters
    ----------
    engine : keras.Model
        A compiled model (see :func:`borrowed`).
    sample : tuple
        ``([values, lengths], targets, sample_weight)`` of one sequence's
        first step, as numpy arrays: its ranks, dtypes and number of features
        are those of every batch.

    Returns
    -------
    step : callable
        ``step(batch)`` trains on one batch and returns the logs as tensors.
    """
    import tensorflow as tf

    specs = tf.nest.map_structure(_batch_spec, sample)
    signature = tuple(tf.nest.flatten(specs))
    with _TRAIN_STEPS_LOCK:
        steps = _TRAIN_STEPS.setdefault(engine, {})
        step = steps.get(signature)
    if step is None:
        _build_metrics(engine, sample)
        # A partial holding the engine weakly, as in _compile_forward: the
        # cached step must not keep its engine alive.
        function = tf.function(
            functools.partial(_train_step_on, weakref.ref(engine)),
            jit_compile=engine.jit_compile,
            autograph=False,
        )
        step = function.get_concrete_function(specs)
        with _TRAIN_STEPS_LOCK:
            step = steps.setdefault(signature, step)
    return step


# ------------------------------------------------------------------ runners


def _pad_rows(array, rows):
    """``array`` with its first row repeated until it has ``rows`` rows."""
    missing = rows - len(array)
    if missing <= 0:
        return array
    return np.concatenate([array, np.repeat(array[:1], missing, axis=0)])


def _dtypes(model):
    """The numpy dtypes of ``model``'s inputs."""
    return [np.dtype(tensor.dtype) for tensor in model.inputs]


def _cast(dtypes, values, lengths):
    """The inputs as numpy arrays of the given dtypes."""
    return [
        np.asarray(array, dtype=dtype)
        for array, dtype in zip((values, lengths), dtypes, strict=True)
    ]


class _TensorFlowTrainer:
    """Runs an engine's concrete training step; metrics accumulate per epoch."""

    def __init__(self, engine, sample):
        self.engine = engine
        self._step = compiled_train_step(engine, sample)
        self._logs = None

    def begin_epoch(self):
        self.engine.reset_metrics()

    def step(self, batch):
        """Train on ``batch``; return the epoch's logs so far, as tensors."""
        self._logs = self._step(batch)
        return self._logs

    def end_epoch(self):
        """The epoch's logs, as floats."""
        return {name: float(value) for name, value in self._logs.items()}

    def close(self):
        pass


class TensorFlowRunner:
    """TensorFlow: concrete functions of free batch and time sizes."""

    name = "tensorflow"

    def batch_shape(self, rows, width, max_rows, max_width, n_batches=1):
        """Rows and steps a batch of ``rows`` sequences is run with.

        ``width`` is the batch's longest sequence, ``max_rows`` the most
        sequences a training batch holds (None when predicting), ``max_width``
        the data's width and ``n_batches`` the batches of an epoch.
        TensorFlow runs every batch at its exact shape.
        """
        return rows, width

    def forward(self, model):
        """``forward(values, lengths)``: ``model``'s outputs as a numpy array."""
        function, dtypes = compiled_forward(model), _dtypes(model)
        # The closure keeps ``model``, and so its weights, alive while in use.
        return lambda values, lengths: function(*_cast(dtypes, values, lengths)).numpy()

    def trainer(self, engine, sample):
        """A trainer running ``engine``'s steps on batches like ``sample``."""
        return _TensorFlowTrainer(engine, sample)


# Under JAX, an epoch of at most this many batches runs them all at one width.
JAX_ONE_WIDTH_BATCHES = 64
# Under JAX, prediction runs in blocks of this many sequences.
JAX_PREDICT_ROWS = 64


def _bucket(size, largest):
    """``size`` rounded up to a power of two, at most ``largest`` (or ``size``)."""
    return max(size, min(largest, 1 << (int(size) - 1).bit_length()))


def _jax_run_on(template_ref, trainable, non_trainable, values, lengths):
    outputs, _ = template_ref().stateless_call(
        trainable, non_trainable, [values, lengths], training=False
    )
    return outputs


def _compile_jax_forward(template):
    """The jitted forward pass of ``template``'s graph, weights as arguments."""
    import jax

    # Weakly held, as in _compile_forward.
    return jax.jit(functools.partial(_jax_run_on, weakref.ref(template)))


def _jax_train_step_on(engine_ref, state, data):
    return engine_ref().train_step(state, data)


# Jitted training steps of each engine (one program per batch shape).
_JAX_STEPS = weakref.WeakKeyDictionary()


def _jax_state(engine):
    return (
        [variable.value for variable in engine.trainable_variables],
        [variable.value for variable in engine.non_trainable_variables],
        [variable.value for variable in engine.optimizer.variables],
        [variable.value for variable in engine.metrics_variables],
    )


class _JaxTrainer:
    """Runs Keras' stateless training step, jitted, on the engine's state.

    The state is read from the engine's variables when an epoch begins and
    written back when it ends (or the run stops); in between it lives only
    here, and each step donates the state it is given, which nothing else
    holds (:func:`copy_state` copies).
    """

    def __init__(self, engine, sample):
        import jax

        self.engine = engine
        with _TRAIN_STEPS_LOCK:
            step = _JAX_STEPS.get(engine)
            if step is None:
                _build_metrics(engine, sample)
                step = _JAX_STEPS[engine] = jax.jit(
                    functools.partial(_jax_train_step_on, weakref.ref(engine)),
                    donate_argnums=0,
                )
        self._step = step
        self._state = None
        self._logs = None

    def begin_epoch(self):
        self.engine.reset_metrics()
        self._state = _jax_state(self.engine)

    def step(self, batch):
        """Train on ``batch``; return the epoch's logs so far, as arrays."""
        self._logs, self._state = self._step(self._state, batch)
        return self._logs

    def end_epoch(self):
        """Write the state back; return the epoch's logs, as floats."""
        self.close()
        return {name: float(value) for name, value in self._logs.items()}

    def close(self):
        """Write the state back into the engine's variables."""
        if self._state is None:
            return
        engine = self.engine
        variables = (
            engine.trainable_variables,
            engine.non_trainable_variables,
            engine.optimizer.variables,
            engine.metrics_variables,
        )
        for group, values in zip(variables, self._state, strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)
        self._state = None


class JaxRunner:
    """JAX: fixed batch shapes, so each network compiles few programs."""

    name = "jax"

    def batch_shape(self, rows, width, max_rows, max_width, n_batches=1):
        """Rows and steps a batch of ``rows`` sequences is run with.

        Training batches (``max_rows`` is the batch size) always have
        ``max_rows`` rows. An epoch of at most ``JAX_ONE_WIDTH_BATCHES``
        batches runs every batch at the data's width, ``max_width``: compiling
        a program costs seconds, far more than the padded steps of such an
        epoch. Otherwise, and when predicting (``max_rows`` None; prediction
        runs in blocks of ``JAX_PREDICT_ROWS`` rows), widths are rounded up
        to a power of two, at most ``max_width``.
        """
        if max_rows is None:
            return JAX_PREDICT_ROWS, _bucket(width, max_width)
        if n_batches <= JAX_ONE_WIDTH_BATCHES:
            return max_rows, max_width
        return max_rows, _bucket(width, max_width)

    def forward(self, model):
        """``forward(values, lengths)``: ``model``'s outputs as a numpy array.

        It runs blocks of ``JAX_PREDICT_ROWS`` rows (the last padded, and
        the padding's outputs dropped); the caller rounds widths with
        :meth:`batch_shape`.
        """
        function = compiled_forward(model, _compile_jax_forward)
        dtypes = _dtypes(model)

        def forward(values, lengths):
            values, lengths = _cast(dtypes, values, lengths)
            state = (
                [variable.value for variable in model.trainable_variables],
                [variable.value for variable in model.non_trainable_variables],
            )
            # Blocks of one size: a sequence's outputs do not depend on how
            # many others are predicted with it (XLA's arithmetic can differ
            # between shapes).
            rows = JAX_PREDICT_ROWS
            blocks = range(0, len(lengths), rows)
            outputs = [
                np.asarray(
                    function(
                        *state,
                        *(
                            _pad_rows(array[start : start + rows], rows)
                            for array in (values, lengths)
                        ),
                    )
                )
                for start in blocks
            ]
            return np.concatenate(outputs)[: len(lengths)]

        return forward

    def trainer(self, engine, sample):
        """A trainer running ``engine``'s steps on batches like ``sample``."""
        return _JaxTrainer(engine, sample)


class _KerasTrainer:
    """Keras' ``train_on_batch``; the epoch's logs are the batches' mean."""

    def __init__(self, engine):
        self.engine = engine

    def begin_epoch(self):
        self._totals, self._seen = {}, 0

    def step(self, batch):
        inputs, targets, weights = batch
        logs = self.engine.train_on_batch(
            inputs, targets, sample_weight=weights, return_dict=True
        )
        self._seen += len(targets)
        for name, value in logs.items():
            self._totals[name] = self._totals.get(name, 0.0) + value * len(targets)
        return self.end_epoch()

    def end_epoch(self):
        return {name: total / self._seen for name, total in self._totals.items()}

    def close(self):
        pass


class KerasRunner(TensorFlowRunner):
    """Any other backend: Keras' own batch calls, at each batch's exact shape."""

    name = "keras"

    def forward(self, model):
        return lambda values, lengths: keras.ops.convert_to_numpy(
            model.predict_on_batch([values, lengths])
        )

    def trainer(self, engine, sample):
        return _KerasTrainer(engine)


_RUNNERS = {"tensorflow": TensorFlowRunner(), "jax": JaxRunner()}


def runner():
    """The runner of the active Keras backend."""
    return _RUNNERS.get(keras.backend.backend()) or KerasRunner()
