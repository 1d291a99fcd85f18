"""Robustness: determinism across processes and threads, a sweep of bad input."""

import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import skrnn

# Fitted here and in a new process (which draws ``robustness_data`` again:
# n=40, seed=5); small batches, so that the shuffling and dropout draw often.
SEEDED_FIT = dict(units=5, max_iter=3, dropout=0.2, batch_size=5, random_state=7)
FIT_IN_A_PROCESS = f"""
import sys
import numpy as np
from conftest import make_ragged
from skrnn import SequenceRNNClassifier
X, Y = make_ragged(n=40, seed=5)
clf = SequenceRNNClassifier(**{SEEDED_FIT!r})
np.save(sys.argv[1], clf.fit(X, Y).predict_proba(X))
"""


@pytest.mark.slow
@pytest.mark.usefixtures("robustness_classifier")  # another fit in this process first
def test_a_fit_depends_on_its_random_state_alone(robustness_data, tmp_path):
    """The same model from a new process as from this one, after other fits."""
    target = tmp_path / "fresh.npy"
    result = subprocess.run(
        [sys.executable, "-c", FIT_IN_A_PROCESS, str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        cwd=os.path.dirname(__file__),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    X, y = robustness_data
    here = skrnn.SequenceRNNClassifier(**SEEDED_FIT).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(np.load(target), here)


def test_concurrent_predict_matches_serial(robustness_classifier, robustness_data):
    X, _ = robustness_data
    fitted = robustness_classifier
    subsets = [[X[i] for i in range(start, 40, 7)] for start in range(7)]
    serial = [fitted.predict_proba(subset) for subset in subsets]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(fitted.predict_proba, subsets * 4))
    for got, expected in zip(threaded, serial * 4, strict=True):
        np.testing.assert_array_equal(got, expected)


def _corrupt(path, target):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    target.write_bytes(bytes(data))
    return target


def _truncated(path, target):
    target.write_bytes(path.read_bytes()[:300])
    return target


def _foreign_zip(path, target):
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("data.pkl", b"\x80\x04N.")
    return target


# (stage, case, exception, message); a stage's call gets (estimator, case, tmp).
BAD_INPUTS = [
    ("fit", "a string", TypeError, "X must hold sequences; got str"),
    ("fit", {"a": 1}, TypeError, "X must hold sequences; got dict"),
    ("fit", None, TypeError, "X must hold sequences; got NoneType"),
    ("fit", 3.5, TypeError, "X must hold sequences; got float"),
    ("fit", np.zeros((4, 2, 3, 1)), ValueError, "4"),
    ("fit", [], ValueError, "X holds no sequences"),
    ("fit", [np.ones((3, 2)), np.full((4, 2), np.inf)], ValueError, "inf"),
    ("fit", [np.ones((3, 2)), np.array([[1.0, np.nan], [2, 3]])], ValueError, "NaN"),
    ("fit", [np.ones((3, 2)), np.ones((3, 5))], ValueError, "features"),
    ("fit", np.array([["a", "b"], ["c", "d"]]), TypeError, "dtype"),
    ("fit", [np.ones((3, 2)), np.ones((0, 2))], ValueError, "empty|length 0"),
    ("predict", [np.ones((3, 4))], ValueError, "4 features per step"),
    ("predict", [np.full((3, 3), np.inf)], ValueError, "inf"),
    ("predict", "not sequences", TypeError, "X must hold sequences; got str"),
    ("predict", np.ones((2, 3, 3, 1)), ValueError, "4"),
    ("save", "missing-dir/model.skrnn", FileNotFoundError, "does not exist"),
    ("save", ".", IsADirectoryError, "is a directory"),
    ("save", 42, TypeError, "path must be a str"),
    ("load", "nowhere.skrnn", FileNotFoundError, "no such file"),
    ("load", ".", IsADirectoryError, "is a directory"),
    ("load", b"plain text, not a zip", ValueError, "not a file written by"),
    ("load", _corrupt, ValueError, "damaged|altered|safe mode"),
    ("load", _truncated, ValueError, "not a file written by|damaged"),
    ("load", _foreign_zip, ValueError, "holds \\['data.pkl'\\]"),
]


def _run(stage, fitted, case, tmp_path, make_classifier):
    if stage == "fit":
        return make_classifier(units=5, max_iter=3).fit(
            case, [0, 1] if isinstance(case, list) else [0, 1, 0, 1]
        )
    if stage == "predict":
        return fitted.predict(case)
    if stage == "save":
        return fitted.save(tmp_path / case if isinstance(case, str) else case)
    good = tmp_path / "good.skrnn"
    fitted.save(good)
    if isinstance(case, bytes):
        (tmp_path / "text.skrnn").write_bytes(case)
        case = "text.skrnn"
    if callable(case):
        return skrnn.load(case(good, tmp_path / "bad.skrnn"))
    return skrnn.load(tmp_path / case)


@pytest.mark.parametrize(
    "stage, case, error, match",
    BAD_INPUTS,
    ids=[f"{stage}-{i}" for i, (stage, *_) in enumerate(BAD_INPUTS)],
)
def test_bad_input_sweep(
    stage,
    case,
    error,
    match,
    robustness_classifier,
    make_classifier,
    tmp_path,
    monkeypatch,
):
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    with pytest.raises(error, match=match) as raised:
        _run(stage, robustness_classifier, case, tmp_path, make_classifier)
    # A message a user can act on, not a bare TensorFlow traceback.
    assert len(str(raised.value)) > 20
    assert "tensorflow" not in type(raised.value).__module__
    left = (
        set(os.listdir(tmp_path)) - before - {"good.skrnn", "text.skrnn", "bad.skrnn"}
    )
    assert left == set(), f"partial output left behind: {left}"
