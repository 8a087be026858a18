"""AirPassengers against its published statistics; the cosine curve against its formula."""

import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

from tf_pipeline.datasets import cosine_curve, load_airpassengers, load_co2_monthly


def test_airpassengers_published_statistics():
    series = load_airpassengers()
    assert isinstance(series, pd.Series)
    assert len(series) == 144
    assert series.sum() == 40363
    assert series.iloc[0] == 112
    assert series.iloc[-1] == 432
    assert series.max() == 622
    assert series.idxmax() == pd.Timestamp("1960-07-01")
    assert round(series.mean(), 2) == 280.30


def test_airpassengers_monthly_index():
    series = load_airpassengers()
    assert isinstance(series.index, pd.DatetimeIndex)
    assert series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("1949-01-01")
    assert series.index[-1] == pd.Timestamp("1960-12-01")


def test_airpassengers_fresh_copy_each_call():
    first = load_airpassengers()
    first.iloc[0] = -1
    assert load_airpassengers().iloc[0] == 112


def test_cosine_curve_matches_keras_formula():
    values = cosine_curve()
    t = np.arange(1000)
    expected = 100 * np.cos(2 * np.pi * t / 1000) * np.exp(-1e-4 * t)
    assert values.shape == (1000,)
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, expected, rtol=1e-6, atol=1e-4)
    assert values[0] == pytest.approx(100.0)
    # Half a period in: cos(pi) = -1, damped by exp(-0.05).
    assert values[500] == pytest.approx(-100 * np.exp(-0.05), rel=1e-6)


def test_cosine_curve_is_deterministic_and_validates():
    np.testing.assert_array_equal(cosine_curve(50), cosine_curve(50))
    with pytest.raises(ValueError, match="`n` must be an int >= 1, got 0"):
        cosine_curve(0)
    with pytest.raises(ValueError, match="`period` must be > 0"):
        cosine_curve(10, period=0)


@pytest.mark.slow
def test_non_editable_install_ships_the_data(tmp_path):
    """Build the wheel, install it elsewhere, and load the data from there."""
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("tf_pipeline-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tf_pipeline/data/airpassengers.csv" in names
    assert "tf_pipeline/data/co2_monthly.csv" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import tf_pipeline.datasets as d, pathlib; s = d.load_airpassengers(); "
        "c = d.load_co2_monthly(); "
        "print(len(s), int(s.sum()), pathlib.Path(d.__file__).parent.parent, len(c))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out[:2] == ["144", "40363"]
    assert out[2] == str(target)
    assert out[3] == "526"


# Mauna Loa CO2, monthly: reference numbers computed from statsmodels' weekly co2.csv by
# hand-written averaging (the csv module, not this package's loader nor pandas' resample):
# 526 calendar months 1958-03..2001-12, 5 of them without a weekly value.
CO2_MONTHS = 526
CO2_FIRST = 316.1  # 1958-03: one week, 1958-03-29
CO2_LAST = 371.02  # 2001-12: five weeks, (370.3 + 370.8 + 371.2 + 371.3 + 371.5) / 5
CO2_MEAN = 339.6192  # of the 526 monthly values, interpolated months included


def test_co2_monthly_published_statistics():
    series = load_co2_monthly()
    assert series.name == "co2"
    assert len(series) == CO2_MONTHS
    assert series.iloc[0] == pytest.approx(CO2_FIRST, abs=5e-4)
    assert series.iloc[-1] == pytest.approx(CO2_LAST, abs=5e-4)
    assert series.mean() == pytest.approx(CO2_MEAN, abs=1e-3)
    assert series.index[0] == pd.Timestamp("1958-03-01")
    assert series.index[-1] == pd.Timestamp("2001-12-01")
    assert series.index.freqstr == "MS"
    assert series.notna().all()


def test_co2_monthly_matches_the_weekly_source():
    """Every month equals the mean of statsmodels' weekly values in it (rounded to 3 decimals);
    the months without any are linear interpolations of their neighbours."""
    import statsmodels.datasets.co2 as co2

    weekly = co2.load_pandas().data["co2"]
    means = weekly.groupby(weekly.index.to_period("M")).mean()
    series = load_co2_monthly()
    months = series.index.to_period("M")
    observed = means.reindex(months)
    known = observed.notna().to_numpy()
    assert int((~known).sum()) == 5
    np.testing.assert_allclose(series.to_numpy()[known], observed.to_numpy()[known], atol=5e-4)
    # 1964-02..04 lie on the line from 1964-01 to 1964-05.
    gap = series["1964-01-01":"1964-05-01"].to_numpy()
    np.testing.assert_allclose(gap, np.linspace(gap[0], gap[-1], 5), atol=1e-3)
