"""The TensorFlow SavedModel of a fitted estimator: the ONNX graph's twin.

Its ``serve(values, lengths)`` signature takes and returns the same named
tensors as the ONNX graph: :func:`tf_input_stage` is the TensorFlow rendering
of :class:`skrnn._preprocessing.InputPipeline`, and the task writes the output
stage.
"""

__all__ = ["tf_input_stage", "write_saved_model"]


def _real_steps(tf, values, lengths):
    steps = tf.range(tf.shape(values)[1], dtype=tf.int64)
    return steps[None, :] < lengths[:, None]


def _masked(tf, values, real):
    return tf.where(real[..., None], values, tf.zeros_like(values))


def _stack_windows(tf, values, lengths, k):
    shape = tf.shape(values, out_type=tf.int64)
    n_windows = (shape[1] + k - 1) // k
    source = tf.minimum(
        tf.range(n_windows * k)[None, :], tf.maximum(lengths, 1)[:, None] - 1
    )
    filled = tf.gather(values, source, batch_dims=1)
    stacked = tf.reshape(filled, [shape[0], n_windows, k * shape[2]])
    return stacked, (lengths + k - 1) // k


def _zscore(tf, values, real, lengths):
    count = tf.cast(lengths, values.dtype)[:, None, None]
    mean = tf.reduce_sum(values, axis=1, keepdims=True) / count
    centred = _masked(tf, values - mean, real)
    std = tf.sqrt(tf.reduce_sum(centred**2, axis=1, keepdims=True) / count)
    std = tf.where(std > 1e-8 * (1 + tf.abs(mean)), std, tf.ones_like(std))
    return centred / std


def tf_input_stage(pipeline, values, lengths):
    """The TensorFlow rendering of an :class:`~skrnn._preprocessing.InputPipeline`.

    ``lengths`` are int64; padded steps of the result are zero.
    """
    import tensorflow as tf

    if pipeline.tokens:
        return tf.where(_real_steps(tf, values, lengths), values, 0), lengths
    real = _real_steps(tf, values, lengths)
    values = _masked(tf, values, real)
    for shift, scale in pipeline.scalers:
        values = _masked(tf, (values - shift) / scale, real)
    if pipeline.window > 1:
        values, lengths = _stack_windows(tf, values, lengths, pipeline.window)
    # Windows past the end repeat the last real step; no statistic counts them.
    real = _real_steps(tf, values, lengths)
    values = _masked(tf, values, real)
    if pipeline.scaling == "feature":
        values = _masked(
            tf, (values - pipeline.feature_mean) / pipeline.feature_scale, real
        )
    elif pipeline.scaling == "sequence":
        values = _zscore(tf, values, real, lengths)
    return values, lengths


def _serving_function(description):
    """``serve(values, lengths)``: input stage, network, output stage."""
    import tensorflow as tf

    model, task = description.model, description.task

    def serve(values, lengths):
        lengths = tf.cast(lengths, tf.int64)
        values, lengths = tf_input_stage(description.pipeline, values, lengths)
        steps = lengths
        if task.past_end is not None:
            steps = tf.maximum(lengths, task.past_end) + 1
            extra = tf.maximum(tf.reduce_max(steps) - tf.shape(values, tf.int64)[1], 0)
            tokens = description.pipeline.tokens
            paddings = [[0, 0], [0, extra]] + ([] if tokens else [[0, 0]])
            values = tf.pad(values, paddings)
        values = tf.cast(values, model.inputs[0].dtype)
        logits = model([values, tf.cast(lengths, tf.int32)], training=False)
        return task.tf_outputs(tf, tf.cast(logits, tf.float32), steps)

    return serve


def write_saved_model(description, path):
    """Write a SavedModel whose ``serve`` signature mirrors the ONNX graph."""
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            "format='tf_saved_model' needs the TensorFlow backend; the active "
            f"Keras backend is {keras.backend.backend()!r}. Export to ONNX "
            "instead, or save the estimator and export it from a TensorFlow "
            "process: est.save(path), then, with KERAS_BACKEND=tensorflow, "
            "skrnn.load(path).export(directory, format='tf_saved_model')."
        )
    pipeline = description.pipeline
    archive = keras.export.ExportArchive()
    archive.track(description.model)
    features = [] if pipeline.tokens else [pipeline.step_width]
    archive.add_endpoint(
        "serve",
        _serving_function(description),
        input_signature=[
            tf.TensorSpec(
                [None, None, *features],
                tf.int64 if pipeline.tokens else tf.float32,
                name="values",
            ),
            tf.TensorSpec([None], tf.int64, name="lengths"),
        ],
    )
    archive.write_out(str(path), verbose=False)
