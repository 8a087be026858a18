"""Compare the legacy TF1 pipeline, the Keras 3 path and classical baselines on one series.

Every model is fitted on the series without its last ``test_size`` values and scored
on them twice: one step ahead (each month forecast from the actual months before it)
and ``test_size`` steps ahead (recursive: each forecast fed back as input).

Example
-------
>>> from tf_pipeline.comparison import ComparisonSettings, run_comparison
>>> from tf_pipeline.datasets import load_airpassengers
>>> result = run_comparison(load_airpassengers(), ComparisonSettings.quick(),
...                         models=["seasonal_naive"])
>>> round(result.rows[0].one_step["rmse"], 2)
49.99
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tf_pipeline._checks import as_finite_1d, check_int
from tf_pipeline.baselines import airline_sarima, holt_winters, seasonal_naive, select_holt_winters
from tf_pipeline.forecasting import Forecast, recursive_forecast
from tf_pipeline.metrics import mae, mape, mase, rmse
from tf_pipeline.progress import ProgressBar
from tf_pipeline.scaling import fit_series_scaler, inverse_transform_series, transform_series
from tf_pipeline.windows import make_windows

logger = logging.getLogger(__name__)

SEASON = 12
WINDOW = 12
METRICS = {"rmse": rmse, "mae": mae, "mape": mape}


@dataclass
class ComparisonSettings:
    """How long each model trains; the defaults are the legacy configuration."""

    test_size: int = 24
    tf1_steps: int = 10_000
    keras_steps: int = 10_000
    stateful_epochs: int = 200
    batch_size: int = 32
    hidden_size: int = 40
    learning_rate: float = 0.6
    stateful_batch_size: int = 12
    tuned_steps: int = 1_000
    tuned_quick: bool = False
    seeds: tuple[int, ...] = (0,)
    progress: bool = True

    @classmethod
    def quick(cls, **overrides: Any) -> ComparisonSettings:
        """A smoke-test setting: every model, a few hundred steps."""
        values = dict(
            tf1_steps=300, keras_steps=300, stateful_epochs=10, tuned_steps=200, tuned_quick=True
        )
        values.update(overrides)
        return cls(**values)


@dataclass
class Row:
    """A model's scores: means over seeds (and standard deviations when several)."""

    name: str
    label: str
    one_step: dict[str, float]
    multi_step: dict[str, float]
    one_step_std: dict[str, float]
    fit_seconds: float
    steps: int | None
    steps_per_second: float | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ComparisonResult:
    rows: list[Row]
    forecasts: dict[str, list[Forecast]]
    series: Any
    test_size: int
    settings: ComparisonSettings
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> Row:
        return min(self.rows, key=lambda row: row.one_step["rmse"])


# -- the window models ---------------------------------------------------------------------


