"""The canonical form: right-padded values plus true lengths (numpy only)."""

import numpy as np
import pytest

from skrnn._sequences import is_ragged, to_padded


def test_ragged_list_is_right_padded_with_lengths():
    X = [np.array([1.0, 2.0, 3.0]), np.array([4.0])]
    values, lengths = to_padded(X)
    assert values.shape == (2, 3, 1)
    np.testing.assert_array_equal(lengths, [3, 1])
    np.testing.assert_array_equal(values[:, :, 0], [[1, 2, 3], [4, 0, 0]])


def test_rectangular_list_reads_as_array():
    assert not is_ragged([[1, 2], [3, 4]])
    assert is_ragged([[1, 2], [3]])
    assert not is_ragged(np.zeros((2, 2)))


def test_leading_nan_is_inside_a_post_padded_sequence():
    with pytest.raises(ValueError, match="Sequence 0 has NaN or inf at step 0"):
        to_padded(np.array([[np.nan, 1.0, np.nan, np.nan]]), padding="post")


def test_leading_nan_is_padding_when_padding_is_pre():
    values, lengths = to_padded(np.array([[np.nan, np.nan, 1.0]]), padding="pre")
    np.testing.assert_array_equal(lengths, [1])
    assert values[0, 0, 0] == 1.0


def test_interior_mask_value_is_data():
    X = np.array([[1.0, 0.0, 2.0, 0.0, 0.0]])
    values, lengths = to_padded(X, mask_value=0.0)
    np.testing.assert_array_equal(lengths, [3])
    np.testing.assert_array_equal(values[0, :, 0], [1, 0, 2])


def test_multivariate_step_is_padding_only_if_every_feature_is():
    X = np.array([[[1.0, 2.0], [0.0, 5.0], [0.0, 0.0]]])
    _, lengths = to_padded(X, mask_value=0.0)
    np.testing.assert_array_equal(lengths, [2])


def test_sequence_length_ignores_values_past_the_end():
    X = np.array([[1.0, 2.0, 99.0], [3.0, 98.0, 97.0]])
    values, lengths = to_padded(X, sequence_length=[2, 1])
    np.testing.assert_array_equal(lengths, [2, 1])
    np.testing.assert_array_equal(values[:, :, 0], [[1, 2], [3, 0]])
    values, lengths = to_padded(X, sequence_length=[2, 1], padding="pre")
    np.testing.assert_array_equal(values[:, :, 0], [[2, 99], [97, 0]])


def test_eos_step_is_kept_and_ends_the_sequence():
    X = [np.array([5.0, -1.0, 7.0, 8.0]), np.array([3.0, 4.0])]
    values, lengths = to_padded(X, eos_value=-1.0)
    np.testing.assert_array_equal(lengths, [2, 2])
    np.testing.assert_array_equal(values[:, :, 0], [[5, -1], [3, 4]])


def test_eos_applies_after_padding_and_ignores_nan_after_it():
    X = np.array([[1.0, -1.0, np.nan, 4.0, np.nan]])
    values, lengths = to_padded(X, eos_value=-1.0)
    np.testing.assert_array_equal(lengths, [2])


@pytest.mark.parametrize(
    "truncating, kept", [("pre", [3.0, 4.0, 5.0]), ("post", [1.0, 2.0, 3.0])]
)
def test_truncation_keeps_documented_steps(truncating, kept):
    X = [np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([6.0, 7.0])]
    values, lengths = to_padded(X, maxlen=3, truncating=truncating)
    np.testing.assert_array_equal(lengths, [3, 2])
    np.testing.assert_array_equal(values[0, :, 0], kept)
    np.testing.assert_array_equal(values[1, :2, 0], [6, 7])


def test_truncation_of_pre_padded_array():
    X = np.array([[np.nan, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]])
    values, lengths = to_padded(X, padding="pre", maxlen=2)
    np.testing.assert_array_equal(values[:, :, 0], [[2, 3], [6, 7]])


def test_tokens_are_int32_without_feature_axis():
    X = np.array([[3, 1, 0, 0], [2, 0, 5, 0]])
    values, lengths = to_padded(X, tokens=True)
    assert values.dtype == np.int32 and values.shape == (2, 3)
    np.testing.assert_array_equal(lengths, [2, 3])


def test_float32_is_preserved_and_input_not_mutated():
    X = np.array([[1.0, np.nan], [2.0, 3.0]], dtype=np.float32)
    before = X.copy()
    values, _ = to_padded(X)
    assert values.dtype == np.float32
    np.testing.assert_array_equal(X, before)


def test_output_is_trimmed_to_longest_real_sequence():
    X = np.full((2, 10), np.nan)
    X[0, :3] = 1.0
    X[1, :2] = 2.0
    values, _ = to_padded(X)
    assert values.shape == (2, 3, 1)
