"""Pieces of the comparison: SARIMA baseline, target transforms, the CSV loader."""

import re

import numpy as np
import pandas as pd
import pytest

from tf_pipeline.baselines import airline_sarima
from tf_pipeline.datasets import load_airpassengers, load_monthly_csv
from tf_pipeline.metrics import rmse
from tf_pipeline.tuning import GRID, TRANSFORMS, TargetTransform


def test_airline_sarima_on_airpassengers():
    values = load_airpassengers().to_numpy()
    one, multi = airline_sarima(values, 24)
    # The airline model's one-step RMSE on 1959-1960 is about 15.3 (issue text, Box-Jenkins).
    assert rmse(values[-24:], one) == pytest.approx(15.28, abs=0.05)
    assert rmse(values[-24:], multi) > rmse(values[-24:], one)  # 24 steps ahead is harder
    with pytest.raises(ValueError, match="must be positive"):
        airline_sarima(-values, 24)


@pytest.mark.parametrize("kind", TRANSFORMS)
def test_transforms_decode_what_they_encode(kind):
    values = load_airpassengers().to_numpy()
    transform = TargetTransform(kind).fit(values[:100])
    z = transform.encode(values)
    assert len(z) == len(values) - transform.offset
    for month in (60, 120, 143):  # decoding month t's code from the months before t
        decoded = transform.decode(z[month - transform.offset], values[:month])
        assert decoded == pytest.approx(values[month], rel=1e-5)


def test_double_difference_closed_form():
    values = np.exp(np.arange(30) * 0.1 + np.sin(np.arange(30)))
    transform = TargetTransform("log_double_diff").fit(values)
    logs = np.log(values)
    raw = (logs[13:] - logs[1:-12]) - (logs[12:-1] - logs[:-13])
    np.testing.assert_allclose(
        transform.scaler.inverse_transform(transform.encode(values).reshape(-1, 1)).ravel(),
        raw,
        rtol=1e-5,
    )


def test_grid_is_fixed_before_looking_at_data():
    assert len(GRID) == 12
    assert {c.transform for c in GRID} == set(TRANSFORMS)


def test_load_monthly_csv_fills_absent_months(tmp_path):
    frame = pd.DataFrame({"month": ["2020-01", "2020-02", "2020-04"], "v": [1.0, 2.0, 4.0]})
    frame.to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(ValueError, match=re.escape("has 1 missing values")):
        load_monthly_csv(tmp_path / "a.csv", "v", date_column="month")
    series = load_monthly_csv(tmp_path / "a.csv", "v", date_column="month", fill="interpolate")
    assert series.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert series.index.freqstr == "MS"
    with pytest.raises(ValueError, match="`fill` must be None or 'interpolate'"):
        load_monthly_csv(tmp_path / "a.csv", "v", fill="zero")
