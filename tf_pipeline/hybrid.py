"""A hybrid forecaster: an LSTM on log seasonal differences blended with Holt–Winters.

The comparison's ``lstm_hybrid`` row. Two models forecast the same months:

- Holt–Winters (:func:`tf_pipeline.baselines.holt_winters`, the variant chosen on the
  training part by :func:`~tf_pipeline.baselines.select_holt_winters`, as the
  ``holt_winters`` row does);
- a small Keras LSTM (:class:`tf_pipeline.estimators.KerasLSTMRegressor`) on windows of
  the standardised log seasonal differences ``log y_t - log y_{t-12}``
  (:class:`tf_pipeline.tuning.TargetTransform`), forecasting recursively through
  :func:`tf_pipeline.forecasting.recursive_forecast`.

The forecast is ``(1 - w) * holt_winters + w * lstm``, i.e. Holt–Winters plus the
LSTM's correction ``lstm - holt_winters`` shrunk by ``w``. The weights are chosen on
the training part only (:func:`choose_weights`): ``TimeSeriesSplit`` folds of the
training part (each fold fits both models on earlier months and forecasts the next
``horizon`` months) score every weight in :attr:`HybridConfig.weights`, one for the
one-step forecasts (and the recursive forecast's first month, which is one too) and
one for the recursive forecast's later months; the lowest mean RMSE wins (the smaller
weight on ties). The test part is never looked at. Then both models are refitted on
the whole training part.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.hybrid import HybridConfig, hybrid_forecast
>>> t = np.arange(96)
>>> series = (100 + t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
>>> forecast = hybrid_forecast(series, 12, HybridConfig(steps=5), seed=0)
>>> forecast.one_step.shape, forecast.multi_step.shape
((12,), (12,))
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from tf_pipeline._checks import as_finite_1d, check_int
from tf_pipeline.baselines import HoltWintersVariant, holt_winters, holt_winters_variant_for
from tf_pipeline.forecasting import Forecast
from tf_pipeline.metrics import rmse
from tf_pipeline.tuning import Candidate, WindowLSTM

__all__ = [
    "BlendWeights",
    "HybridConfig",
    "SeasonalDiffLSTM",
    "choose_weights",
    "hybrid_forecast",
    "lstm_hybrid",
]

logger = logging.getLogger(__name__)

SEASON = 12
TRANSFORM = "log_seasonal_diff"


@dataclass(frozen=True)
class HybridConfig:
    """The hybrid row's fixed configuration (only the blend weight is chosen by data).

    Attributes
    ----------
    window : int
        Months of seasonal differences the LSTM sees.
    hidden_size : int
        LSTM units.
    learning_rate : float
        Adam step size.
    steps : int
        Gradient steps per LSTM fit (batches of ``batch_size`` windows).
    batch_size : int
    splits : int
        ``TimeSeriesSplit`` folds of the training part that choose the weight.
    horizon : int
        Months each fold forecasts (one step ahead).
    weights : tuple of float
        The blend weights of the LSTM tried, in tie-breaking order.
    """

    window: int = 12
    hidden_size: int = 16
    learning_rate: float = 0.01
    steps: int = 300
    batch_size: int = 32
    splits: int = 2
    horizon: int = 12
    weights: tuple[float, ...] = tuple(i / 10 for i in range(11))

    def min_length(self, test_size: int) -> int:
        """The shortest series the row accepts: the earliest fold's LSTM needs
        ``window + 14`` months (12 go into the first seasonal difference)."""
        return test_size + self.splits * self.horizon + self.window + 14

    def describe(self) -> str:
        return (
            f"LSTM {self.hidden_size} on log seasonal differences (window {self.window}, "
            f"Adam {self.learning_rate:g}, {self.steps} steps)"
        )


class SeasonalDiffLSTM(WindowLSTM):
    """The tuner's :class:`~tf_pipeline.tuning.WindowLSTM` on log seasonal differences,
    with the hybrid's network (a :class:`~tf_pipeline.estimators.KerasLSTMRegressor`).

    Parameters
    ----------
    config : HybridConfig
    seed : int
        The regressor's ``random_state``: the same seed, the same forecasts.
    """

    def __init__(self, config: HybridConfig, seed: int) -> None:
        candidate = Candidate(TRANSFORM, config.window, config.hidden_size, config.learning_rate)
        super().__init__(candidate, config.steps, seed, batch_size=config.batch_size)
        self.config = config


@dataclass(frozen=True)
class BlendWeights:
    """The LSTM's weights in the blend, chosen on the training part.

    Attributes
    ----------
    one_step : float
        For one-step forecasts, and the first month of the recursive forecast (that
        month is a one-step forecast: both see the same actual months).
    recursive : float
        For the recursive forecast's later months (forecasts fed back as input).
    scores : dict
        ``{"one_step": {weight: rmse}, "recursive": {weight: rmse}}``, the mean over
        the folds.
    """

    one_step: float
    recursive: float
    scores: dict[str, dict[float, float]]


def _blend(classical: np.ndarray, neural: np.ndarray, weight: float) -> np.ndarray:
    return (1 - weight) * classical + weight * neural


def choose_weights(
    train: np.ndarray, variant: HoltWintersVariant, config: HybridConfig, seed: int
) -> BlendWeights:
    """The LSTM's blend weights, by ``TimeSeriesSplit`` folds of ``train`` alone.

    Each fold fits Holt–Winters (``variant``, its parameters fitted on the fold's
    earlier months) and the LSTM on the months before it, then forecasts its
    ``horizon`` months one step ahead and recursively. The one-step weight is the
    weight of :attr:`HybridConfig.weights` with the lowest mean one-step RMSE; the
    recursive weight, the lowest mean RMSE of the recursive forecast's months 2 to
    ``horizon`` (its first month is a one-step forecast).

    Parameters
    ----------
    train : numpy.ndarray
        The training part only.
    variant : HoltWintersVariant
    config : HybridConfig
    seed : int

    Returns
    -------
    BlendWeights
    """
    splitter = TimeSeriesSplit(n_splits=config.splits, test_size=config.horizon)
    one_errors, recursive_errors = [], []
    for fit_index, val_index in splitter.split(train):
        end, horizon = int(fit_index[-1]) + 1, len(val_index)
        values = train[: end + horizon]
        actual = values[end:]
        classical_one, classical_multi = holt_winters(values, horizon, variant, season=SEASON)
        model = SeasonalDiffLSTM(config, seed).fit(values[:end])
        neural_one = model.one_step(values, horizon)
        neural_multi = model.recursive(values[:end], horizon)
        one_errors.append(
            [rmse(actual, _blend(classical_one, neural_one, w)) for w in config.weights]
        )
        recursive_errors.append(
            [
                rmse(actual[1:], _blend(classical_multi, neural_multi, w)[1:])
                for w in config.weights
            ]
        )
    scores = {}
    chosen = []
    for name, errors in (("one_step", one_errors), ("recursive", recursive_errors)):
        mean = np.mean(errors, axis=0)
        scores[name] = {w: float(e) for w, e in zip(config.weights, mean, strict=True)}
        chosen.append(config.weights[int(np.argmin(mean))])
    return BlendWeights(chosen[0], chosen[1], scores)


def hybrid_forecast(
    series: Any, test_size: int, config: HybridConfig | None = None, *, seed: int = 0
) -> Forecast:
    """Fit on ``series`` without its last ``test_size`` values and forecast them.

    Parameters
    ----------
    series : array-like of shape (n,)
        Positive monthly values, test part included (for the test part, only the
        values before each one-step forecast month are used).
    test_size : int
        Months held out at the end.
    config : HybridConfig, optional
    seed : int, default=0
        Seeds the LSTM (fold fits and the final fit).

    Returns
    -------
    Forecast
        One-step and ``test_size``-step recursive forecasts of the test part; the
        chosen weights and Holt–Winters variant in ``note``.
    """
    config = config or HybridConfig()
    test_size = check_int(test_size, "test_size", minimum=1)
    values = as_finite_1d(series, "series", dtype=np.float64)
    if (values <= 0).any():
        raise ValueError("`series` must be positive (the LSTM models log seasonal differences).")
    if len(values) < config.min_length(test_size):
        raise ValueError(
            f"`series` must have at least {config.min_length(test_size)} values for the hybrid "
            f"(test_size {test_size} + {config.splits} folds of {config.horizon} + window "
            f"{config.window} + 14), got {len(values)}."
        )
    start = time.perf_counter()
    train = values[:-test_size]
    variant = holt_winters_variant_for(train, test_size, season=SEASON)
    if len(config.weights) == 1:  # nothing to choose: no folds to fit
        weights = BlendWeights(config.weights[0], config.weights[0], {})
    else:
        weights = choose_weights(train, variant, config, seed)
        logger.info("hybrid fold RMSE by weight: %s", weights.scores)
    classical_one, classical_multi = holt_winters(values, test_size, variant, season=SEASON)
    lstm = SeasonalDiffLSTM(config, seed).fit(train)
    one = _blend(classical_one, lstm.one_step(values, test_size), weights.one_step)
    neural_multi = lstm.recursive(train, test_size)
    multi = _blend(classical_multi, neural_multi, weights.recursive)
    multi[0] = _blend(classical_multi[:1], neural_multi[:1], weights.one_step)[0]
    seconds = time.perf_counter() - start
    note = (
        f"Holt-Winters ({variant}) + LSTM weight {weights.one_step:.1f} one step, "
        f"{weights.recursive:.1f} recursive; {config.describe()}; weights chosen by "
        f"{config.splits} TimeSeriesSplit folds of the training part"
    )
    losses = np.asarray(lstm.losses, dtype=np.float64)
    fits = 1 if len(config.weights) == 1 else config.splits + 1
    return Forecast(one, multi, seconds, config.steps * fits, losses, note)


def lstm_hybrid(data: Any, settings: Any, seed: int) -> Forecast:
    """The comparison runner: ``(data, settings, seed) -> Forecast``.

    ``data`` carries ``values`` (the whole series) and ``test_size``; ``settings``'
    ``keras_steps`` caps the LSTM's steps (a smoke setting trains for fewer).
    """
    steps = min(HybridConfig.steps, int(settings.keras_steps))
    return hybrid_forecast(data.values, data.test_size, HybridConfig(steps=steps), seed=seed)
