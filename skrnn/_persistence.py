"""Saving and loading estimators: one zip file, Keras' native format plus JSON.

A saved file holds two members and no pickle:

* ``skrnn.json``: the format and its version, the estimator's class name, its
  parameters and fitted attributes (arrays keep their dtype, so labels of any
  type come back exactly), the versions that wrote it, and the SHA-256 of
* ``model.keras``: the network in Keras' own format, loaded with
  ``safe_mode=True`` so that no code stored in it (a ``Lambda`` layer, say) is
  ever run.

Only skrnn's own estimator classes can be named by a file, and their
parameters are validated as if passed by hand.
"""

import hashlib
import importlib
import json
import os
import tempfile
import warnings
import zipfile
import zlib
from importlib.metadata import PackageNotFoundError, version

import keras
import numpy as np

from skrnn._files import atomic_file
from skrnn._version import __version__

__all__ = ["InconsistentVersionWarning", "load", "save"]

FORMAT = "skrnn-estimator"
FORMAT_VERSION = 1
_DOCUMENT = "skrnn.json"
_NETWORK = "model.keras"
# The classes a file may name, and the modules that define them (imported by
# name when a file is loaded, so this module never imports the estimators).
_ESTIMATORS = {
    "SequenceRNNClassifier": "skrnn._classifier",
    "SequenceRNNRegressor": "skrnn._regressor",
    "SequenceRNNTagger": "skrnn._tagger",
}
_PACKAGES = ("skrnn", "keras", "tensorflow", "scikit-learn")
# Parameters added after files were first written, with the value that
# describes a network saved without them (the convolutional branch, and its
# z-normalised input).
_BEFORE_PARAMETERS = {"conv_filters": None, "conv_znorm": False}


class InconsistentVersionWarning(UserWarning):
    """A saved estimator was written by other versions of skrnn or its libraries."""


def _versions():
    found = {}
    for package in _PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    if found["skrnn"] is None:
        found["skrnn"] = __version__
    return found


# ---------------------------------------------------------------- JSON codec


