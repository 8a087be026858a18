"""What a forecast is, and the one routine that forecasts recursively.

A leaf of the core layer (it imports nothing from the project): the regressors'
``forecast``, the comparison's rows and the tuned model all forecast through
:func:`recursive_forecast` and hand their results around as :class:`Forecast`.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.forecasting import recursive_forecast
>>> recursive_forecast(lambda history: history[-1] + history[-2], [1.0, 1.0], 4)
array([2., 3., 5., 8.])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = ["Forecast", "recursive_forecast"]


@dataclass
class Forecast:
    """One model's forecasts of a test part, and how it trained (one seed).

    Attributes
    ----------
    one_step : numpy.ndarray
        Each test month forecast from the actual months before it.
    multi_step : numpy.ndarray
        The test part forecast from the training part alone, each forecast fed back
        as input (:func:`recursive_forecast`).
    fit_seconds : float
        Wall time of the fit.
    steps : int or None
        Gradient steps taken (None for a model without any).
    loss_curve : numpy.ndarray or None
        The training loss per step (or per epoch), when the model has one.
    note : str
        What the row was (the chosen variant, the configuration).
    """

    one_step: np.ndarray
    multi_step: np.ndarray
    fit_seconds: float = 0.0
    steps: int | None = None
    loss_curve: np.ndarray | None = None
    note: str = ""


def recursive_forecast(
    next_value: Callable[[np.ndarray], float],
    history: ArrayLike,
    steps: int,
    *,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    """Forecast ``steps`` values after ``history``, feeding each forecast back.

    Parameters
    ----------
    next_value : callable
        ``next_value(values)`` returns the value that follows ``values`` (the
        history so far, its own earlier forecasts included, as a 1-D array view
        that must not be kept or modified).
    history : array-like of shape (n,)
        The values before the first forecast.
    steps : int
        How many values to forecast.
    dtype : numpy dtype, default=float64
        The dtype the history and the forecasts are held in (a float32 network
        forecasts in float32, so that its fed-back inputs are what it produced).

    Returns
    -------
    numpy.ndarray of shape (steps,)
    """
    values = np.asarray(history, dtype=dtype).ravel()
    buffer = np.concatenate([values, np.empty(steps, dtype=values.dtype)])
    start = len(values)
    for i in range(steps):
        buffer[start + i] = next_value(buffer[: start + i])
    return buffer[start:].copy()
