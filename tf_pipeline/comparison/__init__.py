"""Compare the legacy TF1 pipeline, the Keras 3 path and classical baselines on one series.

Every model is fitted on the series without its last ``test_size`` values and scored
on them twice: one step ahead (each month forecast from the actual months before it)
and ``test_size`` steps ahead (recursive: each forecast fed back as input).

The package, one job per module:

* :mod:`~tf_pipeline.comparison.settings` -- :class:`ComparisonSettings`, ``SEASON``, ``WINDOW``;
* :mod:`~tf_pipeline.comparison.data` -- the scaled windows of one series;
* :mod:`~tf_pipeline.comparison.rows` -- the rows (adapters over the regressors and
  baselines) and the :data:`MODELS` registry;
* :mod:`~tf_pipeline.comparison.fits` -- every (row, seed) fit as parallel tasks;
* :mod:`~tf_pipeline.comparison.scoring` -- scores, :class:`Row`, :class:`ComparisonResult`.

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

from collections.abc import Sequence
from typing import Any

import numpy as np

from tf_pipeline._checks import as_finite_1d, check_int
from tf_pipeline.comparison.data import ScaledWindows
from tf_pipeline.comparison.fits import run_fits
from tf_pipeline.comparison.rows import MODELS, RowSpec, spec_of
from tf_pipeline.comparison.scoring import ComparisonResult, Row, summarize
from tf_pipeline.comparison.settings import SEASON, WINDOW, ComparisonSettings
from tf_pipeline.forecasting import Forecast

__all__ = [
    "MODELS",
    "SEASON",
    "WINDOW",
    "ComparisonResult",
    "ComparisonSettings",
    "Forecast",
    "Row",
    "RowSpec",
    "ScaledWindows",
    "run_comparison",
]


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
    data = ScaledWindows(values, settings.test_size)
    forecasts = run_fits(names, data, settings)
    actual = values[-settings.test_size :]
    rows = [
        summarize(name, spec_of(name).label, forecasts[name], actual, data.train) for name in names
    ]
    return ComparisonResult(rows, forecasts, series, settings.test_size, settings)
