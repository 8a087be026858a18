"""Data sets shipped with tf_pipeline.

Example
-------
>>> from tf_pipeline.datasets import load_airpassengers
>>> series = load_airpassengers()
>>> len(series), int(series.iloc[0]), int(series.iloc[-1])
(144, 112, 432)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tf_pipeline._checks import check_int

AIRPASSENGERS_FILE = "airpassengers.csv"


def _airpassengers_path() -> Path:
    """Locate the CSV: packaged copy first (wheel installs), then the checkout's data/."""
    packaged = resources.files("tf_pipeline") / "data" / AIRPASSENGERS_FILE
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "data" / AIRPASSENGERS_FILE
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(
        f"AirPassengers data not found at {packaged} nor {checkout}; reinstall tf_pipeline."
    )


def load_airpassengers() -> pd.Series:
    """Load the classic Box & Jenkins airline passenger series.

    Monthly totals of international airline passengers, in thousands,
    January 1949 to December 1960 (144 values).

    Returns
    -------
    pandas.Series
        Float values named ``"passengers"`` with a monthly ``DatetimeIndex``
        (``freq="MS"``) named ``"month"``.
    """
    frame = pd.read_csv(_airpassengers_path())
    index = pd.DatetimeIndex(pd.to_datetime(frame["month"], format="%Y-%m"), name="month")
    series = pd.Series(frame["passengers"].to_numpy(dtype=np.float64), index=index)
    series.index.freq = "MS"
    series.name = "passengers"
    return series


def cosine_curve(
    n: int = 1000,
    *,
    amplitude: float = 100.0,
    period: float = 1000.0,
    decay: float = 1e-4,
    start: int = 0,
    step: int = 1,
) -> np.ndarray:
    """The damped cosine series of the Keras stateful-LSTM example.

    ``x[i] = amplitude * cos(2*pi*t/period) * exp(-decay*t)`` with
    ``t = start + i*step``; the defaults are those of Keras'
    ``gen_cosine_amp`` (amp 100, period 1000, k 1e-4), over the 1000 points
    the tutorial windows by 20. Deterministic: no noise is added.

    Parameters
    ----------
    n : int, default=1000
        Number of points.
    amplitude, period, decay : float
        Shape of the curve.
    start, step : int
        First time index and its increment.

    Returns
    -------
    numpy.ndarray of shape (n,), float32
    """
    n = check_int(n, "n", minimum=1)
    if period <= 0:
        raise ValueError(f"`period` must be > 0, got {period}.")
    t = start + step * np.arange(n, dtype=np.float64)
    values = amplitude * np.cos(2.0 * np.pi * t / period) * np.exp(-decay * t)
    return values.astype(np.float32)


def load_monthly_csv(
    path: str | Path,
    column: str,
    *,
    date_column: str | None = None,
    fill: str | None = None,
) -> pd.Series:
    """Load one monthly series from a CSV file.

    Parameters
    ----------
    path : str or Path
    column : str
        The values' column.
    date_column : str, optional
        A column of dates; the series gets a monthly ``DatetimeIndex`` and months
        missing from the file become missing values. Without it, rows are taken
        as consecutive months.
    fill : {None, "interpolate"}
        Missing values are an error by default; ``"interpolate"`` fills them
        linearly (``pandas.Series.interpolate``).

    Returns
    -------
    pandas.Series of float
    """
    if fill not in (None, "interpolate"):
        raise ValueError(f"`fill` must be None or 'interpolate', got {fill!r}.")
    frame = pd.read_csv(path)
    for name, wanted in (("column", column), ("date_column", date_column)):
        if wanted is not None and wanted not in frame.columns:
            raise ValueError(
                f"`{name}` must name a column of {path}, got {wanted!r}; the columns are "
                f"{list(frame.columns)}."
            )
    values = pd.to_numeric(frame[column], errors="coerce")
    if date_column is not None:
        index = pd.DatetimeIndex(pd.to_datetime(frame[date_column]), name=date_column)
        values = pd.Series(values.to_numpy(), index=index).sort_index()
        if index.has_duplicates:
            raise ValueError(f"`{date_column}` holds duplicate dates in {path}.")
        values = values.resample("MS").mean()  # absent months become NaN
    series = values.astype(np.float64).rename(column)
    missing = int(series.isna().sum())
    if missing:
        if fill is None:
            where = [str(i) for i in series.index[series.isna()][:3]]
            raise ValueError(
                f"`{column}` in {path} has {missing} missing values (first at {where}). "
                "Clean the file or pass fill='interpolate' (--fill interpolate)."
            )
        series = series.interpolate(limit_direction="both")
    return series
