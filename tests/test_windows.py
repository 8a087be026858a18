"""Windows checked against matrices written out by hand."""

import re

import numpy as np
import pandas as pd
import pytest

from tf_pipeline.windows import make_windows, train_test_split_series

EXPECTED_X = np.array(
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7], [6, 7, 8]],
    dtype=np.float32,
)
EXPECTED_Y = np.array([3, 4, 5, 6, 7, 8, 9], dtype=np.float32)


def test_flat_windows_written_out():
    X, y = make_windows(np.arange(10), window=3, layout="flat")
    np.testing.assert_array_equal(X, EXPECTED_X)
    np.testing.assert_array_equal(y, EXPECTED_Y)


def test_layouts_shapes():
    X, _ = make_windows(np.arange(10), window=3, layout="features")
    assert X.shape == (7, 1, 3)
    np.testing.assert_array_equal(X[:, 0, :], EXPECTED_X)
    X, _ = make_windows(np.arange(10), window=3, layout="steps")
    assert X.shape == (7, 3, 1)
    np.testing.assert_array_equal(X[:, :, 0], EXPECTED_X)


def test_default_layout_is_legacy_features():
    X, _ = make_windows(np.arange(20), window=12)
    assert X.shape == (8, 1, 12)


def test_horizon():
    X, y = make_windows(np.arange(10), window=3, horizon=3, layout="flat")
    np.testing.assert_array_equal(X, EXPECTED_X[:5])
    np.testing.assert_array_equal(y, [5, 6, 7, 8, 9])


def test_pandas_series_input():
    X, y = make_windows(pd.Series(np.arange(10.0)), window=3, layout="flat")
    np.testing.assert_array_equal(X, EXPECTED_X)


def test_windows_are_views_not_copies():
    series = np.arange(1_000_000, dtype=np.float32)
    X, y = make_windows(series, window=48, layout="steps")
    assert X.shape == (1_000_000 - 48, 48, 1)
    assert np.shares_memory(X, series) and np.shares_memory(y, series)
    # The view's own buffer is the series: O(n), not O(n * window).
    assert X.base is not None
    assert not X.flags.writeable


def test_does_not_modify_input():
    series = np.arange(10.0)
    before = series.copy()
    make_windows(series, window=3)
    np.testing.assert_array_equal(series, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"series": np.arange(4), "window": 4},
            "`series` must have at least window + horizon = 5 points, got 4",
        ),
        (
            {"series": np.arange(5), "window": 3, "horizon": 3},
            "window + horizon = 6 points, got 5",
        ),
        (
            {"series": [1.0, np.nan, 3.0, 4.0], "window": 1},
            "`series` must hold only finite values, got nan at position 1",
        ),
        ({"series": [1.0, 2.0, np.inf, 4.0], "window": 1}, "got inf at position 2"),
        (
            {"series": np.ones((5, 2)), "window": 1},
            "`series` must be one-dimensional, got shape (5, 2)",
        ),
        ({"series": np.arange(5), "window": 0}, "`window` must be an int >= 1, got 0"),
        (
            {"series": np.arange(5), "window": 1, "horizon": 0},
            "`horizon` must be an int >= 1, got 0",
        ),
        (
            {"series": np.arange(5), "window": 1, "layout": "rows"},
            "`layout` must be one of 'features', 'steps', 'flat', got 'rows'",
        ),
        ({"series": ["a", "b", "c"], "window": 1}, "`series` must be numeric"),
    ],
)
def test_bad_input_names_argument(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_windows(**kwargs)


def test_window_must_be_int():
    with pytest.raises(TypeError, match=re.escape("`window` must be an int, got 2.5")):
        make_windows(np.arange(5), window=2.5)


def test_split_is_chronological():
    X, y = make_windows(np.arange(10), window=3, layout="flat")
    X_train, X_test, y_train, y_test = train_test_split_series(X, y, test_size=2)
    np.testing.assert_array_equal(y_train, [3, 4, 5, 6, 7])
    np.testing.assert_array_equal(y_test, [8, 9])
    np.testing.assert_array_equal(X_test, EXPECTED_X[-2:])
    _, _, y_train, y_test = train_test_split_series(X, y, test_size=0.3)
    assert len(y_test) == 3 and y_test[0] == 7


@pytest.mark.parametrize(
    ("test_size", "error", "message"),
    [
        (
            0,
            ValueError,
            "`test_size` must leave at least one sample on each side, i.e. be in [1, 6]",
        ),
        (7, ValueError, "got 7"),
        (1.5, ValueError, "`test_size` as a float must be in (0, 1), got 1.5"),
        ("2", TypeError, "`test_size` must be an int or a float"),
    ],
)
def test_split_bad_test_size(test_size, error, message):
    X, y = make_windows(np.arange(10), window=3, layout="flat")
    with pytest.raises(error, match=re.escape(message)):
        train_test_split_series(X, y, test_size=test_size)
