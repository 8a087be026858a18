"""AirPassengers against its published statistics; the cosine curve against its formula."""

import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

from tf_pipeline.datasets import cosine_curve, load_airpassengers


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
    assert "tf_pipeline/data/airpassengers.csv" in zipfile.ZipFile(wheel).namelist()
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import tf_pipeline.datasets as d, pathlib; s = d.load_airpassengers(); "
        "print(len(s), int(s.sum()), pathlib.Path(d.__file__).parent.parent)"
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
