"""One model per series (or one global model) over many series, as parallel tasks.

:func:`fit_many` fits a clone of a regressor on each series' sliding windows and
scores it one step ahead on the series' last ``test_size`` values;
:func:`forecast_many` forecasts every series recursively after its end. Each series
is one task of :func:`tf_pipeline.parallel.run_tasks`: a plain loop by default, or
spread over a Dask cluster inside ``joblib.parallel_config("dask")`` (see
:func:`tf_pipeline.parallel.dask_backend`). Results come back in the series' order
and equal the sequential loop's when the estimator has an int ``random_state``.

Each series is min-max scaled on its own training part (series of different levels
share one network in ``mode="global"``, and a small LSTM trains best on [0, 1]);
scores and forecasts are in the series' own units.

``mode="global"`` fits one clone on the windows of all series pooled: better than
one model per series when each series is short.

What goes to a worker: the unfitted estimator (its parameters), the series' values
and the window settings. What comes back: the fitted estimator (a TF1 regressor
pickles its checkpoint files, a Keras regressor its weights; never a session),
the scaler and the scores.

Example
-------
>>> import numpy as np
>>> from estimators import KerasLSTMRegressor
>>> from estimators.many_series import fit_many, forecast_many
>>> t = np.arange(48)
>>> series = {"a": 10 + np.sin(t / 3), "b": 50 + 5 * np.cos(t / 4)}
>>> model = KerasLSTMRegressor(hidden_size=4, steps=5, random_state=0)
>>> fitted = fit_many(model, series, window=6, test_size=6)
>>> sorted(fitted.scores().columns)
['fit_seconds', 'mae', 'n_train', 'rmse']
>>> forecast_many(fitted, series, steps=3)["b"].shape
(3,)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone

from tf_pipeline._checks import as_finite_1d, check_choice, check_int
from tf_pipeline.metrics import mae, rmse
from tf_pipeline.parallel import run_tasks
from tf_pipeline.scaling import fit_series_scaler, inverse_transform_series, transform_series
from tf_pipeline.windows import make_windows

MODES = ("local", "global")


@dataclass
class SeriesFit:
    """One series' fitted model, its scaler and its held-out scores."""

    series_id: Any
    model: Any
    scaler: Any
    n_train: int
    scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0


