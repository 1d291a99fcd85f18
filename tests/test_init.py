"""The package's entry point: public names load lazily, light modules stay light."""

import subprocess
import sys

import pytest

import skrnn


@pytest.mark.slow
def test_light_modules_import_without_tensorflow():
    code = (
        "import sys, skrnn, skrnn.datasets\n"
        "from skrnn import SequenceStandardScaler\n"
        "from skrnn._sequences import to_padded\n"
        "SequenceStandardScaler().fit([[[1.0], [2.0]], [[3.0]]])\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_public_names_resolve_and_unknown_names_fail():
    for name in skrnn.__all__:
        assert getattr(skrnn, name) is not None
    assert "SequenceRNNClassifier" in dir(skrnn)
    assert not hasattr(skrnn, "NoSuchThing")
