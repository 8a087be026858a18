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
CO2_FILE = "co2_monthly.csv"


def _data_path(name: str) -> Path:
    """Locate a shipped CSV: packaged copy first (wheel installs), then the checkout's data/."""
    packaged = resources.files("tf_pipeline") / "data" / name
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "data" / name
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(
        f"{name} not found at {packaged} nor {checkout}; reinstall tf_pipeline."
    )


def _monthly_series(name: str, column: str) -> pd.Series:
    frame = pd.read_csv(_data_path(name))
    index = pd.DatetimeIndex(pd.to_datetime(frame["month"], format="%Y-%m"), name="month")
    series = pd.Series(frame[column].to_numpy(dtype=np.float64), index=index)
    series.index.freq = "MS"
    series.name = column
    return series


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
    return _monthly_series(AIRPASSENGERS_FILE, "passengers")


def load_co2_monthly() -> pd.Series:
    """Load monthly mean atmospheric CO2 at Mauna Loa, March 1958 to December 2001.

    526 monthly means (ppmv) of the weekly Mauna Loa series bundled with statsmodels
    (``statsmodels.datasets.co2``: Keeling & Whorf, Scripps / CDIAC, public domain): the
    mean of each calendar month's weekly values, the 5 months without any interpolated
    linearly (``scripts/make_co2_monthly.py`` produced the file). A rising trend with an
    additive, nearly constant seasonal swing: a different shape from AirPassengers'
    multiplicative season.

    Returns
    -------
    pandas.Series
        Float values named ``"co2"`` with a monthly ``DatetimeIndex`` (``freq="MS"``)
        named ``"month"``.

    Examples
    --------
    >>> from tf_pipeline.datasets import load_co2_monthly
    >>> series = load_co2_monthly()
    >>> len(series), float(series.iloc[0]), float(series.iloc[-1])
    (526, 316.1, 371.02)
    """
    return _monthly_series(CO2_FILE, "co2")


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


def _line_numbers(mask: np.ndarray, limit: int = 3) -> str:
    """File line numbers (header = line 1) of the first rows where ``mask`` holds."""
    lines = [str(int(i) + 2) for i in np.flatnonzero(mask)[:limit]]
    more = int(mask.sum()) - len(lines)
    return ", ".join(lines) + (f" and {more} more" if more > 0 else "")


def _read_csv_file(path: str | Path) -> pd.DataFrame:
    """The CSV as text cells (nothing parsed yet), with clear errors for non-CSV paths."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"`path` must be a CSV file, got {str(path)!r}, which is a directory.")
    if not path.exists():
        raise FileNotFoundError(f"`path` must be an existing CSV file, got {str(path)!r}.")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if b"\x00" in head:
        raise ValueError(f"`path` must be a text CSV file, got {str(path)!r}, which is binary.")
    try:
        # Cells stay text: "1,234" or "n/a" must be reported, not turned into NaN.
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(
            f"`path` must be a readable CSV file, got {str(path)!r} "
            f"({type(error).__name__}: {str(error).splitlines()[0]})."
        ) from None


def _parse_values(cells: pd.Series, column: str, path: str | Path) -> pd.Series:
    """Numbers from text cells; empty cells are missing values, other text is an error."""
    text = cells.str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "").to_numpy() & ~np.isfinite(values.to_numpy(dtype=np.float64))
    if bad.any():
        examples = sorted(set(text[bad]))[:3]
        raise ValueError(
            f"`{column}` in {path} must hold finite numbers (or empty cells for missing "
            f"values), got {examples} at line {_line_numbers(bad)}. Write numbers without "
            "thousands separators and leave missing values empty."
        )
    return values.astype(np.float64)


def _monthly_index(cells: pd.Series, date_column: str, path: str | Path) -> pd.DatetimeIndex:
    """Month starts of the date cells; one row per month, monthly spacing."""
    dates = pd.to_datetime(cells.str.strip(), errors="coerce", format="mixed")
    bad = dates.isna().to_numpy()
    if bad.any():
        examples = sorted(set(cells[bad]))[:3]
        raise ValueError(
            f"`{date_column}` in {path} must hold dates, got {examples} at line "
            f"{_line_numbers(bad)}."
        )
    months = dates.dt.to_period("M")
    duplicated = months.duplicated(keep=False).to_numpy()
    if duplicated.any():
        month = months[duplicated].iloc[0]
        raise ValueError(
            f"`{date_column}` in {path} must hold one date per month, got several rows in "
            f"{month} (lines {_line_numbers((months == month).to_numpy())}). Aggregate "
            "daily or weekly data to monthly values first."
        )
    ordinals = np.sort(months.map(lambda m: m.ordinal).to_numpy())
    spacing = float(np.median(np.diff(ordinals))) if len(ordinals) > 2 else 1.0
    if spacing >= 2:  # quarterly or yearly dates: "missing" months would be invented
        raise ValueError(
            f"`{date_column}` in {path} must hold monthly dates, got dates {spacing:g} months "
            "apart (median). Resample the series to months first."
        )
    return pd.DatetimeIndex(months.dt.to_timestamp(how="start"), name=date_column)


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
        The values' column: numbers, or empty cells for missing values. Other text
        (``"1,234"``, ``"n/a"``) and infinities are errors naming the file's lines.
    date_column : str, optional
        A column of dates, one per month (any day of the month); the series gets a
        monthly ``DatetimeIndex`` and months missing from the file become missing
        values. Several rows in one month (daily data, duplicates) and dates further
        apart than monthly are errors. Without it, rows are consecutive months.
    fill : {None, "interpolate"}
        Missing values are an error by default; ``"interpolate"`` fills them
        linearly (``pandas.Series.interpolate``).

    Returns
    -------
    pandas.Series of float
    """
    if fill not in (None, "interpolate"):
        raise ValueError(f"`fill` must be None or 'interpolate', got {fill!r}.")
    for name, wanted in (("column", column), ("date_column", date_column)):
        if wanted is not None and not isinstance(wanted, str):
            raise TypeError(f"`{name}` must be a column name (str), got {wanted!r}.")
    frame = _read_csv_file(path)
    for name, wanted in (("column", column), ("date_column", date_column)):
        if wanted is not None and wanted not in frame.columns:
            raise ValueError(
                f"`{name}` must name a column of {path}, got {wanted!r}; the columns are "
                f"{list(frame.columns)}."
            )
    values = _parse_values(frame[column], column, path)
    if values.isna().all():
        raise ValueError(f"`{column}` in {path} must hold at least one value, got none.")
    if date_column is not None:
        index = _monthly_index(frame[date_column], date_column, path)
        values = pd.Series(values.to_numpy(), index=index).sort_index()
        months = pd.date_range(index.min(), index.max(), freq="MS", name=date_column)
        values = values.reindex(months)  # absent months become NaN
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
