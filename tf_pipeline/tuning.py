"""The "tuned" forecaster: transforms and hyperparameters chosen by cross-validation.

Choices are made with ``TimeSeriesSplit`` on the training part only (each fold fits
on earlier months and scores one-step forecasts of the next 12); the held-out test
months are never looked at. The grid:

- target transform: ``"scale"`` (min-max, as the legacy program), ``"log_seasonal_diff"``
  (``log y_t - log y_{t-12}``, standardised) or ``"log_double_diff"`` (that, differenced
  once more at lag 1: the series SARIMA(0,1,1)(0,1,1)12 models);
- window: 12 or 24 months;
- Keras LSTM size and Adam learning rate: (8, 0.003) or (16, 0.01).

The chosen configuration is refitted on the whole training part with three seeds and
their forecasts averaged.

Example
-------
>>> from tf_pipeline.tuning import TargetTransform
>>> import numpy as np
>>> values = np.exp(np.linspace(4, 6, 60))
>>> t = TargetTransform("log_double_diff").fit(values)
>>> z = t.encode(values)
>>> bool(np.allclose(t.decode(z[-1], values[:-1]), values[-1]))
True
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import TimeSeriesSplit
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from tf_pipeline._checks import check_choice
from tf_pipeline.forecasting import Forecast, recursive_forecast
from tf_pipeline.metrics import rmse
from tf_pipeline.parallel import run_tasks

logger = logging.getLogger(__name__)

TRANSFORMS = ("scale", "log_seasonal_diff", "log_double_diff")
_OFFSETS = {"scale": 0, "log_seasonal_diff": 12, "log_double_diff": 13}
CV_SPLITS = 3
CV_HORIZON = 12
BATCH_SIZE = 16
ENSEMBLE = 3


class TargetTransform:
    """Encode a positive series into the modelled quantity and decode forecasts back.

    ``encode(values)[k]`` describes month ``k + offset``; ``decode(z, history)``
    turns the forecast ``z`` of the month after ``history`` into that month's value.
    """

    def __init__(self, kind: str) -> None:
        self.kind = check_choice(kind, "kind", TRANSFORMS)
        self.offset = _OFFSETS[kind]

    def _raw(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "scale":
            return values
        logs = np.log(values)
        seasonal = logs[12:] - logs[:-12]
        return seasonal if self.kind == "log_seasonal_diff" else seasonal[1:] - seasonal[:-1]

    def fit(self, train: np.ndarray) -> TargetTransform:
        if self.kind != "scale" and (train <= 0).any():
            raise ValueError(f"`train` must be positive for the {self.kind!r} transform.")
        scaler = MinMaxScaler() if self.kind == "scale" else StandardScaler()
        self.scaler = scaler.fit(self._raw(train).reshape(-1, 1))
        return self

    def encode(self, values: np.ndarray) -> np.ndarray:
        return self.scaler.transform(self._raw(values).reshape(-1, 1)).ravel().astype(np.float32)

    def decode(self, z: float, history: np.ndarray) -> float:
        raw = float(self.scaler.inverse_transform(np.array([[z]]))[0, 0])
        if self.kind == "scale":
            return raw
        logs = np.log(history[-13:])
        if self.kind == "log_seasonal_diff":
            return float(np.exp(raw + logs[-12]))
        return float(np.exp(raw + logs[-1] + logs[-12] - logs[-13]))


@dataclass(frozen=True)
class Candidate:
    transform: str
    window: int
    hidden_size: int
    learning_rate: float

    def describe(self) -> str:
        return (
            f"{self.transform}, window {self.window}, LSTM {self.hidden_size}, "
            f"Adam {self.learning_rate:g}"
        )


GRID = tuple(
    Candidate(transform, window, hidden, rate)
    for transform, window, (hidden, rate) in itertools.product(
        TRANSFORMS, (12, 24), ((8, 0.003), (16, 0.01))
    )
)
# The smoke-run grid: one candidate per transform.
QUICK_GRID = tuple(Candidate(transform, 12, 8, 0.01) for transform in TRANSFORMS)


class WindowLSTM:
    """A Keras LSTM on windows of a transformed series, forecasting one month ahead."""

    def __init__(
        self, candidate: Candidate, steps: int, seed: int, models: dict | None = None
    ) -> None:
        self.candidate = candidate
        self.steps = steps
        self.seed = seed
        # Cross-validation refits one model per candidate and seed, reset to its initial
        # weights and optimizer state: the same numbers as a new model, traced once.
        self.models = models

    def fit(self, train: np.ndarray) -> WindowLSTM:
        from tf_pipeline.keras_models import build_lstm, compile_regressor
        from tf_pipeline.keras_training import train_steps

        window = self.candidate.window
        self.transform = TargetTransform(self.candidate.transform).fit(train)
        z = self.transform.encode(train)
        if len(z) <= window + 1:
            raise ValueError(
                f"`train` is too short for window {window} after the {self.candidate.transform} "
                f"transform ({len(z)} values)."
            )
        X = np.lib.stride_tricks.sliding_window_view(z[:-1], window)[:, np.newaxis, :]
        y = z[window:]
        key = (self.candidate, self.seed)
        if self.models is not None and key in self.models:
            self.model, initial = self.models[key]
            for variable, value in zip(
                self.model.weights + self.model.optimizer.variables, initial, strict=True
            ):
                variable.assign(value)
        else:
            self.model = compile_regressor(
                build_lstm((1, window), hidden_size=self.candidate.hidden_size, seed=self.seed),
                "adam",
                self.candidate.learning_rate,
            )
            if self.models is not None:
                self.model.optimizer.build(self.model.trainable_variables)
                initial = [v.numpy() for v in self.model.weights + self.model.optimizer.variables]
                self.models[key] = (self.model, initial)
        # No XLA: one compile per small fit would cost more than it saves.
        self.losses = train_steps(
            self.model, X, y, steps=self.steps, batch_size=BATCH_SIZE, jit_compile=False
        )
        return self

    def _next(self, history: np.ndarray) -> float:
        z = self.transform.encode(history)
        window = z[-self.candidate.window :].reshape(1, 1, -1)
        return self.transform.decode(float(self.model.predict_on_batch(window)[0, 0]), history)

    def one_step(self, values: np.ndarray, n_test: int) -> np.ndarray:
        """Forecasts of the last ``n_test`` values, each from the actual values before it."""
        return np.array([self._next(values[:t]) for t in range(len(values) - n_test, len(values))])

    def recursive(self, train: np.ndarray, horizon: int) -> np.ndarray:
        return recursive_forecast(self._next, train, horizon)


# Per process (this one, or a Dask worker): one Keras model per (candidate, seed), reset to
# its initial weights for each fold, so a process traces each architecture once.
_FOLD_MODELS: dict = {}


def _fold_error(
    candidate: Candidate, values: np.ndarray, end: int, steps: int, seed: int
) -> float:
    """One task: fit ``candidate`` on ``values[:end]``, one-step RMSE on the rest."""
    model = WindowLSTM(candidate, steps, seed, _FOLD_MODELS).fit(values[:end])
    return rmse(values[end:], model.one_step(values, len(values) - end))


def cross_validate(
    train: np.ndarray,
    steps: int,
    seed: int,
    grid: tuple[Candidate, ...] = GRID,
    splits: int = 3,
    *,
    backend: str | None = None,
) -> list[tuple[Candidate, float]]:
    """Mean one-step RMSE of every candidate over TimeSeriesSplit folds of ``train``.

    Every (candidate, fold, seed) fit is one task of
    :func:`tf_pipeline.parallel.run_tasks`: a loop in this process, or spread over
    the active joblib backend (e.g. a Dask cluster); the scores are the same either way.
    """
    folds = [
        (int(fit_idx[-1]) + 1, len(val_idx))
        for fit_idx, val_idx in TimeSeriesSplit(n_splits=splits, test_size=CV_HORIZON).split(train)
    ]
    tasks = [
        (candidate, train[: end + horizon], end, steps, seed)
        for candidate in grid
        for end, horizon in folds
    ]
    errors = np.asarray(run_tasks(_fold_error, tasks, backend=backend)).reshape(len(grid), -1)
    scores = [(c, float(np.mean(e))) for c, e in zip(grid, errors, strict=True)]
    for candidate, score in scores:
        logger.info("CV %s: RMSE %.2f", candidate.describe(), score)
    return scores


def tuned_forecast(
    train: np.ndarray, values: np.ndarray, test_size: int, settings: Any, seed: int
) -> Forecast:
    """Choose by CV on ``train``, refit on all of it, forecast the test part."""
    start = time.perf_counter()
    grid, splits = (QUICK_GRID, 2) if settings.tuned_quick else (GRID, CV_SPLITS)
    scores = cross_validate(
        np.asarray(train, np.float64), settings.tuned_steps, seed, grid, splits
    )
    best, cv_rmse = min(scores, key=lambda item: item[1])
    train = np.asarray(train, np.float64)
    # The chosen configuration refitted with a few seeds and averaged: small LSTMs on
    # ~100 windows vary a lot from seed to seed, and averaging cuts that variance.
    models = [
        WindowLSTM(best, settings.tuned_steps, seed * 10 + k).fit(train) for k in range(ENSEMBLE)
    ]
    one = np.mean([m.one_step(np.asarray(values, np.float64), test_size) for m in models], 0)
    multi = np.mean([m.recursive(train, test_size) for m in models], 0)
    note = (
        f"CV chose {best.describe()} (CV RMSE {cv_rmse:.1f} over {len(grid)} candidates), "
        f"mean of {ENSEMBLE} seeds"
    )
    seconds = time.perf_counter() - start
    return Forecast(one, multi, seconds, settings.tuned_steps, models[0].losses, note)