class _ScaledWindows:
    """A series min-max scaled on its training part, cut into 12-month windows."""

    def __init__(self, values: np.ndarray, test_size: int) -> None:
        self.values = values
        self.test_size = test_size
        self.train = values[:-test_size]
        self.scaler = fit_series_scaler(self.train)
        self.scaled = transform_series(self.scaler, values).astype(np.float32)
        X, y = make_windows(self.scaled, WINDOW, layout="features")
        self.X_train, self.y_train = np.asarray(X[:-test_size]), np.asarray(y[:-test_size])
        self.X_test = np.asarray(X[-test_size:])  # windows of actual months before each target

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return inverse_transform_series(self.scaler, np.ravel(values))

    def recursive(self, predict: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Forecast the test part from the training part alone, feeding forecasts back."""

        def next_value(history: np.ndarray) -> float:
            window = np.asarray(history[-WINDOW:], np.float32).reshape(1, 1, WINDOW)
            return float(np.ravel(predict(window))[0])

        history = self.scaled[: len(self.train)][-WINDOW:]
        return self.unscale(recursive_forecast(next_value, history, self.test_size))


def _tf1_legacy(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    import tempfile

    from tf_pipeline.estimators import Estimator, RunConfig, SKCompat
    from tf_pipeline.estimators.hooks import ProgressHook
    from tf_pipeline.models import lstm_model

    with tempfile.TemporaryDirectory() as model_dir:
        config = RunConfig(tf_random_seed=seed, train_loop="graph", steps_per_run=500)
        params = {"hidden_size": settings.hidden_size, "learning_rate": settings.learning_rate}
        estimator = Estimator(lstm_model, model_dir=model_dir, config=config, params=params)
        regressor = SKCompat(estimator)
        bar = ProgressBar(settings.tf1_steps, "TF1 legacy LSTM", enabled=settings.progress)
        start = time.perf_counter()
        regressor.fit(
            data.X_train,
            data.y_train.reshape(-1, 1),
            batch_size=settings.batch_size,
            steps=settings.tf1_steps,
            monitors=[ProgressHook(bar)] if bar.active else None,
        )
        seconds = time.perf_counter() - start
        bar.close()
        one = data.unscale(regressor.predict(data.X_test))
        multi = data.recursive(regressor.predict)
    return Forecast(one, multi, seconds, settings.tf1_steps, estimator.last_fit_losses)


def _keras_lstm(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.keras_models import build_lstm, compile_regressor
    from tf_pipeline.keras_training import train_steps

    start = time.perf_counter()
    model = compile_regressor(
        build_lstm((1, WINDOW), hidden_size=settings.hidden_size, seed=seed),
        "adagrad",
        settings.learning_rate,
    )
    bar = ProgressBar(settings.keras_steps, "Keras LSTM", enabled=settings.progress)
    losses = train_steps(
        model,
        data.X_train,
        data.y_train,
        steps=settings.keras_steps,
        batch_size=settings.batch_size,
        steps_per_run=500,
        on_run=bar.advance,
    )
    bar.close()
    seconds = time.perf_counter() - start
    one = data.unscale(model.predict_on_batch(data.X_test))
    multi = data.recursive(model.predict_on_batch)
    return Forecast(one, multi, seconds, settings.keras_steps, losses)


def _keras_stateful(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    import keras

    from tf_pipeline.keras_models import build_lstm, compile_regressor
    from tf_pipeline.stateful import (
        LanePredictor,
        fit_stateful,
        get_states,
        predict_stateful,
        set_states,
    )

    batch = settings.stateful_batch_size
    start = time.perf_counter()
    model = compile_regressor(
        build_lstm(
            (1, WINDOW),
            hidden_size=settings.hidden_size,
            stateful=True,
            batch_size=batch,
            seed=seed,
        ),
        "adagrad",
        settings.learning_rate,
    )
    bar = ProgressBar(
        settings.stateful_epochs, "Keras stateful LSTM", unit="epoch", enabled=settings.progress
    )
    callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: bar.advance([logs["loss"]])
    )
    history = fit_stateful(
        model,
        data.X_train,
        data.y_train,
        epochs=settings.stateful_epochs,
        batch_size=batch,
        callbacks=[callback],
    )
    bar.close()
    seconds = time.perf_counter() - start
    # One step: the state carried from the end of training into the test windows, test
    # month j in lane j % batch.
    trained = get_states(model)
    one = data.unscale(predict_stateful(model, data.X_test, batch))
    # Recursive: the same lanes from the same trained states, one month at a time.
    set_states(model, trained)
    multi = data.recursive(LanePredictor(model, batch))
    steps = settings.stateful_epochs * (len(data.X_train) // batch)
    note = f"batch {batch}, {settings.stateful_epochs} epochs, states reset each epoch"
    return Forecast(one, multi, seconds, steps, np.asarray(history.history["loss"]), note)


def _seasonal_naive(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    one = seasonal_naive(data.values, data.test_size, SEASON)
    last_season = data.train[-SEASON:]
    multi = np.array([last_season[h % SEASON] for h in range(data.test_size)])
    return Forecast(one, multi)


def _sarima(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    start = time.perf_counter()
    one, multi = airline_sarima(data.values, data.test_size)
    return Forecast(one, multi, time.perf_counter() - start, note="log, (0,1,1)(0,1,1)12")


def _holt_winters(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    # The variant is chosen on the training part's last test_size months (fewer when the
    # training part is short: two seasons stay for the fit), never on the test part.
    start = time.perf_counter()
    holdout = min(data.test_size, len(data.train) - 2 * SEASON)
    variant, _ = select_holt_winters(data.train, holdout, season=SEASON)
    one, multi = holt_winters(data.values, data.test_size, variant, season=SEASON)
    note = f"{variant}, chosen on the training part"
    return Forecast(one, multi, time.perf_counter() - start, note=note)


def _tuned(data: _ScaledWindows, settings: ComparisonSettings, seed: int) -> Forecast:
    from tf_pipeline.tuning import tuned_forecast

    return tuned_forecast(data.train, data.values, data.test_size, settings, seed)


MODELS: dict[str, tuple[str, Callable, bool]] = {
    # name: (label, runner, depends on the seed)
    "seasonal_naive": ("seasonal naive", _seasonal_naive, False),
    "sarima": ("SARIMA airline", _sarima, False),
    "holt_winters": ("Holt-Winters", _holt_winters, False),
    "tf1_legacy": ("TF1 legacy LSTM", _tf1_legacy, True),
    "keras_lstm": ("Keras LSTM", _keras_lstm, True),
    "keras_stateful": ("Keras stateful LSTM", _keras_stateful, True),
    "tuned": ("tuned (CV)", _tuned, True),
}


# Runners that send tasks of their own to the joblib backend (see _run_models).
_FANS_OUT = frozenset({"tuned"})


def _scores(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> dict[str, float]:
    scores = {name: fn(actual, forecast) for name, fn in METRICS.items()}
    scores["mase"] = mase(actual, forecast, train, SEASON)
    return scores


def _run_models(
    names: list[str], data: _ScaledWindows, settings: ComparisonSettings
) -> dict[str, list[Forecast]]:
    """Every (model, seed) fit, as tasks of :func:`tf_pipeline.parallel.run_tasks`.

    The fits are independent, so under a parallel joblib backend (``run.py --backend
    dask``) they run side by side; without one, in order in this process. A model
    whose runner fans out tasks of its own (the tuned row's CV) runs here instead,
    so that its tasks, not one long task, reach the workers.
    """
    from tf_pipeline.parallel import run_tasks

    tasks = []
    for name in names:
        _, runner, seeded = MODELS[name]
        if name not in _FANS_OUT:
            seeds = settings.seeds if seeded else settings.seeds[:1]
            tasks += [(runner, data, settings, seed) for seed in seeds]
    done = iter(run_tasks(_run_one, tasks))
    forecasts: dict[str, list[Forecast]] = {}
    for name in names:
        _, runner, seeded = MODELS[name]
        seeds = settings.seeds if seeded else settings.seeds[:1]
        if name in _FANS_OUT:
            forecasts[name] = [_run_one(runner, data, settings, seed) for seed in seeds]
        else:
            forecasts[name] = [next(done) for _ in seeds]
    return forecasts


def _run_one(
    runner: Callable, data: _ScaledWindows, settings: ComparisonSettings, seed: int
) -> Forecast:
    logger.info("fitting %s (seed %d)", runner.__name__.strip("_"), seed)
    return runner(data, settings, seed)


def run_comparison(
    series: Any,
    settings: ComparisonSettings | None = None,
    *,
    models: Sequence[str] | None = None,
) -> ComparisonResult:
    """Fit every model on the training part and score it on the test part.

    Parameters
    ----------
    series : array-like or pandas.Series
        Monthly values.
    settings : ComparisonSettings, optional
    models : sequence of str, optional
        Keys of :data:`MODELS` (default: all).

    Returns
    -------
    ComparisonResult
    """
    settings = settings or ComparisonSettings()
    check_int(settings.test_size, "test_size", minimum=1)
    values = as_finite_1d(series, "series", dtype=np.float64)
    if len(values) < settings.test_size + 2 * SEASON + WINDOW:
        raise ValueError(
            f"`series` must have at least test_size + {2 * SEASON + WINDOW} = "
            f"{settings.test_size + 2 * SEASON + WINDOW} points, got {len(values)}."
        )
    names = list(models or MODELS)
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        raise ValueError(f"`models` must be among {list(MODELS)}, got unknown {unknown}.")
    data = _ScaledWindows(values, settings.test_size)
    actual = values[-settings.test_size :]
    forecasts = _run_models(names, data, settings)
    rows = []
    for name in names:
        label = MODELS[name][0]
        runs = forecasts[name]
        one = [_scores(actual, run.one_step, data.train) for run in runs]
        multi = [_scores(actual, run.multi_step, data.train) for run in runs]
        fit_seconds = float(np.mean([run.fit_seconds for run in runs]))
        steps = runs[0].steps
        rows.append(
            Row(
                name=name,
                label=label,
                one_step={k: float(np.mean([s[k] for s in one])) for k in one[0]},
                multi_step={k: float(np.mean([s[k] for s in multi])) for k in multi[0]},
                one_step_std={k: float(np.std([s[k] for s in one])) for k in one[0]},
                fit_seconds=fit_seconds,
                steps=steps,
                steps_per_second=steps / fit_seconds if steps and fit_seconds else None,
                note=runs[0].note,
            )
        )
    return ComparisonResult(rows, forecasts, series, settings.test_size, settings)