def _encode(value, where):
    """``value`` as JSON data; arrays, tuples and RandomStates are tagged."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        dtype = "object" if value.dtype == object else value.dtype.str
        return {"__ndarray__": _encode(value.tolist(), where), "dtype": dtype}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item, where) for item in value]}
    if isinstance(value, list):
        return [_encode(item, where) for item in value]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [_encode(key, where), _encode(item, where)]
                for key, item in value.items()
            ]
        }
    if isinstance(value, np.random.RandomState):
        name, keys, position, has_gauss, gauss = value.get_state()
        return {"__random_state__": [name, keys.tolist(), position, has_gauss, gauss]}
    raise ValueError(
        f"Cannot save {where}: a {type(value).__name__} is not data a saved file "
        "can hold (numbers, strings, bools, arrays, lists, dicts). Use plain "
        "values (for example a named activation instead of a function), or "
        "pickle the estimator instead."
    )


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.array(_decode(value["__ndarray__"]), dtype=np.dtype(value["dtype"]))
    if "__tuple__" in value:
        return tuple(_decode(item) for item in value["__tuple__"])
    if "__dict__" in value:
        return {_decode(key): _decode(item) for key, item in value["__dict__"]}
    if "__random_state__" in value:
        name, keys, position, has_gauss, gauss = value["__random_state__"]
        state = np.random.RandomState()
        state.set_state(
            (name, np.array(keys, dtype=np.uint32), position, has_gauss, gauss)
        )
        return state
    raise ValueError(f"unknown tagged value with keys {sorted(value)}")


# ------------------------------------------------------------------- saving


def _saved_params(estimator):
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn(
            "callbacks are code and are not saved; the loaded estimator has "
            "callbacks=None. Pass them again with set_params(callbacks=...).",
            UserWarning,
            stacklevel=4,
        )
        params["callbacks"] = None
    return {name: _encode(value, f"parameter {name}") for name, value in params.items()}


def _fitted_attributes(estimator):
    names = [
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_") and name != "model_"
    ]
    names += [name for name in estimator._saved_private if hasattr(estimator, name)]
    return {
        name: _encode(getattr(estimator, name), f"attribute {name}") for name in names
    }


def _network_bytes(model):
    with tempfile.TemporaryDirectory() as directory:
        file = os.path.join(directory, _NETWORK)
        model.save(file)
        with open(file, "rb") as stream:
            return stream.read()


def _as_path(path):
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(
            f"path must be a str or os.PathLike naming a file; got "
            f"{type(path).__name__}."
        ) from None


def _check_destination(path):
    path = _as_path(path)
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"Cannot save to {path!r}: it is a directory. Name a file inside it, "
            "for example 'model.skrnn'."
        )
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"Cannot save to {path!r}: the directory {directory!r} does not exist. "
            "Create it first."
        )
    return path


def save(estimator, path):
    """Write ``estimator`` to ``path`` atomically; see :meth:`save` on estimators."""
    path = _check_destination(path)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": type(estimator).__name__,
        "versions": _versions(),
        "params": _saved_params(estimator),
        "fitted": None,
    }
    model = getattr(estimator, "model_", None)
    network = None
    if model is not None:
        document["fitted"] = _fitted_attributes(estimator)
        network = _network_bytes(model)
        document["model_sha256"] = hashlib.sha256(network).hexdigest()
    text = json.dumps(document)
    # Written beside the destination and renamed over it: readers see the old
    # file or the new one, never a partial one.
    with atomic_file(path) as stream:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_DOCUMENT, text)
            if network is not None:
                archive.writestr(_NETWORK, network)


# ------------------------------------------------------------------ loading


def _refuse(path, problem):
    return ValueError(f"Cannot load {path!r}: {problem}")


def _read_archive(path):
    """The document and the network bytes (or None) of a saved file."""
    path = _as_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Cannot load {path!r}: no such file.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot load {path!r}: it is a directory.")
    if not zipfile.is_zipfile(path):
        raise _refuse(path, "it is not a file written by skrnn's save (not a zip).")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _DOCUMENT not in names or not names <= {_DOCUMENT, _NETWORK}:
                raise _refuse(
                    path,
                    f"it holds {sorted(names)}; a skrnn file holds {_DOCUMENT!r} "
                    f"and, once fitted, {_NETWORK!r}.",
                )
            document = json.loads(archive.read(_DOCUMENT).decode("utf-8"))
            network = archive.read(_NETWORK) if _NETWORK in names else None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        UnicodeDecodeError,
    ) as error:
        raise _refuse(path, f"the archive is damaged ({error}).") from None
    except json.JSONDecodeError as error:
        raise _refuse(path, f"its {_DOCUMENT} is not valid JSON ({error}).") from None
    return path, document, network


def _check_document(path, document, network):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refuse(path, "it is not a skrnn estimator file.")
    file_version = document.get("format_version")
    if not isinstance(file_version, int) or file_version > FORMAT_VERSION:
        raise _refuse(
            path,
            f"it has format version {file_version!r}, newer than the version "
            f"{FORMAT_VERSION} this skrnn reads. Upgrade skrnn to load it.",
        )
    if document.get("estimator") not in _ESTIMATORS:
        raise _refuse(
            path,
            f"it names the class {document.get('estimator')!r}; only "
            f"{', '.join(_ESTIMATORS)} can be loaded.",
        )
    fitted = document.get("fitted") is not None
    if fitted != (network is not None):
        raise _refuse(path, "its network and its fitted attributes do not match.")
    if fitted and hashlib.sha256(network).hexdigest() != document.get("model_sha256"):
        raise _refuse(path, f"its {_NETWORK} was altered after saving.")
    saved = document.get("versions") or {}
    current = _versions()
    different = [
        f"{name} {saved.get(name)} (now {current[name]})"
        for name in _PACKAGES
        if saved.get(name) != current[name]
    ]
    if different:
        warnings.warn(
            f"{path!r} was saved with {', '.join(different)}. It may load or "
            "behave differently; refit or save it again with these versions.",
            InconsistentVersionWarning,
            stacklevel=3,
        )


def _load_network(path, network):
    with tempfile.TemporaryDirectory() as directory:
        file = os.path.join(directory, _NETWORK)
        with open(file, "wb") as stream:
            stream.write(network)
        try:
            return keras.saving.load_model(file, safe_mode=True)
        except Exception as error:
            raise _refuse(
                path,
                f"its network could not be loaded in Keras' safe mode, which "
                f"refuses stored code such as Lambda layers ({error}).",
            ) from None


def load(path):
    """Read an estimator written by ``save``.

    Nothing in the file is executed: the network is read in Keras'
    ``safe_mode``, only skrnn's estimator classes may be named, and the
    parameters are validated as if passed by hand.

    Parameters
    ----------
    path : str or path-like
        A file written by an estimator's ``save`` method.

    Returns
    -------
    estimator : SequenceRNNClassifier, SequenceRNNRegressor or SequenceRNNTagger
        The estimator, fitted if it was fitted when saved, predicting exactly
        as it did.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a skrnn file, is damaged or altered, has a newer
        format version, or holds a network that cannot be loaded safely.

    Warns
    -----
    InconsistentVersionWarning
        If the file was written with other versions of skrnn, Keras,
        TensorFlow or scikit-learn.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import skrnn
    >>> X = [np.arange(n, dtype=float) for n in (2, 3, 4, 5)] * 4
    >>> y = ["short", "short", "long", "long"] * 4
    >>> clf = skrnn.SequenceRNNClassifier(units=4, max_iter=3, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skrnn")
    >>> _ = clf.fit(X, y).save(path)
    >>> loaded = skrnn.load(path)
    >>> bool((loaded.predict(X) == clf.predict(X)).all())
    True
    """
    path, document, network = _read_archive(path)
    _check_document(path, document, network)
    name = document["estimator"]
    estimator_class = getattr(importlib.import_module(_ESTIMATORS[name]), name)
    try:
        params = {name: _decode(value) for name, value in document["params"].items()}
        if document["fitted"] is not None:
            # A network saved before a parameter existed was built without
            # what it adds: say so, rather than claim today's default.
            known = estimator_class._get_param_names()
            before = {k: v for k, v in _BEFORE_PARAMETERS.items() if k in known}
            params = {**before, **params}
        fitted = document["fitted"]
        attributes = (
            {name: _decode(value) for name, value in fitted.items()} if fitted else {}
        )
        estimator = estimator_class().set_params(**params)
        estimator._validate_params()
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _refuse(path, f"its parameters are not valid ({error}).") from None
    unexpected = [
        name
        for name in attributes
        if not (name.endswith("_") and not name.startswith("_"))
        and name not in estimator._saved_private
    ]
    if unexpected:
        raise _refuse(path, f"it sets unexpected attributes {unexpected}.")
    if network is not None:
        estimator.__dict__.update(attributes)
        estimator.model_ = _load_network(path, network)
    return estimator
