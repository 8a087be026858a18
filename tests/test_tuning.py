"""The tuned row: a thin adapter over KerasLSTMRegressor, deterministic, blind to the test part."""

import re

import numpy as np
import pytest

from tf_pipeline import tuning
from tf_pipeline.comparison import ComparisonSettings
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.estimators import KerasLSTMRegressor
from tf_pipeline.tuning import (
    GRID,
    QUICK_GRID,
    SharedNetworks,
    TargetTransform,
    WindowLSTM,
    cross_validate,
    tuned_forecast,
)

VALUES = load_airpassengers().to_numpy().astype(np.float64)
TRAIN = VALUES[:-24]
STEPS = 40  # under the regressor's XLA threshold: no compile in the suite
SETTINGS = ComparisonSettings.quick(tuned_steps=STEPS, progress=False)


def test_the_network_is_a_keras_lstm_regressor():
    model = WindowLSTM(GRID[7], STEPS, seed=3).fit(TRAIN)
    regressor = model.regressor
    assert isinstance(regressor, KerasLSTMRegressor)
    params = regressor.get_params()
    assert (params["hidden_size"], params["learning_rate"]) == (16, 0.01)
    assert (params["batch_size"], params["steps"], params["random_state"]) == (16, STEPS, 3)
    assert regressor.n_features_in_ == GRID[7].window == 24
    assert regressor.n_steps_ == STEPS


def test_a_shared_network_fits_exactly_as_a_fresh_regressor():
    """Restarting a shared network reproduces a new regressor's fit, bit for bit."""
    networks = SharedNetworks()
    first = WindowLSTM(QUICK_GRID[0], STEPS, seed=0, networks=networks).fit(TRAIN[:100])
    one_first = first.one_step(VALUES, 24)
    # Same architecture, another transform, data size and seed: the same network trains.
    reused = WindowLSTM(QUICK_GRID[1], STEPS, seed=7, networks=networks).fit(TRAIN)
    assert reused.regressor is first._regressor
    fresh = WindowLSTM(QUICK_GRID[1], STEPS, seed=7).fit(TRAIN)
    np.testing.assert_array_equal(reused.one_step(VALUES, 24), fresh.one_step(VALUES, 24))
    np.testing.assert_array_equal(reused.recursive(TRAIN, 6), fresh.recursive(TRAIN, 6))
    np.testing.assert_array_equal(reused.losses, fresh.losses)
    assert reused.regressor.n_steps_ == STEPS
    # Back to the first fit's seed and data: its numbers again.
    again = WindowLSTM(QUICK_GRID[0], STEPS, seed=0, networks=networks).fit(TRAIN[:100])
    np.testing.assert_array_equal(again.one_step(VALUES, 24), one_first)
    # The first fit's network now holds another fit: using it is an error, not a silent mix.
    with pytest.raises(RuntimeError, match=re.escape("shared network was refitted since")):
        first.one_step(VALUES, 24)


def test_one_batched_prediction_equals_month_by_month_forecasts():
    for candidate in QUICK_GRID:
        model = WindowLSTM(candidate, STEPS, seed=1).fit(TRAIN)
        expected = [model.next_value(VALUES[:t]) for t in range(len(TRAIN), len(VALUES))]
        np.testing.assert_allclose(model.one_step(VALUES, 24), expected, rtol=1e-6)


@pytest.mark.parametrize("kind", tuning.TRANSFORMS)
def test_decode_at_equals_decode_month_by_month(kind):
    transform = TargetTransform(kind).fit(TRAIN)
    z = transform.encode(VALUES)
    months = np.arange(100, len(VALUES))
    codes = z[months - transform.offset] + 0.1
    expected = [transform.decode(c, VALUES[:m]) for c, m in zip(codes, months, strict=True)]
    np.testing.assert_array_equal(transform.decode_at(codes, VALUES, months), expected)


def test_folds_fit_on_earlier_months_only(monkeypatch):
    seen = []
    original = WindowLSTM.fit

    def spy(self, train):
        seen.append(np.array(train))
        return original(self, train)

    monkeypatch.setattr(WindowLSTM, "fit", spy)
    cross_validate(TRAIN, 5, 0, QUICK_GRID[:1], splits=3)
    assert [len(train) for train in seen] == [84, 96, 108]  # 120 months, 3 folds of 12
    for train in seen:
        np.testing.assert_array_equal(train, TRAIN[: len(train)])


@pytest.mark.slow
def test_tuned_forecast_is_deterministic_and_never_reads_the_test_part():
    first = tuned_forecast(TRAIN, VALUES, 24, SETTINGS, seed=0)
    again = tuned_forecast(TRAIN, VALUES, 24, SETTINGS, seed=0)
    np.testing.assert_array_equal(first.one_step, again.one_step)
    np.testing.assert_array_equal(first.multi_step, again.multi_step)
    assert first.note == again.note
    # Test months multiplied by 50: everything fitted and chosen stays the same, and so
    # does the first test month's forecast (its inputs are training months only).
    corrupted = VALUES.copy()
    corrupted[-24:] *= 50
    blind = tuned_forecast(TRAIN, corrupted, 24, SETTINGS, seed=0)
    assert blind.note == first.note
    np.testing.assert_array_equal(blind.multi_step, first.multi_step)
    assert blind.one_step[0] == first.one_step[0]
    # Later one-step forecasts do read the (corrupted) actual months before them.
    assert not np.allclose(blind.one_step[1:], first.one_step[1:])