@dataclass
class ManyFit:
    """What :func:`fit_many` returns: a :class:`SeriesFit` per series, in input order."""

    fits: dict[Any, SeriesFit]
    window: int
    test_size: int
    mode: str

    @property
    def models(self) -> dict[Any, Any]:
        """Each series' fitted estimator (one shared object in global mode)."""
        return {key: fit.model for key, fit in self.fits.items()}

    def scores(self) -> Any:
        """A pandas DataFrame indexed by series: rmse, mae (NaN without a test part), n_train,
        fit_seconds."""
        import pandas as pd

        rows = {
            key: {
                "rmse": fit.scores.get("rmse", np.nan),
                "mae": fit.scores.get("mae", np.nan),
                "n_train": fit.n_train,
                "fit_seconds": fit.fit_seconds,
            }
            for key, fit in self.fits.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index")


def as_series_dict(
    series: Any, *, id_column: str | None = None, value_column: str | None = None
) -> dict[Any, np.ndarray]:
    """Many series as ``{id: float64 values}``.

    Parameters
    ----------
    series : mapping or pandas.DataFrame
        ``{id: 1-D values}``, or a long DataFrame with one row per (series, time),
        rows of each series in time order.
    id_column, value_column : str, optional
        The DataFrame's id and value columns (required for a DataFrame).
    """
    import pandas as pd

    if isinstance(series, pd.DataFrame):
        for name, column in (("id_column", id_column), ("value_column", value_column)):
            if column not in series.columns:
                raise ValueError(
                    f"`{name}` must name a column of the DataFrame, got {column!r}; "
                    f"the columns are {list(series.columns)}."
                )
        groups = series.groupby(id_column, sort=False)[value_column]
        return {key: as_finite_1d(values, f"series {key!r}", np.float64) for key, values in groups}
    if not isinstance(series, Mapping):
        raise TypeError(
            "`series` must be a mapping {id: values} or a long pandas DataFrame, "
            f"got {type(series).__name__}."
        )
    if not series:
        raise ValueError("`series` must hold at least one series, got an empty mapping.")
    return {
        key: as_finite_1d(values, f"series {key!r}", np.float64) for key, values in series.items()
    }


def _prepare(values: np.ndarray, window: int, test_size: int) -> dict[str, Any]:
    """Scale on the training part; windows of the training part and of the test targets."""
    train = values[: len(values) - test_size]
    scaler = fit_series_scaler(train)
    scaled = transform_series(scaler, values).astype(np.float32)
    X, y = (np.asarray(a) for a in make_windows(scaled, window, layout="flat"))
    cut = len(X) - test_size
    return {"scaler": scaler, "X": X[:cut], "y": y[:cut], "X_test": X[cut:], "n_train": len(train)}


def _score(model: Any, prepared: dict[str, Any], values: np.ndarray, test_size: int) -> dict:
    if not test_size:
        return {}
    forecast = inverse_transform_series(prepared["scaler"], model.predict(prepared["X_test"]))
    actual = values[-test_size:]
    return {"rmse": rmse(actual, forecast), "mae": mae(actual, forecast)}


def _fit_one(estimator: Any, key: Any, values: np.ndarray, window: int, test_size: int):
    prepared = _prepare(values, window, test_size)
    start = time.perf_counter()
    model = clone(estimator).fit(prepared["X"], prepared["y"])
    seconds = time.perf_counter() - start
    scores = _score(model, prepared, values, test_size)
    return SeriesFit(key, model, prepared["scaler"], prepared["n_train"], scores, seconds)


def _fit_pooled(estimator: Any, prepared: dict[Any, dict[str, Any]]) -> tuple[Any, float]:
    X = np.concatenate([p["X"] for p in prepared.values()])
    y = np.concatenate([p["y"] for p in prepared.values()])
    start = time.perf_counter()
    model = clone(estimator).fit(X, y)
    return model, time.perf_counter() - start


def fit_many(
    estimator: Any,
    series: Any,
    *,
    window: int,
    test_size: int = 0,
    mode: str = "local",
    id_column: str | None = None,
    value_column: str | None = None,
    backend: str | None = None,
) -> ManyFit:
    """Fit a clone of ``estimator`` per series (or one on all series pooled).

    Parameters
    ----------
    estimator : scikit-learn regressor
        Unfitted template, e.g. ``KerasLSTMRegressor(random_state=0)``; cloned per task.
    series : mapping or pandas.DataFrame
        See :func:`as_series_dict`.
    window : int
        Values per input window, >= 1.
    test_size : int, default=0
        Last values of each series held out and scored one step ahead (0: no scores).
    mode : {"local", "global"}, default="local"
        One model per series, or one model on the windows of all series.
    id_column, value_column : str, optional
        Columns of a long DataFrame ``series``.
    backend : str, optional
        joblib backend; None uses the active ``joblib.parallel_config`` or a loop.

    Returns
    -------
    ManyFit
    """
    window = check_int(window, "window", minimum=1)
    test_size = check_int(test_size, "test_size", minimum=0)
    mode = check_choice(mode, "mode", MODES)
    data = as_series_dict(series, id_column=id_column, value_column=value_column)
    for key, values in data.items():
        if len(values) < window + test_size + 2:
            raise ValueError(
                f"`series` {key!r} must have at least window + test_size + 2 = "
                f"{window + test_size + 2} values, got {len(values)}."
            )
    if mode == "local":
        tasks = [(estimator, key, values, window, test_size) for key, values in data.items()]
        fits = run_tasks(_fit_one, tasks, backend=backend)
        return ManyFit({fit.series_id: fit for fit in fits}, window, test_size, mode)
    prepared = {key: _prepare(values, window, test_size) for key, values in data.items()}
    # One task: a cluster fits the pooled model where memory is, the client only waits.
    [(model, seconds)] = run_tasks(_fit_pooled, [(estimator, prepared)], backend=backend)
    fits = {
        key: SeriesFit(
            key, model, p["scaler"], p["n_train"], _score(model, p, data[key], test_size), seconds
        )
        for key, p in prepared.items()
    }
    return ManyFit(fits, window, test_size, mode)


def _forecast_one(fit: SeriesFit, values: np.ndarray, steps: int) -> np.ndarray:
    scaled = transform_series(fit.scaler, values).astype(np.float32)
    return inverse_transform_series(fit.scaler, fit.model.forecast(scaled, steps))


def forecast_many(
    fitted: ManyFit,
    series: Any,
    *,
    steps: int,
    id_column: str | None = None,
    value_column: str | None = None,
    backend: str | None = None,
) -> dict[Any, np.ndarray]:
    """Forecast ``steps`` values after the end of every series, recursively.

    Parameters
    ----------
    fitted : ManyFit
        From :func:`fit_many`; every series of ``series`` must have a model there.
    series : mapping or pandas.DataFrame
        The histories (usually the series ``fitted`` was fitted on, test part included).
    steps : int
        Values to forecast per series, >= 1.
    id_column, value_column, backend
        As in :func:`fit_many`.

    Returns
    -------
    dict
        ``{id: ndarray of shape (steps,)}`` in the series' units.
    """
    steps = check_int(steps, "steps", minimum=1)
    data = as_series_dict(series, id_column=id_column, value_column=value_column)
    missing = [key for key in data if key not in fitted.fits]
    if missing:
        raise ValueError(f"`series` must be among the fitted series, got unknown {missing[:5]}.")
    tasks = [(fitted.fits[key], values, steps) for key, values in data.items()]
    return dict(zip(data, run_tasks(_forecast_one, tasks, backend=backend), strict=True))
