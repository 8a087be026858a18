"""The comparison's rows are the regressors users call; report.json keeps its schema.

The old wiring of each neural row (Estimator + SKCompat for the TF1 legacy row;
``build_lstm`` + ``fit_stateful`` + ``predict_stateful``/``LanePredictor`` for the
stateful row) stays here as the reference the regressors must reproduce.
"""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest

import run
from tf_pipeline.comparison import (
    MODELS,
    WINDOW,
    ComparisonSettings,
    ScaledWindows,
    run_comparison,
)
from tf_pipeline.datasets import load_airpassengers

STEPS = 40


@pytest.fixture(scope="module")
def data():
    return ScaledWindows(load_airpassengers().to_numpy(), 24)


# -- tf1_legacy: TF1LSTMRegressor is the old Estimator + SKCompat wiring -------------------


def _old_tf1_wiring(data, config, tmp_path):
    """The tf1_legacy row before the regressors: Estimator(lstm_model) under SKCompat."""
    from tf_pipeline.estimators import Estimator, SKCompat
    from tf_pipeline.models import lstm_model

    params = {"hidden_size": 40, "learning_rate": 0.6}
    estimator = Estimator(lstm_model, model_dir=str(tmp_path), config=config, params=params)
    regressor = SKCompat(estimator)
    regressor.fit(data.X_train, data.y_train.reshape(-1, 1), batch_size=32, steps=STEPS)
    return regressor.predict(data.X_test).ravel(), estimator.last_fit_losses


