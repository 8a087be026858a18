"""Metrics against closed-form values; the seasonal-naive baseline on AirPassengers."""

import re

import numpy as np
import pytest

from tf_pipeline.baselines import seasonal_naive
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.metrics import mae, mape, mase, rmse
from tf_pipeline.scaling import fit_series_scaler, inverse_transform_series, transform_series


def test_closed_form_values():
    y_true = [100.0, 200.0, 300.0, 400.0]
    y_pred = [110.0, 190.0, 330.0, 400.0]
    assert rmse(y_true, y_pred) == pytest.approx(np.sqrt((100 + 100 + 900) / 4))
    assert mae(y_true, y_pred) == pytest.approx(50 / 4)
    assert mape(y_true, y_pred) == pytest.approx(100 * (0.1 + 0.05 + 0.1 + 0) / 4)


def test_mase_scale_is_seasonal_naive_in_sample():
    train = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 8.0])
    # season 2 differences: |3-1|, |5-2|, |4-3|, |8-5| -> mean 9/4
    assert mase([10.0], [11.5], train, season=2) == pytest.approx(1.5 / (9 / 4))


def test_mase_errors():
    with pytest.raises(
        ValueError, match=re.escape("`y_train` must have more than season = 12 points, got 5")
    ):
        mase([1.0], [1.0], np.arange(5.0))
    with pytest.raises(ValueError, match="zero seasonal-naive error"):
        mase([1.0], [1.0], np.ones(20))


def test_metric_shape_mismatch():
    with pytest.raises(
        ValueError, match=re.escape("`y_pred` must have as many values as `y_true` (2), got 3")
    ):
        rmse([1.0, 2.0], [1.0, 2.0, 3.0])


def test_seasonal_naive_airpassengers_last_24_months():
    values = load_airpassengers().to_numpy()
    forecast = seasonal_naive(values, n_test=24)
    np.testing.assert_array_equal(forecast, values[-36:-12])
    # Published-data check: the seasonal-naive one-step RMSE on 1959-1960 is ~50.
    assert rmse(values[-24:], forecast) == pytest.approx(49.99, abs=0.01)


def test_scaling_uses_sklearn_and_round_trips():
    train = np.array([10.0, 20.0, 30.0])
    scaler = fit_series_scaler(train)
    assert type(scaler).__name__ == "MinMaxScaler"
    np.testing.assert_allclose(transform_series(scaler, [10.0, 40.0]), [0.0, 1.5])
    np.testing.assert_allclose(inverse_transform_series(scaler, [0.5]), [20.0])
