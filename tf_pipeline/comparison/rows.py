"""The comparison's rows: thin adapters over what users call, and the :data:`MODELS` registry.

A row is ``run(data, settings, seed) -> Forecast``: it fits one model on the training
part of ``data`` (:class:`~tf_pipeline.comparison.data.ScaledWindows`) and forecasts the
test part one step ahead and recursively. The neural rows are the scikit-learn
regressors (``fit``, ``predict``, ``forecast``) with the legacy settings; the classical
rows are :mod:`tf_pipeline.baselines`; the tuned row is
:func:`tf_pipeline.tuning.tuned_forecast`. Heavy imports (TensorFlow) stay inside the
rows, so that reading the registry (``run.py --help``) stays fast.

A new row: a function of that signature and an entry in :data:`MODELS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from tf_pipeline.baselines import (
    airline_sarima,
    holt_winters,
    holt_winters_variant_for,
    seasonal_naive,
)
from tf_pipeline.comparison.data import ScaledWindows
from tf_pipeline.comparison.settings import SEASON, ComparisonSettings
from tf_pipeline.forecasting import Forecast

__all__ = ["MODELS", "RowSpec", "spec_of"]


class RowSpec(NamedTuple):
    """What the comparison knows of a row.

    Attributes
    ----------
    label : str
        The row's name in tables and figures.
    run : callable
        ``run(data, settings, seed) -> Forecast``.
    seeded : bool
        Fitted once per seed of ``settings.seeds`` (else once).
    fans_out : bool
        Sends parallel tasks of its own (run in the calling process, so that its
        tasks, not one long task, reach the workers).
    """

    label: str
    run: Callable[[ScaledWindows, ComparisonSettings, int], Forecast]
    seeded: bool
    fans_out: bool = False


# -- neural rows: the scikit-learn regressors ----------------------------------------------


def _fit_and_forecast(
    regressor: Any, data: ScaledWindows, *, in_order: bool = False
) -> tuple[np.ndarray, np.ndarray, float]:
    """Fit on the training windows; forecast the test part one step ahead and recursively.

    One step: each test window (actual months) through ``predict`` (``predict_in_order``
    for a model whose state carries on from training). Recursive: ``forecast`` from the
    training part, each forecast fed back. Both come back on the series' own scale.
    """
    start = time.perf_counter()
    regressor.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - start
    predict = regressor.predict_in_order if in_order else regressor.predict
    one = data.unscale(predict(data.X_test))
    multi = data.unscale(regressor.forecast(data.scaled_train, data.test_size))
    return one, multi, seconds


def _legacy_params(settings: ComparisonSettings, seed: int, **overrides: Any) -> dict[str, Any]:
    """The legacy program's regressor parameters (LSTM, Adagrad, batch, seed, bar)."""
    params = dict(
        hidden_size=settings.hidden_size,
        learning_rate=settings.learning_rate,
        optimizer="adagrad",
        batch_size=settings.batch_size,
        random_state=seed,
        verbose=int(settings.progress),
    )
    params.update(overrides)
    return params


def _tf1_legacy(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.estimators import TF1LSTMRegressor

    # The legacy model (lstm_model: BasicLSTMCell, optimize_loss with Adagrad), trained
    # through the Estimator on TF1 DataFeeder batches; its default loop (XLA from 1000 steps).
    regressor = TF1LSTMRegressor(**_legacy_params(settings, seed, steps=settings.tf1_steps))
    one, multi, seconds = _fit_and_forecast(regressor, data)
    losses = regressor.estimator_.last_fit_losses
    return Forecast(one, multi, seconds, regressor.n_steps_, losses)


def _keras_lstm(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.estimators import KerasLSTMRegressor

    regressor = KerasLSTMRegressor(**_legacy_params(settings, seed, steps=settings.keras_steps))
    one, multi, seconds = _fit_and_forecast(regressor, data)
    losses = np.asarray(regressor.history_["loss"])
    return Forecast(one, multi, seconds, regressor.n_steps_, losses)


def _keras_stateful(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.estimators import KerasLSTMRegressor

    batch = settings.stateful_batch_size
    epochs = settings.stateful_epochs
    # Whole chronological batches (the oldest len % batch windows are dropped).
    regressor = KerasLSTMRegressor(
        **_legacy_params(
            settings,
            seed,
            batch_size=batch,
            steps=epochs * (len(data.X_train) // batch),
            stateful=True,
        )
    )
    # Both forecasts carry the states training left: test month j in lane j % batch,
    # one step ahead and recursively alike.
    one, multi, seconds = _fit_and_forecast(regressor, data, in_order=True)
    losses = np.asarray(regressor.history_["loss"])
    note = f"batch {batch}, {epochs} epochs, states reset each epoch"
    return Forecast(one, multi, seconds, regressor.n_steps_, losses, note)


def _tuned(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.tuning import tuned_forecast

    return tuned_forecast(data.train, data.values, data.test_size, settings, seed)


def _lstm_hybrid(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.hybrid import lstm_hybrid

    return lstm_hybrid(data, settings, seed)


# -- classical rows ------------------------------------------------------------------------


def _seasonal_naive(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    one = seasonal_naive(data.values, data.test_size, SEASON)
    last_season = data.train[-SEASON:]
    multi = np.array([last_season[h % SEASON] for h in range(data.test_size)])
    return Forecast(one, multi)


def _sarima(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    start = time.perf_counter()
    one, multi = airline_sarima(data.values, data.test_size)
    return Forecast(one, multi, time.perf_counter() - start, note="log, (0,1,1)(0,1,1)12")


def _holt_winters(data: ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    # The variant is chosen on the training part, never on the test part.
    start = time.perf_counter()
    variant = holt_winters_variant_for(data.train, data.test_size, season=SEASON)
    one, multi = holt_winters(data.values, data.test_size, variant, season=SEASON)
    note = f"{variant}, chosen on the training part"
    return Forecast(one, multi, time.perf_counter() - start, note=note)


MODELS: dict[str, RowSpec] = {
    "seasonal_naive": RowSpec("seasonal naive", _seasonal_naive, seeded=False),
    "sarima": RowSpec("SARIMA airline", _sarima, seeded=False),
    "holt_winters": RowSpec("Holt-Winters", _holt_winters, seeded=False),
    "tf1_legacy": RowSpec("TF1 legacy LSTM", _tf1_legacy, seeded=True),
    "keras_lstm": RowSpec("Keras LSTM", _keras_lstm, seeded=True),
    "keras_stateful": RowSpec("Keras stateful LSTM", _keras_stateful, seeded=True),
    "tuned": RowSpec("tuned (CV)", _tuned, seeded=True, fans_out=True),
    "lstm_hybrid": RowSpec("HW + LSTM (hybrid)", _lstm_hybrid, seeded=True),
}
"""Every row of the comparison, in table order: ``name -> RowSpec``."""


def spec_of(name: str) -> RowSpec:
    """The :class:`RowSpec` of the row ``name`` (a plain ``(label, run, seeded)`` tuple
    registered in :data:`MODELS` is read as one too)."""
    return RowSpec(*MODELS[name])
