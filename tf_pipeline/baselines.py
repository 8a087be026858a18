"""Classical forecasting baselines the neural models are compared with.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.baselines import seasonal_naive
>>> seasonal_naive(np.arange(30.0), n_test=2, season=12).tolist()
[16.0, 17.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tf_pipeline._checks import as_finite_1d, check_int
from tf_pipeline.metrics import rmse


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


@dataclass(frozen=True)
class HoltWintersVariant:
    """One Holt–Winters configuration: additive trend, a season, optional damping and log.

    Attributes
    ----------
    seasonal : {"add", "mul"}
        Additive or multiplicative seasonal component.
    damped : bool
        Damp the additive trend (statsmodels' ``damped_trend``).
    log : bool
        Fit the log series and forecast ``exp`` of its forecasts.
    """

    seasonal: str = "mul"
    damped: bool = False
    log: bool = False

    def __str__(self) -> str:
        parts = ["add trend", f"{self.seasonal} season"]
        if self.damped:
            parts.append("damped")
        if self.log:
            parts.append("log")
        return ", ".join(parts)


#: The candidates :func:`select_holt_winters` compares, in tie-breaking order.
HOLT_WINTERS_VARIANTS = tuple(
    HoltWintersVariant(seasonal, damped, log)
    for seasonal in ("mul", "add")
    for damped in (False, True)
    for log in (False, True)
)


def holt_winters(
    series: object,
    n_test: int,
    variant: HoltWintersVariant | None = None,
    *,
    season: int = 12,
) -> tuple[np.ndarray, np.ndarray]:
    """Holt–Winters exponential smoothing (statsmodels ``ExponentialSmoothing``).

    Fitted on everything but the last ``n_test`` values; its smoothing
    parameters and initial states then stay fixed. statsmodels' Holt–Winters
    results have no ``append``, so the one-step forecasts come from the same
    model on the whole series with those parameters and initial states given
    as known (``optimized=False``): the filter runs through the actual test
    values without refitting, as ``airline_sarima``'s ``append(refit=False)``
    does, and its in-sample forecasts of the test months are one step ahead.

    Parameters
    ----------
    series : array-like of shape (n,)
        The whole series, test part included; positive for a multiplicative
        season or ``log``.
    n_test : int
        Values held out at the end.
    variant : HoltWintersVariant, optional
        Default: additive trend, multiplicative season, no damping, no log.
    season : int, default=12
        Seasonal period; the training part needs at least two seasons.

    Returns
    -------
    one_step : numpy.ndarray of shape (n_test,)
        Each test value forecast from the actual values before it.
    multi_step : numpy.ndarray of shape (n_test,)
        All test values forecast from the end of the training part.
    """
    variant = variant or HoltWintersVariant()
    n_test = check_int(n_test, "n_test", minimum=1)
    season = check_int(season, "season", minimum=2)
    values = as_finite_1d(series, "series", dtype=np.float64)
    if len(values) < n_test + 2 * season:
        raise ValueError(
            f"`series` must have at least n_test + 2 * season = {n_test + 2 * season} "
            f"points, got {len(values)}."
        )
    if (variant.log or variant.seasonal == "mul") and (values <= 0).any():
        raise ValueError(f"`series` must be positive for Holt–Winters ({variant}).")
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    transformed = np.log(values) if variant.log else values
    fitted = _fit_holt_winters(transformed[:-n_test], variant, season)
    multi = fitted.forecast(n_test)
    params = fitted.params
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' frequency and convergence chatter
        filtered = ExponentialSmoothing(
            transformed,
            trend="add",
            seasonal=variant.seasonal,
            seasonal_periods=season,
            damped_trend=variant.damped,
            initialization_method="known",
            initial_level=params["initial_level"],
            initial_trend=params["initial_trend"],
            initial_seasonal=params["initial_seasons"],
        ).fit(
            optimized=False,
            smoothing_level=params["smoothing_level"],
            smoothing_trend=params["smoothing_trend"],
            smoothing_seasonal=params["smoothing_seasonal"],
            damping_trend=params["damping_trend"] if variant.damped else None,
        )
    one = np.asarray(filtered.fittedvalues)[-n_test:]
    inverse = np.exp if variant.log else np.asarray
    return inverse(np.asarray(one)), inverse(np.asarray(multi))


def _fit_holt_winters(train: np.ndarray, variant: HoltWintersVariant, season: int):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' frequency and convergence chatter
        return ExponentialSmoothing(
            train,
            trend="add",
            seasonal=variant.seasonal,
            seasonal_periods=season,
            damped_trend=variant.damped,
        ).fit()


def select_holt_winters(
    train: object,
    holdout: int,
    *,
    season: int = 12,
    variants: Sequence[HoltWintersVariant] = HOLT_WINTERS_VARIANTS,
) -> tuple[HoltWintersVariant, dict[HoltWintersVariant, float]]:
    """Choose a Holt–Winters variant on a training series alone, by a holdout.

    Each variant is fitted on ``train`` without its last ``holdout`` values and
    scored on them as the comparison scores the test part: the mean of its
    one-step RMSE (fixed parameters, see :func:`holt_winters`) and its
    ``holdout``-step recursive RMSE. The lowest score wins (earlier variants win
    ties). Variants that need positive values are skipped for a series that is
    not positive. The test part is never seen.

    Parameters
    ----------
    train : array-like of shape (n,)
        The training part only.
    holdout : int
        Values at the end of ``train`` to score the variants on.
    season : int, default=12
    variants : sequence of HoltWintersVariant, default=HOLT_WINTERS_VARIANTS

    Returns
    -------
    best : HoltWintersVariant
    scores : dict
        Every variant tried and its holdout score.
    """
    values = as_finite_1d(train, "train", dtype=np.float64)
    holdout = check_int(holdout, "holdout", minimum=1)
    positive = bool((values > 0).all())
    actual = values[-holdout:]
    scores = {}
    for variant in variants:
        if not positive and (variant.log or variant.seasonal == "mul"):
            continue
        one, multi = holt_winters(values, holdout, variant, season=season)
        scores[variant] = (rmse(actual, one) + rmse(actual, multi)) / 2
    if not scores:
        raise ValueError("`variants` must hold one variant usable on `train`, got none.")
    return min(scores, key=scores.get), scores


# The variant depends on the training part alone: chosen once per (training part, test
# size, season) in a process, for the holt_winters row and the hybrid row and every seed.
_CHOSEN_VARIANTS: dict[tuple[bytes, int, int], HoltWintersVariant] = {}


def holt_winters_variant_for(
    train: object, test_size: int, *, season: int = 12
) -> HoltWintersVariant:
    """The Holt–Winters variant a forecast of ``test_size`` months after ``train`` uses.

    :func:`select_holt_winters` on the training part's last ``test_size`` months (fewer
    when the training part is short: two seasons stay for the fit), remembered per
    training part, so every row and seed that forecasts the same test part shares it.

    Parameters
    ----------
    train : array-like of shape (n,)
        The training part only (the test part is never seen).
    test_size : int
        Months the forecasts will cover.
    season : int, default=12

    Returns
    -------
    HoltWintersVariant
    """
    train = np.asarray(train, dtype=np.float64)
    key = (train.tobytes(), int(test_size), int(season))
    if key not in _CHOSEN_VARIANTS:
        holdout = min(test_size, len(train) - 2 * season)
        _CHOSEN_VARIANTS[key], _ = select_holt_winters(train, holdout, season=season)
    return _CHOSEN_VARIANTS[key]
