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

The network is :class:`tf_pipeline.estimators.KerasLSTMRegressor`; this module only
turns the series into windows of the transformed target (:class:`TargetTransform`),
asks the regressor for the next code and decodes it (:class:`WindowLSTM`). The twelve
candidates are four network architectures (window, LSTM size, learning rate): the
transform changes the data only. All fits of one architecture in a process share one
regressor, reset to the exact state a fresh fit starts from (:class:`SharedNetworks`),
so the 36 fold fits and 3 refits trace and XLA-compile four networks, not 39.

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
    Encoding is month by month (a code depends on its own month and the 13 before
    it), so ``encode(values)[:t - offset]`` equals ``encode(values[:t])``.
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
        """The value of the month after ``history`` whose code is ``z``."""
        return float(self.decode_at([z], history, [len(history)])[0])

    def decode_at(self, z: Any, values: np.ndarray, months: Any) -> np.ndarray:
        """The values of ``months`` from their codes ``z``, each given the actual months before it.

        Only ``values[month - 13 : month]`` is read for each month, never the month itself.
        """
        raw = self.scaler.inverse_transform(np.asarray(z, np.float64).reshape(-1, 1)).ravel()
        if self.kind == "scale":
            return raw
        months = np.asarray(months)

        def logs(lag: int) -> np.ndarray:
            return np.log(np.asarray(values, np.float64)[months - lag])

        if self.kind == "log_seasonal_diff":
            return np.exp(raw + logs(12))
        return np.exp(raw + logs(1) + logs(12) - logs(13))


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


class SharedNetworks:
    """Fits that share one :class:`~tf_pipeline.estimators.KerasLSTMRegressor` per architecture.

    A fresh regressor builds a new Keras network, whose training loop is then traced
    and XLA-compiled anew: longer than the 1000 steps it runs. Cross-validation fits
    each architecture (everything but ``random_state`` and ``steps``) nine times and
    the window length fixes the data's shape, so here all fits of one architecture
    reuse one regressor: before each fit its network is put back to exactly the state a
    fresh regressor with that ``random_state`` starts from (that seed's initial
    weights, a new optimizer state), then trained with ``warm_start=True``, which
    keeps the network and its compiled loop. The numbers are a fresh regressor's.

    The regressor a fit hands out is valid until the next fit of its architecture;
    :class:`WindowLSTM` checks that before every prediction.
    """

    def __init__(self) -> None:
        self._regressors: dict[tuple, Any] = {}
        self._initial: dict[tuple, list[np.ndarray]] = {}
        self._owners: dict[tuple, object] = {}

    @staticmethod
    def key(params: dict[str, Any], window: int) -> tuple:
        """The architecture: the window and every parameter but ``random_state`` and ``steps``."""
        shared = {k: v for k, v in params.items() if k not in ("random_state", "steps")}
        return (window, *sorted(shared.items()))

    def fit(self, params: dict[str, Any], X: np.ndarray, y: np.ndarray, owner: object) -> Any:
        """A regressor with ``params`` fitted on windows ``X`` and targets ``y``, for ``owner``."""
        from tf_pipeline.estimators import KerasLSTMRegressor

        key = self.key(params, X.shape[1])
        regressor = self._regressors.get(key)
        if regressor is None:
            regressor = KerasLSTMRegressor(**params).fit(X, y)
            self._regressors[key] = regressor
        else:
            self._restart(regressor, key, params["random_state"])
            regressor.set_params(**params, warm_start=True).fit(X, y)
        self._owners[key] = owner
        return regressor

    def holds(self, key: tuple, owner: object) -> bool:
        """Whether the regressor of ``key`` still holds ``owner``'s fit."""
        return self._owners.get(key) is owner

    def _restart(self, regressor: Any, key: tuple, seed: int) -> None:
        """Set ``regressor``'s network and optimizer to where a fresh fit with ``seed`` starts.

        That state is the one ``KerasLSTMRegressor`` builds for a new fit (its network
        from ``build_lstm`` with the seed, compiled by ``compile_regressor``);
        tests/test_tuning.py checks that a restarted fit equals a fresh one exactly.
        """
        from tf_pipeline.keras_models import build_lstm, compile_regressor

        model = regressor.model_
        state = self._initial.get((key, seed))
        if state is None:
            params = regressor.get_params()
            fresh = compile_regressor(
                build_lstm(
                    tuple(model.input_shape[1:]),
                    hidden_size=params["hidden_size"],
                    num_layers=params["num_layers"],
                    seed=seed,
                ),
                params["optimizer"],
                params["learning_rate"],
            )
            fresh.optimizer.build(fresh.trainable_variables)
            state = [np.array(v.numpy()) for v in fresh.weights + fresh.optimizer.variables]
            self._initial[(key, seed)] = state
        variables = model.weights + model.optimizer.variables
        for variable, value in zip(variables, state, strict=True):
            variable.assign(value)


