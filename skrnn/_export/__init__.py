"""Export fitted estimators and pipelines, for serving without skrnn.

Two formats, one description: an estimator describes itself as plain data
(:class:`Description`: its input pipeline, network, parameters and fitted
task), and each writer renders that description. Export never reads an
estimator's private attributes.
"""

import json
import os
from dataclasses import replace
from pathlib import Path

from skrnn._export._description import Description
from skrnn._files import atomic_directory, atomic_file
from skrnn._version import __version__

__all__ = ["Description", "export"]

FORMATS = ("onnx", "tf_saved_model")


def _json_params(params):
    """Parameters as JSON, with a readable string for anything else."""
    readable = {}
    for name, value in params.items():
        try:
            json.dumps(value)
        except TypeError:
            value = repr(value)
        readable[name] = value
    return readable


def _describe(estimator):
    """The :class:`Description` of a fitted estimator or pipeline to export."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from skrnn._preprocessing import SequenceStandardScaler

    steps = (
        [step for _, step in estimator.steps]
        if isinstance(estimator, Pipeline)
        else [estimator]
    )
    steps = [step for step in steps if step not in (None, "passthrough")]
    *scalers, final = steps
    if not callable(getattr(final, "_export_description", None)):
        raise TypeError(
            "export takes a fitted skrnn estimator, or a Pipeline of "
            f"SequenceStandardScaler steps ending in one; got {type(final).__name__} "
            "as the final step."
        )
    for scaler in scalers:
        if not isinstance(scaler, SequenceStandardScaler):
            raise TypeError(
                f"Cannot export a Pipeline step {type(scaler).__name__}: only "
                "SequenceStandardScaler steps can come before the skrnn estimator."
            )
        check_is_fitted(scaler)
    check_is_fitted(final)
    description = final._export_description()
    if scalers and description.pipeline.tokens:
        raise TypeError("A SequenceStandardScaler cannot come before token ids.")
    pipeline = replace(
        description.pipeline,
        scalers=tuple(scaler._shift_and_scale() for scaler in scalers),
    )
    return replace(description, pipeline=pipeline), scalers


def export(estimator, path, *, format="onnx"):
    """Write a fitted estimator or pipeline as an ONNX model for onnxruntime.

    The graph takes the canonical form of the sequences and returns what
    ``predict`` and ``predict_proba`` return:

    * inputs: ``values``, float32 of shape ``(batch, time, n_features)``
      (int64 ``(batch, time)`` token ids for a model with ``embedding_dim``),
      right-padded with any value; ``lengths``, int64 of shape ``(batch,)``,
      the true length of each sequence. :func:`skrnn.to_padded` makes both
      from sequences in any form, without TensorFlow.
    * outputs of a classifier: ``probabilities`` (float32, ``(batch,
      n_classes)``, columns in the order of ``classes_``) and ``label`` (the
      predicted class itself, string, int64 or float32).
    * outputs of a regressor: ``predictions`` (float32, shaped like
      ``predict``'s output).
    * outputs of a tagger: ``probabilities`` (float32, ``(batch, steps,
      n_classes)``, plus a last EOS column in EOS mode), ``labels`` (the most
      probable label of each step), ``n_labels`` (int64: sequence ``i``'s
      predicted labels are ``labels[i, :n_labels[i]]``, cut before the first
      EOS as ``predict`` cuts them) and ``n_steps`` (int64: its
      ``predict_proba`` rows are ``probabilities[i, :n_steps[i]]``).

    Batch and time are dynamic: sequences longer than any seen at fit are
    fine. Recurrent layers become ONNX's native ``RNN``, ``GRU``
    (``linear_before_reset=1``) and ``LSTM`` operators reading ``lengths``.
    The file's metadata records skrnn's version, the estimator's class and
    its parameters.

    Parameters
    ----------
    estimator : SequenceRNNClassifier, SequenceRNNRegressor, SequenceRNNTagger \
            or Pipeline
        Fitted; a ``Pipeline`` may put ``SequenceStandardScaler`` steps before
        the skrnn estimator (their statistics are folded into the graph).
    path : str or path-like
        Destination file, customarily ``.onnx`` (a new directory for
        ``'tf_saved_model'``). It is written under a temporary name and
        renamed into place, so a failed export leaves nothing behind.
    format : {'onnx', 'tf_saved_model'}, default='onnx'
        ``'onnx'``: one ONNX file, for onnxruntime. ``'tf_saved_model'``: a
        TensorFlow SavedModel directory for TensorFlow Serving, whose
        ``serving_default`` signature takes and returns the same named
        tensors (it needs the TensorFlow backend).

    Returns
    -------
    path : pathlib.Path
        The file (or SavedModel directory) written.

    Raises
    ------
    ValueError, TypeError
        Before anything is written, for a model that cannot be exported (for
        example a custom activation, which ONNX's recurrent operators lack).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> from skrnn import SequenceRNNClassifier, export, to_padded
    >>> X = [np.random.rand(n, 2).astype(np.float32) for n in (3, 5, 4, 6)]
    >>> clf = SequenceRNNClassifier(units=4, max_iter=2).fit(X, [0, 1, 0, 1])
    >>> export(clf, "model.onnx")  # doctest: +SKIP
    >>> session = ort.InferenceSession("model.onnx")  # doctest: +SKIP
    >>> values, lengths = to_padded(X)
    >>> probabilities, label = session.run(  # doctest: +SKIP
    ...     None, {"values": values.astype(np.float32), "lengths": lengths})
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}; got {format!r}.")
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Directory {str(path.parent)!r} does not exist.")
    description, scalers = _describe(estimator)
    if format == "tf_saved_model":
        from skrnn._export._tf import write_saved_model

        if path.exists():
            raise FileExistsError(
                f"{str(path)!r} exists; a SavedModel is a directory written anew. "
                "Remove it or choose another path."
            )
        with atomic_directory(path) as staging:
            write_saved_model(description, staging)
        return path
    from skrnn._export._onnx import OPSET, onnx_graph, onnx_module

    onnx = onnx_module()
    model = onnx.helper.make_model(
        onnx_graph(description, onnx),
        opset_imports=[onnx.helper.make_opsetid("", OPSET)],
        producer_name="skrnn",
        producer_version=__version__,
        doc_string=f"{description.name} exported by skrnn {__version__}",
    )
    # Opset 17 runs on onnxruntime >= 1.13; an IR version it reads.
    model.ir_version = 8
    onnx.helper.set_model_props(
        model,
        {
            "skrnn_version": __version__,
            "estimator": description.name,
            "params": json.dumps(_json_params(description.params)),
            "pipeline": json.dumps([type(step).__name__ for step in scalers]),
        },
    )
    onnx.checker.check_model(model)
    with atomic_file(path) as stream:
        stream.write(model.SerializeToString())
    return path
