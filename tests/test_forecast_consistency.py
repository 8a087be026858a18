"""Every comparison row's recursive forecast starts where its one-step forecast does.

The first test month's window holds only actual (training) months in both modes, so a
model that forecasts it differently in the two modes is not the same model twice (the
stateful LSTM's recursive forecast once came from a zero-state stateless twin).
"""

import numpy as np
import pytest

from tf_pipeline.comparison import MODELS, ComparisonSettings, run_comparison
from tf_pipeline.datasets import load_airpassengers

TINY = ComparisonSettings.quick(
    tf1_steps=30, keras_steps=30, stateful_epochs=2, tuned_steps=30, progress=False
)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_first_recursive_month_equals_first_one_step_month(name):
    result = run_comparison(load_airpassengers(), TINY, models=[name])
    (forecast,) = result.forecasts[name]
    assert forecast.multi_step.shape == forecast.one_step.shape == (TINY.test_size,)
    assert forecast.multi_step[0] == pytest.approx(forecast.one_step[0], rel=1e-5)
    # The second month's window already holds a forecast: the modes part ways.
    assert not np.allclose(forecast.multi_step, forecast.one_step)


@pytest.mark.slow
def test_stateful_recursive_forecast_continues_the_lanes():
    """With actual months fed back instead of forecasts, recursive == one step, all 24."""
    from tf_pipeline.comparison import WINDOW, ScaledWindows
    from tf_pipeline.keras_models import build_lstm, compile_regressor
    from tf_pipeline.stateful import (
        LanePredictor,
        fit_stateful,
        get_states,
        predict_stateful,
        set_states,
    )

    data = ScaledWindows(load_airpassengers().to_numpy(), 24)
    model = compile_regressor(
        build_lstm((1, WINDOW), hidden_size=8, stateful=True, batch_size=12, seed=0)
    )
    fit_stateful(model, data.X_train, data.y_train, epochs=1, batch_size=12)
    trained = get_states(model)
    one = predict_stateful(model, data.X_test, 12)
    after_one_step = get_states(model)
    set_states(model, trained)
    step = LanePredictor(model, 12)
    teacher_forced = np.concatenate([step(window[None]) for window in data.X_test]).ravel()
    np.testing.assert_allclose(teacher_forced, one, rtol=1e-5, atol=1e-7)
    for carried, expected in zip(get_states(model), after_one_step, strict=True):
        np.testing.assert_allclose(carried, expected, rtol=1e-5, atol=1e-7)
