"""One runner per backend: the forward pass, the training step, the batch shapes.

Each backend has one *runner* (:func:`runner`) owning what differs between
backends: the forward pass, the training step and the batch-shape rule. The
rest of skrnn calls the runner and never asks which backend is active.

- TensorFlow: prediction needs no engine: :func:`compiled_forward` traces one
  forward pass per graph that reads the weights of whichever model it is
  given, so nothing is copied before a call. Training runs each engine's own
  concrete training step (:func:`compiled_train_step`), traced once per
  engine and batch structure and called directly. Batches keep their exact
  shapes (a concrete function takes any).
- JAX: networks compute in float32 unless ``jax_enable_x64`` is on
  (:attr:`JaxRunner.float64`). Every new input shape is a new program, so
  batches have fixed shapes (:meth:`JaxRunner.batch_shape`): a training
  batch always has ``batch_size`` rows (the smaller last batch is padded
  with rows of weight zero), a short epoch runs at the data's width and a
  long one rounds widths up to powers of two, and prediction runs in blocks
  of ``JAX_PREDICT_ROWS``; a network compiles a bounded number of programs.
  Keras' stateless training step is compiled once per engine and shape and
  called with the state passed and returned; the state stays in the
  trainer from the first epoch to the last, and what it consumes (donates)
  is the engine's own (:func:`copy_state` copies). Logs are read once per
  epoch.
"""

import functools
import weakref

import keras
import numpy as np

from skrnn._engines import (
    _TRAIN_STEPS_LOCK,
    _build_metrics,
    compiled_forward,
    compiled_train_step,
)

__all__ = ["JaxRunner", "KerasRunner", "TensorFlowRunner", "runner"]


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
    # Whether networks can compute in float64 (float64 input trains in it).
    float64 = True

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


def _jax_train_step_on(engine_ref, state, metrics, data):
    logs, (*state, metrics) = engine_ref().train_step((*state, metrics), data)
    return logs, state, metrics


# Jitted training steps of each engine (one program per batch shape).
_JAX_STEPS = weakref.WeakKeyDictionary()


def _jax_state(engine):
    """The engine's weights and optimizer state, as the training step takes them."""
    return [
        [variable.value for variable in engine.trainable_variables],
        [variable.value for variable in engine.non_trainable_variables],
        [variable.value for variable in engine.optimizer.variables],
    ]


class _JaxTrainer:
    """Runs Keras' stateless training step, jitted, on the engine's state.

    The state (weights and optimizer) is read from the engine's variables
    when the first epoch begins and lives only here until :meth:`close`
    writes it back; the caller closes before anything reads the engine, and
    the next epoch reads it again. Each step donates the state it is given,
    which nothing else holds (:func:`copy_state` copies), except the metrics:
    they are not donated, so every epoch restarts them from the same reset
    values. The learning rate is copied in from the engine, where the
    stopping rule lowers it, whenever it changes there.
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
        self._state = self._metrics = self._logs = None
        optimizer = engine.optimizer
        # Where the learning rate sits in the optimizer's variables (none
        # when it is a schedule), and the value last copied in.
        self._learning_rate = [
            index
            for index, variable in enumerate(optimizer.variables)
            if variable is optimizer.learning_rate
        ]
        self._learning_rate_seen = None
        engine.reset_metrics()
        self._metrics_reset = [
            jax.device_put(np.array(variable.value))
            for variable in engine.metrics_variables
        ]

    def begin_epoch(self):
        import jax

        if self._state is None:
            self._state = _jax_state(self.engine)
            self._learning_rate_seen = None
        optimizer = self._state[2]
        for index in self._learning_rate:
            current = self.engine.optimizer.variables[index].value
            if current is not self._learning_rate_seen:
                # A copy: the step donates it, and the engine's stays readable.
                optimizer[index] = jax.device_put(np.array(current))
                self._learning_rate_seen = current
        self._metrics = self._metrics_reset

    def step(self, batch):
        """Train on ``batch``; return the epoch's logs so far, as arrays."""
        self._logs, self._state, self._metrics = self._step(
            self._state, self._metrics, batch
        )
        return self._logs

    def end_epoch(self):
        """The epoch's logs, as floats."""
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
        for group, values in zip(variables, (*self._state, self._metrics), strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)
        self._state = None


class JaxRunner:
    """JAX: fixed batch shapes, so each network compiles few programs."""

    name = "jax"

    @property
    def float64(self):
        """Whether JAX computes in float64: only with ``jax_enable_x64`` on.

        Without it JAX truncates float64 to float32 with a warning per
        operation, so skrnn builds float32 networks instead (the flag is
        process-wide, and the user's to set).
        """
        import jax

        return bool(jax.config.jax_enable_x64)

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
