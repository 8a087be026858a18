"""Forecast accuracy metrics.

RMSE, MAE and MAPE come from :mod:`sklearn.metrics`; MASE scales the MAE by
the in-sample error of the seasonal-naive forecast (Hyndman & Koehler, 2006).

Example
-------
>>> import numpy as np
>>> from tf_pipeline.metrics import rmse, mase
>>> rmse([1.0, 2.0], [1.0, 4.0])
1.4142135623730951
>>> mase([3.0], [4.0], y_train=[1.0, 2.0, 3.0], season=1)
1.0
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as sk_metrics

from tf_pipeline._checks import as_finite_1d, check_int


def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    true = as_finite_1d(np.ravel(y_true), "y_true", dtype=np.float64)
    pred = as_finite_1d(np.ravel(y_pred), "y_pred", dtype=np.float64)
    if true.shape != pred.shape:
        raise ValueError(
            f"`y_pred` must have as many values as `y_true` ({len(true)}), got {len(pred)}."
        )
    if len(true) == 0:
        raise ValueError("`y_true` must hold at least one value, got none.")
    return true, pred


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error."""
    true, pred = _pair(y_true, y_pred)
    return float(sk_metrics.root_mean_squared_error(true, pred))


def mae(y_true: object, y_pred: object) -> float:
    """Mean absolute error."""
    true, pred = _pair(y_true, y_pred)
    return float(sk_metrics.mean_absolute_error(true, pred))


def mape(y_true: object, y_pred: object) -> float:
    """Mean absolute percentage error, in percent (12.5 means 12.5 %)."""
    true, pred = _pair(y_true, y_pred)
    return 100.0 * float(sk_metrics.mean_absolute_percentage_error(true, pred))


def mase(y_true: object, y_pred: object, y_train: object, season: int = 12) -> float:
    """Mean absolute scaled error.

    The MAE of the forecast divided by the in-sample MAE of the seasonal-naive
    forecast ``y_train[t] = y_train[t - season]``. Below 1 beats that baseline.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Held-out values and their forecasts.
    y_train : array-like
        The training series the scale is measured on; needs more than
        ``season`` points.
    season : int, default=12
        Seasonal period (12 for monthly data; 1 gives the plain naive scale).
    """
    season = check_int(season, "season", minimum=1)
    train = as_finite_1d(np.ravel(y_train), "y_train", dtype=np.float64)
    if len(train) <= season:
        raise ValueError(
            f"`y_train` must have more than season = {season} points, got {len(train)}."
        )
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    if scale == 0.0:
        raise ValueError("`y_train` has a zero seasonal-naive error, so MASE is undefined.")
    return mae(y_true, y_pred) / scale
