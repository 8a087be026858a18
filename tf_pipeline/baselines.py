"""Classical forecasting baselines the neural models are compared with.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.baselines import seasonal_naive
>>> seasonal_naive(np.arange(30.0), n_test=2, season=12).tolist()
[16.0, 17.0]
"""

from __future__ import annotations

import numpy as np

from tf_pipeline._checks import as_finite_1d, check_int


def seasonal_naive(series: object, n_test: int, season: int = 12) -> np.ndarray:
    """One-step seasonal-naive forecasts of the last ``n_test`` values.

    The forecast for ``series[t]`` is ``series[t - season]``.

    Parameters
    ----------
    series : array-like of shape (n,)
        The whole series, test part included.
    n_test : int
        How many of the last values to forecast.
    season : int, default=12
        Seasonal period.

    Returns
    -------
    numpy.ndarray of shape (n_test,)
    """
    n_test = check_int(n_test, "n_test", minimum=1)
    season = check_int(season, "season", minimum=1)
    values = as_finite_1d(series, "series", dtype=np.float64)
    if len(values) < n_test + season:
        raise ValueError(
            f"`series` must have at least n_test + season = {n_test + season} points, "
            f"got {len(values)}."
        )
    start = len(values) - n_test
    return values[start - season : len(values) - season].copy()