class WindowLSTM:
    """A Keras LSTM regressor on windows of a transformed series, forecasting one month ahead.

    Parameters
    ----------
    candidate : Candidate
        The transform and the network.
    steps : int
        Gradient steps of the fit.
    seed : int
        The regressor's ``random_state``.
    networks : SharedNetworks or None, default=None
        Fit a regressor shared with other fits of the same architecture (use each
        fit before the next one of its architecture); None fits a regressor of its own.
    batch_size : int, default=BATCH_SIZE
        Rows per gradient step.
    """

    def __init__(
        self,
        candidate: Candidate,
        steps: int,
        seed: int,
        networks: SharedNetworks | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.candidate = candidate
        self.steps = steps
        self.seed = seed
        self.networks = networks
        self.batch_size = batch_size

    def fit(self, train: np.ndarray) -> WindowLSTM:
        window = self.candidate.window
        self.transform = TargetTransform(self.candidate.transform).fit(train)
        z = self.transform.encode(train)
        if len(z) <= window + 1:
            raise ValueError(
                f"`train` is too short for window {window} after the {self.candidate.transform} "
                f"transform ({len(z)} values)."
            )
        X = np.lib.stride_tricks.sliding_window_view(z[:-1], window)
        y = z[window:]
        params = {
            "hidden_size": self.candidate.hidden_size,
            "learning_rate": self.candidate.learning_rate,
            "optimizer": "adam",
            "batch_size": self.batch_size,
            "steps": self.steps,
            "random_state": self.seed,
        }
        if self.networks is None:
            from tf_pipeline.estimators import KerasLSTMRegressor

            self._regressor = KerasLSTMRegressor(**params).fit(X, y)
        else:
            self._key = SharedNetworks.key(params, window)
            self._regressor = self.networks.fit(params, X, y, owner=self)
        # Per epoch, as the regressor reports it (history_).
        self.losses = np.asarray(self._regressor.history_["loss"])
        return self

    @property
    def regressor(self) -> Any:
        """The fitted ``KerasLSTMRegressor``."""
        if self.networks is not None and not self.networks.holds(self._key, self):
            raise RuntimeError(
                "This fit's shared network was refitted since; use each WindowLSTM fit "
                "before the next fit of the same architecture."
            )
        return self._regressor

    def next_value(self, history: np.ndarray) -> float:
        """The month after ``history`` (actual values, or with earlier forecasts)."""
        z = self.transform.encode(history)
        window = z[-self.candidate.window :].reshape(1, -1)
        return self.transform.decode(float(self.regressor.predict(window)[0]), history)

    def one_step(self, values: np.ndarray, n_test: int) -> np.ndarray:
        """Forecasts of the last ``n_test`` values, each from the actual values before it.

        One prediction call for all months: month ``t``'s window is the codes of the
        ``window`` months before ``t``, read from the encoding of the whole series
        (encoding is month by month, see :class:`TargetTransform`).
        """
        values = np.asarray(values, np.float64)
        z = self.transform.encode(values)
        months = np.arange(len(values) - n_test, len(values))
        windows = np.lib.stride_tricks.sliding_window_view(z, self.candidate.window)
        # The window ending just before month t starts at code t - offset - window.
        X = windows[months - self.transform.offset - self.candidate.window]
        return self.transform.decode_at(self.regressor.predict(X), values, months)

    def recursive(self, train: np.ndarray, horizon: int) -> np.ndarray:
        return recursive_forecast(self.next_value, train, horizon)


# Per process (this one, or a Dask worker): one regressor per architecture, restarted
# for each fit, so a process traces and compiles each architecture once.
_NETWORKS = SharedNetworks()


def _fold_error(
    candidate: Candidate, values: np.ndarray, end: int, steps: int, seed: int
) -> float:
    """One task: fit ``candidate`` on ``values[:end]``, one-step RMSE on the rest."""
    model = WindowLSTM(candidate, steps, seed, _NETWORKS).fit(values[:end])
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
    A task sees only its fold's months (``train[: end + horizon]``).
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
    train = np.asarray(train, np.float64)
    values = np.asarray(values, np.float64)
    scores = cross_validate(train, settings.tuned_steps, seed, grid, splits)
    best, cv_rmse = min(scores, key=lambda item: item[1])
    # The chosen configuration refitted with a few seeds and averaged: small LSTMs on
    # ~100 windows vary a lot from seed to seed, and averaging cuts that variance.
    # Each fit is used before the next (they share one network).
    one, multi, losses = [], [], None
    for k in range(ENSEMBLE):
        model = WindowLSTM(best, settings.tuned_steps, seed * 10 + k, _NETWORKS).fit(train)
        one.append(model.one_step(values, test_size))
        multi.append(model.recursive(train, test_size))
        losses = model.losses if losses is None else losses
    note = (
        f"CV chose {best.describe()} (CV RMSE {cv_rmse:.1f} over {len(grid)} candidates), "
        f"mean of {ENSEMBLE} seeds"
    )
    seconds = time.perf_counter() - start
    return Forecast(
        np.mean(one, 0), np.mean(multi, 0), seconds, settings.tuned_steps, losses, note
    )
