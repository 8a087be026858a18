"""Sliding windows over a series, and a chronological train/test split.

Windows are zero-copy views made by :func:`numpy.lib.stride_tricks.sliding_window_view`,
so a series of n points costs O(n) memory whatever the window.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.windows import make_windows
>>> X, y = make_windows(np.arange(6), window=3, layout="flat")
>>> X.tolist(), y.tolist()
([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tf_pipeline._checks import as_finite_1d, check_choice, check_int

LAYOUTS = ("features", "steps", "flat")


def make_windows(
    series: object,
    window: int,
    horizon: int = 1,
    layout: str = "features",
    dtype: object = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into input windows and their targets.

    Window ``i`` is ``series[i:i+window]`` and its target is
    ``series[i+window+horizon-1]``.

    Parameters
    ----------
    series : array-like of shape (n,)
        Finite values (a list, array or pandas Series).
    window : int
        Points in each input window, >= 1.
    horizon : int, default=1
        How far past the window the target lies, >= 1.
    layout : {"features", "steps", "flat"}, default="features"
        ``"features"``: shape ``(n_windows, 1, window)``, one time step of
        ``window`` features, as the legacy TF1 pipeline fed it.
        ``"steps"``: ``(n_windows, window, 1)``, one feature per time step.
        ``"flat"``: ``(n_windows, window)``.
    dtype : numpy dtype, default=float32
        The series is converted once to this dtype; everything after is a view.

    Returns
    -------
    X : numpy.ndarray
        Read-only view of the windows in ``layout``.
    y : numpy.ndarray of shape (n_windows,)
        Read-only view of the targets.

    Raises
    ------
    ValueError
        For a non-1-D, non-finite or too short series, ``window < 1``,
        ``horizon < 1`` or an unknown layout.
    """
    window = check_int(window, "window", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    layout = check_choice(layout, "layout", LAYOUTS)
    values = as_finite_1d(_checked_real(series, np.dtype(dtype)), "series", dtype=dtype)
    if len(values) < window + horizon:
        raise ValueError(
            f"`series` must have at least window + horizon = {window + horizon} points, "
            f"got {len(values)}. Use a smaller `window` or a longer series."
        )
    n_windows = len(values) - window - horizon + 1
    flat = sliding_window_view(values, window)[:n_windows]
    targets = values[window + horizon - 1 :]
    targets.flags.writeable = False
    if layout == "features":
        return flat[:, np.newaxis, :], targets
    if layout == "steps":
        return flat[:, :, np.newaxis], targets
    return flat, targets


def _checked_real(series: object, dtype: np.dtype) -> object:
    """``series`` as an array when it converts; refuse what NumPy would convert silently."""
    try:
        raw = np.asarray(series)
    except (TypeError, ValueError):  # ragged input: as_finite_1d explains
        return series
    if raw.dtype.kind in "mMcSU":
        # NumPy would turn dates into nanosecond counts, drop imaginary parts, parse text.
        raise ValueError(
            f"`series` must be numeric (real numbers), got dtype {raw.dtype}. Pass the "
            "values (e.g. `df['sales']`), not dates, text or complex numbers."
        )
    if raw.dtype.kind == "f" and dtype.kind == "f" and raw.dtype.itemsize > dtype.itemsize:
        limit = float(np.finfo(dtype).max)
        too_big = np.isfinite(raw) & (np.abs(raw) > limit)
        if too_big.any():
            position = int(np.flatnonzero(too_big.ravel())[0])
            raise ValueError(
                f"`series` must hold values within {dtype}'s range (|value| <= {limit:.4g}), "
                f"got {raw.ravel()[position]:g} at position {position}. Scale the series first."
            )
    return raw


def train_test_split_series(
    X: np.ndarray, y: np.ndarray, test_size: int | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split windows chronologically: the last ``test_size`` samples are the test set.

    Never shuffles, so no future value leaks into training.

    Parameters
    ----------
    X, y : numpy.ndarray
        Windows and targets with the same first dimension.
    test_size : int or float
        A count of samples (int >= 1) or a fraction in (0, 1).

    Returns
    -------
    X_train, X_test, y_train, y_test : numpy.ndarray
    """
    n_samples = len(X)
    if len(y) != n_samples:
        raise ValueError(f"`y` must have as many samples as `X` ({n_samples}), got {len(y)}.")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"`test_size` must be an int or a float, got {test_size!r}.")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n_samples))
    else:
        raise ValueError(f"`test_size` as a float must be in (0, 1), got {test_size}.")
    if not 1 <= n_test < n_samples:
        raise ValueError(
            f"`test_size` must leave at least one sample on each side, i.e. be in "
            f"[1, {n_samples - 1}] for {n_samples} samples, got {test_size}."
        )
    cut = n_samples - n_test
    return X[:cut], X[cut:], y[:cut], y[cut:]
