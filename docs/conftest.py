"""Fixtures for the user guide's doctests (``make -C docs doctest``)."""

import os

# TensorFlow's C++ start-up logging says nothing about the documentation.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path, monkeypatch):
    """Files written by the examples (saved models, exports) land in a temp dir."""
    monkeypatch.chdir(tmp_path)
