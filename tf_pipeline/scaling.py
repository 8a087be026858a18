"""Scaling of one-dimensional series with scikit-learn's scalers.

Fit on the training part only, then transform every part with the same scaler,
so nothing about the test period leaks into training.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.scaling import fit_series_scaler, transform_series
>>> scaler = fit_series_scaler(np.array([0.0, 5.0, 10.0]))
>>> transform_series(scaler, np.array([5.0, 20.0])).tolist()
[0.5, 2.0]
"""

from __future__ import annotations

import numpy as np
from sklearn.base import TransformerMixin, clone
from sklearn.preprocessing import MinMaxScaler

from tf_pipeline._checks import as_finite_1d


def fit_series_scaler(train: object, scaler: TransformerMixin | None = None) -> TransformerMixin:
    """Fit a clone of ``scaler`` (default ``MinMaxScaler()``) on a 1-D series."""
    template = MinMaxScaler() if scaler is None else scaler
    values = as_finite_1d(train, "train", dtype=np.float64)
    return clone(template).fit(values.reshape(-1, 1))


def transform_series(scaler: TransformerMixin, series: object) -> np.ndarray:
    """Scale a 1-D series with a fitted scaler; returns a 1-D float64 array."""
    values = as_finite_1d(series, "series", dtype=np.float64)
    return scaler.transform(values.reshape(-1, 1)).ravel()


def inverse_transform_series(scaler: TransformerMixin, series: object) -> np.ndarray:
    """Undo :func:`transform_series`; returns a 1-D float64 array."""
    values = as_finite_1d(series, "series", dtype=np.float64)
    return scaler.inverse_transform(values.reshape(-1, 1)).ravel()
