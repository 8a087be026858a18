"""Scores of the forecasts, a row of the results table, and the comparison's result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tf_pipeline.comparison.settings import SEASON, ComparisonSettings
from tf_pipeline.forecasting import Forecast
from tf_pipeline.metrics import mae, mape, mase, rmse

__all__ = ["METRICS", "ComparisonResult", "Row", "score", "summarize"]

METRICS = {"rmse": rmse, "mae": mae, "mape": mape}
"""Scores on the series' own scale; :func:`score` adds the seasonal MASE."""


@dataclass
class Row:
    """A model's scores: means over seeds (and standard deviations when several).

    ``as_dict`` is a row of ``report.json`` (its keys are that file's schema: extend
    them, never rename them).
    """

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
    """Every row's scores and forecasts (one :class:`Forecast` per seed) of one series."""

    rows: list[Row]
    forecasts: dict[str, list[Forecast]]
    series: Any
    test_size: int
    settings: ComparisonSettings
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> Row:
        """The row with the lowest one-step RMSE."""
        return min(self.rows, key=lambda row: row.one_step["rmse"])


def score(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, MAPE and MASE (scaled by the training part's seasonal naive error)."""
    scores = {name: fn(actual, forecast) for name, fn in METRICS.items()}
    scores["mase"] = mase(actual, forecast, train, SEASON)
    return scores


def summarize(
    name: str, label: str, runs: Sequence[Forecast], actual: np.ndarray, train: np.ndarray
) -> Row:
    """One row from a model's forecasts over seeds: mean scores, one-step spread, speed."""
    one = [score(actual, run.one_step, train) for run in runs]
    multi = [score(actual, run.multi_step, train) for run in runs]
    fit_seconds = float(np.mean([run.fit_seconds for run in runs]))
    steps = runs[0].steps
    return Row(
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
