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


def airline_sarima(
    series: object, n_test: int, *, log: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The airline model, SARIMA(0,1,1)(0,1,1)12 on the log series (Box & Jenkins).

    Fitted by statsmodels on everything but the last ``n_test`` values; the
    parameters then stay fixed.

    Parameters
    ----------
    series : array-like of shape (n,)
        Positive monthly values, test part included.
    n_test : int
        Values held out at the end.
    log : bool, default=True
        Model the log series (and forecast ``exp`` of the log forecast).

    Returns
    -------
    one_step : numpy.ndarray of shape (n_test,)
        Each test month forecast from the actual values before it.
    multi_step : numpy.ndarray of shape (n_test,)
        All test months forecast from the end of the training part.
    """
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    n_test = check_int(n_test, "n_test", minimum=1)
    values = as_finite_1d(series, "series", dtype=np.float64)
    if log and (values <= 0).any():
        raise ValueError("`series` must be positive for the log airline model.")
    if len(values) < n_test + 26:
        raise ValueError(
            f"`series` must have at least n_test + 26 = {n_test + 26} points for a seasonal "
            f"ARIMA with two differences, got {len(values)}."
        )
    transformed = np.log(values) if log else values
    train = transformed[:-n_test]
    model = SARIMAX(train, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter
        fitted = model.fit(disp=False)
    multi = fitted.forecast(n_test)
    # One step ahead: the same parameters, filtered through the actual test values.
    extended = fitted.append(transformed[-n_test:], refit=False)
    one = extended.predict(start=len(train), end=len(transformed) - 1)
    inverse = np.exp if log else np.asarray
    return inverse(np.asarray(one)), inverse(np.asarray(multi))