@pytest.mark.slow
def test_tf1_regressor_reproduces_the_old_estimator_wiring(data, tmp_path, monkeypatch):
    from tf_pipeline.estimators import RunConfig, TF1LSTMRegressor, tf1_regressor

    # The old row's loop; the regressor builds RunConfig(tf_random_seed=seed), so give it
    # the same loop settings (its default, "auto", is the XLA loop from 1000 steps).
    loop = {"train_loop": "graph", "steps_per_run": 500}
    monkeypatch.setattr(
        tf1_regressor, "RunConfig", lambda **kwargs: RunConfig(**{**kwargs, **loop})
    )
    expected, old_losses = _old_tf1_wiring(data, RunConfig(tf_random_seed=3, **loop), tmp_path)
    regressor = TF1LSTMRegressor(
        40, learning_rate=0.6, optimizer="adagrad", batch_size=32, steps=STEPS, random_state=3
    ).fit(data.X_train, data.y_train)
    np.testing.assert_allclose(regressor.predict(data.X_test), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(regressor.estimator_.last_fit_losses, old_losses, atol=1e-6)
    assert regressor.n_steps_ == STEPS


# -- keras_stateful: predict_in_order / forecast continue the trained lanes ---------------


@pytest.mark.slow
def test_stateful_regressor_reproduces_the_old_lane_wiring(data):
    from tf_pipeline.estimators import KerasLSTMRegressor
    from tf_pipeline.keras_models import build_lstm, compile_regressor
    from tf_pipeline.stateful import (
        LanePredictor,
        fit_stateful,
        get_states,
        predict_stateful,
        set_states,
    )

    batch, epochs = 12, 2
    model = compile_regressor(
        build_lstm((1, WINDOW), hidden_size=8, stateful=True, batch_size=batch, seed=0),
        "adagrad",
        0.6,
    )
    fit_stateful(model, data.X_train, data.y_train, epochs=epochs, batch_size=batch)
    trained = get_states(model)
    old_one = predict_stateful(model, data.X_test, batch)
    set_states(model, trained)
    step = LanePredictor(model, batch)
    history = data.scaled_train[-WINDOW:].astype(np.float32)
    old_multi = []
    for _ in range(6):
        old_multi.append(float(np.ravel(step(history[-WINDOW:].reshape(1, 1, WINDOW)))[0]))
        history = np.append(history, np.float32(old_multi[-1]))

    regressor = KerasLSTMRegressor(
        8,
        optimizer="adagrad",
        learning_rate=0.6,
        batch_size=batch,
        steps=epochs * (len(data.X_train) // batch),
        stateful=True,
        random_state=0,
    ).fit(data.X_train, data.y_train)
    one = regressor.predict_in_order(data.X_test)
    np.testing.assert_allclose(one, old_one, rtol=1e-5, atol=1e-6)
    multi = regressor.forecast(data.scaled_train, 6)
    np.testing.assert_allclose(multi, old_multi, rtol=1e-5, atol=1e-6)
    assert multi[0] == pytest.approx(one[0], rel=1e-6)
    # Every call starts again from the states training left, so nothing drifts...
    np.testing.assert_array_equal(regressor.predict_in_order(data.X_test), one)
    np.testing.assert_array_equal(regressor.forecast(data.scaled_train, 6), multi)
    # ...and the states survive pickling (a .keras archive does not hold them).
    copy = pickle.loads(pickle.dumps(regressor))
    np.testing.assert_allclose(copy.predict_in_order(data.X_test), one, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(copy.forecast(data.scaled_train, 6), multi, rtol=1e-6, atol=1e-7)
    # predict stays stateless (zero states, any order), as scikit-learn expects.
    assert not np.allclose(regressor.predict(data.X_test), one)


def test_stateless_predict_in_order_is_predict(data):
    from tf_pipeline.estimators import KerasLSTMRegressor

    regressor = KerasLSTMRegressor(4, steps=5, random_state=0).fit(data.X_train, data.y_train)
    assert regressor.states_ is None
    np.testing.assert_array_equal(
        regressor.predict_in_order(data.X_test), regressor.predict(data.X_test)
    )


# -- report.json, colours, --models ---------------------------------------------------------

# report.json is read by others: these keys may be added to, never renamed or dropped.
REPORT_KEYS = {"test_size", "n_values", "settings", "best", "rows", "forecasts"}
ROW_KEYS = {
    "name",
    "label",
    "one_step",
    "multi_step",
    "one_step_std",
    "fit_seconds",
    "steps",
    "steps_per_second",
    "note",
}
SCORE_KEYS = {"rmse", "mae", "mape", "mase"}


@pytest.fixture
def classical():
    settings = ComparisonSettings(progress=False)
    return run_comparison(load_airpassengers(), settings, models=["seasonal_naive"])


def test_report_json_keeps_its_schema(classical, tmp_path):
    from tf_pipeline.report import write_report

    paths = write_report(classical, tmp_path, "schema")
    report = json.loads(paths["json"].read_text())
    assert REPORT_KEYS <= set(report)
    (row,) = report["rows"]
    assert row["name"] == "seasonal_naive" and ROW_KEYS <= set(row)
    for key in ("one_step", "multi_step", "one_step_std"):
        assert SCORE_KEYS <= set(row[key])
    assert row["one_step"]["rmse"] == pytest.approx(49.99, abs=0.005)
    assert set(report["forecasts"]) == {"seasonal_naive"}
    for forecast in report["forecasts"].values():
        assert {"one_step", "multi_step"} <= set(forecast)
        assert len(forecast["one_step"]) == len(forecast["multi_step"]) == 24
    assert {"tf1_steps", "seeds", "test_size"} <= set(report["settings"])


def test_every_row_has_a_colour_and_an_unknown_row_a_fallback(classical, tmp_path):
    from tf_pipeline.report import COLORS, color_of, write_report

    assert set(MODELS) <= set(COLORS)
    assert color_of("a_new_row") == color_of("a_new_row")
    assert color_of("a_new_row") not in COLORS.values()
    # A row the report has never heard of is drawn in its fallback colour.
    unknown = dataclasses.replace(classical.rows[0], name="lstm_hybrid", label="hybrid")
    classical.rows.append(unknown)
    classical.forecasts["lstm_hybrid"] = classical.forecasts["seasonal_naive"]
    paths = write_report(classical, tmp_path, "unknown row")
    assert paths["forecast"].stat().st_size > 0
    assert "| hybrid |" in paths["markdown"].read_text()


def test_models_help_lists_every_row():
    text = " ".join(run.build_parser().format_help().split())
    assert f"a subset of the rows: {' '.join(MODELS)}" in text
    assert "holt_winters" in MODELS
