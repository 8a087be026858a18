"""The lstm_hybrid row: runs, is deterministic per seed, chooses on the training part only."""

import re
from types import SimpleNamespace

import numpy as np
import pytest

from tf_pipeline.baselines import holt_winters, select_holt_winters
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.hybrid import HybridConfig, SeasonalDiffLSTM, hybrid_forecast, lstm_hybrid

VALUES = load_airpassengers().to_numpy()


DATA = SimpleNamespace(values=VALUES, train=VALUES[:-24], test_size=24)
SMOKE = SimpleNamespace(keras_steps=20)  # the runner caps the LSTM's steps at keras_steps


@pytest.fixture(scope="module")
def seed0():
    return lstm_hybrid(DATA, SMOKE, seed=0)


@pytest.mark.slow
def test_same_seed_same_forecasts(seed0):
    again = lstm_hybrid(DATA, SMOKE, seed=0)
    np.testing.assert_array_equal(again.one_step, seed0.one_step)
    np.testing.assert_array_equal(again.multi_step, seed0.multi_step)
    assert again.note == seed0.note
    assert seed0.one_step.shape == seed0.multi_step.shape == (24,)
    assert seed0.steps == 20 * (HybridConfig.splits + 1)
    assert "TimeSeriesSplit" in seed0.note
    assert np.isfinite(seed0.one_step).all() and np.isfinite(seed0.multi_step).all()
    # Both modes forecast the first test month from the same (training) months.
    assert seed0.multi_step[0] == pytest.approx(seed0.one_step[0], rel=1e-5)


@pytest.mark.slow
def test_corrupting_the_test_part_changes_no_choice(seed0):
    corrupted = VALUES.copy()
    corrupted[-24:] = corrupted[-24:] * 3 + 100  # far off anything the training part shows
    data = SimpleNamespace(values=corrupted, train=corrupted[:-24], test_size=24)
    forecast = lstm_hybrid(data, SMOKE, seed=0)
    assert forecast.note == seed0.note  # the same weight and Holt-Winters variant
    # The recursive forecast sees the training part only; so does the first one-step month.
    np.testing.assert_array_equal(forecast.multi_step, seed0.multi_step)
    assert forecast.one_step[0] == seed0.one_step[0]
    assert not np.allclose(forecast.one_step[1:], seed0.one_step[1:])


def test_weight_zero_is_holt_winters():
    train = VALUES[:-24]
    variant, _ = select_holt_winters(train, 24)
    expected_one, expected_multi = holt_winters(VALUES, 24, variant)
    forecast = hybrid_forecast(VALUES, 24, HybridConfig(window=12, steps=2, weights=(0.0,)))
    np.testing.assert_allclose(forecast.one_step, expected_one, rtol=1e-12)
    np.testing.assert_allclose(forecast.multi_step, expected_multi, rtol=1e-12)
    assert forecast.note.startswith(
        "Holt-Winters (add trend, mul season) + LSTM weight 0.0 one step, 0.0 recursive"
    )


def test_one_step_batch_equals_next_value_row_by_row():
    model = SeasonalDiffLSTM(HybridConfig(window=12, hidden_size=4, steps=5), seed=1)
    model.fit(VALUES[:-24])
    expected = [model.next_value(VALUES[:t]) for t in range(len(VALUES) - 24, len(VALUES))]
    np.testing.assert_allclose(model.one_step(VALUES, 24), expected, rtol=1e-5)
    # The recursive forecast's first month is the first one-step month.
    assert model.recursive(VALUES[:-24], 3)[0] == pytest.approx(expected[0], rel=1e-6)


def test_non_positive_series_is_refused():
    with pytest.raises(ValueError, match=re.escape("`series` must be positive")):
        hybrid_forecast(VALUES - 200, 24)


def test_too_short_series_is_refused_before_fitting():
    needed = HybridConfig().min_length(24)
    assert needed == 24 + 2 * 12 + 12 + 14
    with pytest.raises(
        ValueError, match=re.escape(f"`series` must have at least {needed} values")
    ):
        hybrid_forecast(VALUES[: needed - 1], 24)
