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

Each backend runs these through a *runner* (:mod:`skrnn._runners`).
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
