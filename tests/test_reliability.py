"""Reliability (issue 16): readers beside a trainer, foreign checkpoints, non-finite training,
ports that drop variables, run.py keeping finished work, and clear errors for bad inputs.

Every test here failed on the code before the fix it covers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import tensorflow as tf

import run
from estimators import (
    CheckpointError,
    Estimator,
    KerasLSTMRegressor,
    NanLossError,
    RunConfig,
    SKCompat,
    SlidingWindowTransformer,
    TF1LSTMRegressor,
)
from estimators.model_dir import SIGNATURE_NAME
from tf_pipeline.datasets import load_monthly_csv
from tf_pipeline.models import lstm_model
from tf_pipeline.windows import make_windows

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"}


def data(n=24, window=6, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1, window).astype(np.float32)
    return x, x.mean(axis=2)


def make(model_dir, hidden_size=3, num_layers=1, **config):
    config.setdefault("tf_random_seed", 0)
    params = {"hidden_size": hidden_size, "num_layers": num_layers}
    config = RunConfig(**config)
    return Estimator(lstm_model, model_dir=str(model_dir), params=params, config=config)


def files_of(model_dir):
    names = sorted(set(os.listdir(model_dir)) - {".fit.lock"})  # the lock records a pid
    return {name: os.path.getmtime(os.path.join(model_dir, name)) for name in names}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model_dir trained 3 steps, a checkpoint each step, one kept: ckpt-1 was rotated away."""
    model_dir = tmp_path_factory.mktemp("trained")
    x, y = data()
    make(model_dir, keep_checkpoint_max=1, save_checkpoints_steps=1).fit(
        x=x, y=y, batch_size=8, steps=3
    )
    stale = str(model_dir / "model.ckpt-1")
    assert not os.path.exists(stale + ".index")
    return model_dir, stale


@pytest.fixture
def trained_copy(trained, tmp_path):
    shutil.copytree(trained[0], tmp_path / "model")
    return tmp_path / "model"


# -- 1. readers beside a trainer -------------------------------------------------------------


def test_predict_retries_when_the_latest_checkpoint_vanished_before_restore(trained, monkeypatch):
    model_dir, stale = trained
    est = make(model_dir)
    x, y = data()
    # The race: "find latest" returned a checkpoint a trainer deleted before "restore".
    monkeypatch.setattr(Estimator, "_require_checkpoint", lambda self: stale)
    assert SKCompat(est).predict(x).shape == (24,)
    assert est.evaluate(x=x, y=y)["global_step"] == 3


def test_a_named_checkpoint_that_is_gone_is_not_called_corrupt(trained):
    model_dir, stale = trained
    x, y = data()
    with pytest.raises(CheckpointError, match="does not exist, or no longer") as error:
        make(model_dir).evaluate(x=x, y=y, checkpoint_path=stale)
    assert "corrupt" not in str(error.value)


def test_port_checkpoint_retries_when_the_latest_checkpoint_vanished(trained, monkeypatch):
    from tf_pipeline.migrate import port_checkpoint

    model_dir, stale = trained
    real = tf.train.latest_checkpoint
    calls = []

    def racing(directory, *args):
        calls.append(directory)
        return stale if len(calls) == 1 else real(directory, *args)

    monkeypatch.setattr(tf.train, "latest_checkpoint", racing)
    model = port_checkpoint(model_dir, timesteps=1)
    assert model.get_layer("lstm_0").units == 3
    assert len(calls) >= 2


TRAINER = """
import sys
import numpy as np
from estimators import Estimator, RunConfig
from tf_pipeline.models import lstm_model

x = np.random.RandomState(0).rand(24, 1, 6).astype(np.float32)
y = x.mean(axis=2)
config = RunConfig(tf_random_seed=0, save_checkpoints_steps=1, log_step_count_steps=10_000)
Estimator(lstm_model, model_dir=sys.argv[1], params={"hidden_size": 3}, config=config).fit(
    x=x, y=y, batch_size=8, steps=10_000_000
)
"""


@pytest.mark.slow
def test_predict_30_times_while_another_process_trains_and_rotates(tmp_path):
    """A checkpoint every step, keep_checkpoint_max=5 (default): no prediction may fail."""
    model_dir = tmp_path / "model"
    trainer = subprocess.Popen([sys.executable, "-c", TRAINER, str(model_dir)], env=ENV)
    try:
        deadline = time.monotonic() + 120
        while tf.train.latest_checkpoint(str(model_dir)) is None:
            assert trainer.poll() is None, "the training process ended early"
            assert time.monotonic() < deadline, "no checkpoint in time"
            time.sleep(0.1)
        x, y = data()
        reader = make(model_dir)
        first = int(reader.evaluate(x=x, y=y)["global_step"])
        for i in range(30):
            assert trainer.poll() is None
            assert np.isfinite(SKCompat(reader).predict(x)).all()
            if i % 10 == 9:
                assert np.isfinite(reader.evaluate(x=x, y=y)["loss"])
            assert time.monotonic() < deadline + 120
        last = int(reader.evaluate(x=x, y=y)["global_step"])
        # Keeping 5, the checkpoints read at first were rotated away many times over.
        assert last - first >= 20, f"the trainer did not rotate checkpoints: {first} -> {last}"
    finally:
        trainer.kill()
        trainer.wait(timeout=30)


# -- 2. model/checkpoint identity -----------------------------------------------------------


@pytest.mark.slow
def test_a_bigger_models_checkpoint_is_refused_and_kept(tmp_path):
    x, y = data()
    make(tmp_path, num_layers=2).fit(x=x, y=y, batch_size=8, steps=2)
    before = files_of(tmp_path)
    one_layer = make(tmp_path, num_layers=1)
    pattern = "holds variables this model does not have"
    with pytest.raises(CheckpointError, match=pattern) as error:
        SKCompat(one_layer).predict(x)
    assert "cell_1" in str(error.value)
    with pytest.raises(CheckpointError, match=pattern):
        one_layer.evaluate(x=x, y=y)
    with pytest.raises(CheckpointError, match=pattern):
        one_layer.fit(x=x, y=y, batch_size=8, steps=3)
    assert files_of(tmp_path) == before  # nothing written, nothing rotated away


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["Adam", "RMSProp"])
def test_optimizer_state_in_the_checkpoint_does_not_block_prediction(tmp_path, optimizer):
    """Slots (``<var>/Adam_1``, ``OptimizeLoss/<var>/RMSProp``) and beta powers are ignored."""
    x, y = data()
    params = {"hidden_size": 3, "optimizer": optimizer, "learning_rate": 0.01}
    est = Estimator(lstm_model, model_dir=str(tmp_path), params=params)
    est.fit(x=x, y=y, batch_size=8, steps=2)
    assert SKCompat(est).predict(x).shape == (24,)
    assert "loss" in est.evaluate(x=x, y=y)
    est.fit(x=x, y=y, batch_size=8, steps=1)  # and resuming keeps working


# -- 1-3 for tf.estimator (same engine) ---------------------------------------------------


def _tf_model_fn(features, labels, mode, params):
    """A tf.estimator model_fn: one dense layer (two with ``extra``), inf loss from ``inf_at``."""
    import tf_pipeline.tf1 as tf1

    out = tf1.layers.dense(features["x"], 1, name="out")
    if params.get("extra"):
        out += tf1.layers.dense(out, 1, name="extra")
    if mode == tf1.estimator.ModeKeys.PREDICT:
        return tf1.estimator.EstimatorSpec(mode, predictions={"y": out})
    loss = tf1.losses.mean_squared_error(labels, out)
    step = tf1.train.get_global_step()
    if "inf_at" in params:
        loss *= tf1.where(step >= params["inf_at"], np.float32("inf"), np.float32(1))
    train_op = tf1.train.AdamOptimizer(0.01).minimize(loss, step)
    return tf1.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def _tf_input(labels=True):
    import tf_pipeline.tf1 as tf1

    x, y = data()
    return tf1.estimator.inputs.numpy_input_fn(
        {"x": x[:, 0]}, y if labels else None, batch_size=8, num_epochs=1, shuffle=False
    )


def _tf_estimator(model_dir, **params):
    import tf_pipeline.tf1 as tf1

    config = tf1.estimator.RunConfig(
        tf_random_seed=0, save_checkpoints_steps=1, keep_checkpoint_max=1
    )
    return tf1.estimator.Estimator(_tf_model_fn, str(model_dir), config, params=params)


@pytest.fixture(scope="module")
def tf_trained(tmp_path_factory):
    """A tf.estimator model_dir trained 3 steps, one checkpoint kept: ckpt-1 rotated away."""
    model_dir = tmp_path_factory.mktemp("tf_trained")
    _tf_estimator(model_dir).train(_tf_input(), steps=3)
    stale = str(model_dir / "model.ckpt-1")
    assert not os.path.exists(stale + ".index")
    return model_dir, stale


def test_tf_estimator_readers_retry_a_rotated_checkpoint(tf_trained, monkeypatch):
    import tf_pipeline.tf1 as tf1

    model_dir, stale = tf_trained
    est = _tf_estimator(model_dir)
    # The race: "find latest" returned a checkpoint a trainer deleted before "restore".
    monkeypatch.setattr(tf1.estimator.Estimator, "latest_checkpoint", lambda self: stale)
    assert len(list(est.predict(_tf_input(labels=False)))) == 24
    assert est.evaluate(_tf_input())["global_step"] == 3
    with pytest.raises(CheckpointError, match="does not exist, or no longer"):
        next(est.predict(_tf_input(labels=False), checkpoint_path=stale))
    with pytest.raises(CheckpointError, match="does not exist, or no longer"):
        est.evaluate(_tf_input(), checkpoint_path=stale)


def test_tf_estimator_refuses_a_bigger_models_checkpoint_and_keeps_it(tmp_path):
    _tf_estimator(tmp_path, extra=True).train(_tf_input(), steps=2)
    before = files_of(tmp_path)
    small = _tf_estimator(tmp_path)
    pattern = "holds variables this model does not have"
    with pytest.raises(CheckpointError, match=pattern) as error:
        next(small.predict(_tf_input(labels=False)))
    assert "extra/kernel" in str(error.value)
    with pytest.raises(CheckpointError, match=pattern):
        small.evaluate(_tf_input())
    with pytest.raises(CheckpointError, match=pattern):
        small.train(_tf_input(), steps=3)
    assert files_of(tmp_path) == before  # nothing written, nothing rotated away
    # Adam's slots and beta powers beside the variables do not block the right model.
    assert len(list(_tf_estimator(tmp_path, extra=True).predict(_tf_input(False)))) == 24


def test_inf_loss_stops_the_tf_estimator_before_a_bad_checkpoint(tmp_path):
    est = _tf_estimator(tmp_path, inf_at=2)
    with pytest.raises(NanLossError, match="inf loss during training at step 2;"):
        est.train(_tf_input(), steps=10)
    assert est.latest_checkpoint().endswith("model.ckpt-2")
    assert np.isfinite(est.get_variable_value("out/kernel")).all()


# -- 3. non-finite training -----------------------------------------------------------------


@pytest.mark.parametrize("train_loop", ["session", "graph"])
def test_inf_loss_stops_the_tf1_estimator(tmp_path, train_loop):
    x, y = data()
    est = make(tmp_path, train_loop=train_loop)
    with pytest.raises(NanLossError, match="inf loss during training at step 0"):
        est.fit(x=x, y=y * np.float32(1e20), batch_size=8, steps=3)


@pytest.mark.slow
def test_keras_regressor_refuses_a_non_finite_fit_and_keeps_the_previous_one():
    x, y = data()
    model = KerasLSTMRegressor(hidden_size=2, steps=3, random_state=0).fit(x[:, 0], y[:, 0])
    before = model.predict(x[:, 0])
    model.set_params(warm_start=True, steps=5)
    with pytest.raises(NanLossError, match=r"inf loss during training at step 3\b"):
        model.fit(x[:, 0], y[:, 0] * 1e20)
    np.testing.assert_array_equal(model.predict(x[:, 0]), before)
    fresh = KerasLSTMRegressor(hidden_size=2, steps=3, random_state=0)
    with pytest.raises(NanLossError, match="Nothing of this fit was kept"):
        fresh.fit(x[:, 0], y[:, 0] * 1e20)
    assert not hasattr(fresh, "model_")


def test_train_steps_stops_on_a_non_finite_loss():
    from tf_pipeline.keras_models import build_lstm, compile_regressor
    from tf_pipeline.keras_training import train_steps

    x, y = data()
    model = compile_regressor(build_lstm((1, 6), hidden_size=2, seed=0), "adam", 0.1)
    with pytest.raises(NanLossError, match="inf loss during training at step 0"):
        train_steps(model, x, y[:, 0] * 1e20, steps=3, batch_size=8, jit_compile=False)


@pytest.mark.parametrize("regressor", [KerasLSTMRegressor, TF1LSTMRegressor])
@pytest.mark.parametrize("argument", ["X", "y"])
def test_inputs_beyond_float32_range_are_refused(regressor, argument):
    x, y = data()
    X, target = x[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
    (X if argument == "X" else target)[3] = 1e40
    with pytest.raises(
        ValueError, match=re.escape(f"`{argument}` must hold values within float32")
    ):
        regressor(hidden_size=2, steps=1).fit(X, target)


# -- 4. ports -------------------------------------------------------------------------------


def _lstm_gru_checkpoint(directory):
    """A real TF1 program's checkpoint: MultiRNNCell([BasicLSTMCell, GRUCell]) + head."""
    import tf_pipeline.tf1 as tf1

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        inputs = tf.compat.v1.placeholder(tf.float32, [None, 1, 6])
        cell = tf1.nn.rnn_cell.MultiRNNCell(
            [tf1.nn.rnn_cell.BasicLSTMCell(4), tf1.nn.rnn_cell.GRUCell(4)]
        )
        output, _ = tf1.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
        tf1.contrib.layers.fully_connected(output[:, -1, :], 1, activation_fn=None)
        tf.compat.v1.train.get_or_create_global_step()
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver = tf.compat.v1.train.Saver()
            return saver.save(session, os.path.join(directory, "model.ckpt"), global_step=0)


def test_port_refuses_variables_it_does_not_map(tmp_path):
    from tf_pipeline.migrate import port_checkpoint

    _lstm_gru_checkpoint(tmp_path)
    with pytest.raises(ValueError, match="must hold only an LSTM stack and its head") as error:
        port_checkpoint(tmp_path, timesteps=1)
    assert "gru_cell" in str(error.value)
    assert "global_step" not in str(error.value)


def test_parity_report_fails_when_the_port_does_not_cover_the_checkpoint(tmp_path):
    from tf_pipeline.keras_models import build_lstm
    from tf_pipeline.migrate import parity_report, read_layout
    from tf_pipeline.migrate.port import keras_weights

    prefix = _lstm_gru_checkpoint(tmp_path)
    x, _ = data()
    # The wrong port the issue found: the LSTM layer and the head, without the GRU.
    reader = tf.train.load_checkpoint(prefix)
    values = {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(prefix)}
    partial = build_lstm((1, 6), hidden_size=4, seed=0)
    for name, weights in keras_weights(read_layout(prefix), values).items():
        partial.get_layer(name).set_weights(weights)
    report = parity_report(tmp_path, partial, x)
    assert not report.passed
    assert any("gru_cell" in name for name in report.unmapped)
    assert report.summary().startswith("FAIL")
    assert "unmapped checkpoint variables" in report.summary()


def test_parity_report_fails_for_a_port_with_fewer_layers(tmp_path):
    from tf_pipeline.keras_models import build_lstm
    from tf_pipeline.migrate import export_tf1_checkpoint, parity_report

    two = build_lstm((1, 6), hidden_size=3, num_layers=2, seed=0)
    export_tf1_checkpoint(two, tmp_path)
    x, _ = data()
    report = parity_report(tmp_path, build_lstm((1, 6), hidden_size=3, seed=0), x)
    assert not report.passed
    assert any("cell_1" in name for name in report.unmapped)
    assert np.isnan(report.predictions_max_abs)  # nothing to compare
    assert parity_report(tmp_path, two, x).passed


# -- 5. run.py: validate first, keep finished work --------------------------------------------


@pytest.fixture
def no_training(monkeypatch):
    """Record any call of run_comparison: validation must refuse before training starts."""
    import tf_pipeline.comparison as comparison

    calls = []
    monkeypatch.setattr(comparison, "run_comparison", lambda *a, **k: calls.append(a))
    return calls


def _series_csv(path, n):
    values = 100 + 10 * np.sin(np.arange(n) / 2) + np.arange(n)
    months = pd.date_range("2000-01-01", periods=n, freq="MS").strftime("%Y-%m")
    pd.DataFrame({"month": months, "sales": values}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("n", "quick", "need"), [(98, False, 99), (74, True, 75)])
def test_run_refuses_a_series_too_short_for_the_tuned_model(
    tmp_path, capsys, no_training, n, quick, need
):
    path = _series_csv(tmp_path / "s.csv", n)
    args = ["--csv", str(path), "--column", "sales", "--out", str(tmp_path / "out")]
    assert run.main(args + (["--quick"] if quick else [])) == 2
    err = capsys.readouterr().err
    assert f"= {need} values for the 'tuned' model, got {n}" in err
    assert no_training == []


def test_tuned_minimum_length_is_what_cross_validation_needs():
    """The bound run.py checks is exactly where tuning's first CV fold stops fitting."""
    from tf_pipeline.comparison import ComparisonSettings
    from tf_pipeline.tuning import QUICK_GRID, WindowLSTM

    settings = ComparisonSettings.quick(test_size=24)
    need = run._min_points("tuned", settings)
    train = 100 + np.arange(need - 24, dtype=np.float64)
    first_fold = len(train) - 2 * 12
    hardest = max(QUICK_GRID, key=lambda c: c.window + (13 if "double" in c.transform else 0))
    WindowLSTM(hardest, steps=1, seed=0).fit(train[:first_fold])
    with pytest.raises(ValueError, match="too short"):
        WindowLSTM(hardest, steps=1, seed=0).fit(train[: first_fold - 1])


def test_run_refuses_an_unwritable_out_before_training(tmp_path, capsys, no_training):
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = ["--quick", "--models", "seasonal_naive"]
    assert run.main(args + ["--out", str(blocker)]) == 2
    assert "`--out` must be a folder" in capsys.readouterr().err
    assert run.main(args + ["--out", str(blocker / "sub")]) == 2
    assert "`--out` must be a writable folder" in capsys.readouterr().err
    assert no_training == []


def test_run_writes_the_finished_rows_when_a_later_model_fails(tmp_path, capsys, monkeypatch):
    import tf_pipeline.comparison as comparison

    def broken(data, settings, seed):
        raise RuntimeError("out of memory")

    monkeypatch.setitem(
        comparison.MODELS, "sarima", comparison.MODELS["sarima"]._replace(run=broken)
    )
    args = ["--quick", "--models", "seasonal_naive", "sarima", "--out", str(tmp_path)]
    assert run.main(args) == 1
    err = capsys.readouterr().err
    assert "model 'sarima' failed (RuntimeError: out of memory)" in err
    assert "(seasonal_naive)" in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert [row["name"] for row in report["rows"]] == ["seasonal_naive"]


# -- 6. a refused fit leaves the input signature alone ----------------------------------------


def test_failed_fit_with_another_window_keeps_the_input_signature(trained_copy):
    est = make(trained_copy)
    signature = (trained_copy / SIGNATURE_NAME).read_text()
    x7, y7 = data(window=7)
    with pytest.raises(CheckpointError, match="shape"):
        est.fit(x=x7, y=y7, batch_size=8, steps=1)
    assert (trained_copy / SIGNATURE_NAME).read_text() == signature
    assert SKCompat(est).predict(data()[0]).shape == (24,)


# -- 7. clear errors instead of deep tracebacks ----------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00\x81 not text"])
def test_damaged_checkpoint_state_file_is_a_checkpoint_error(trained_copy, content):
    x, y = data()
    (trained_copy / "checkpoint").write_bytes(content)
    with pytest.raises(CheckpointError, match="`checkpoint` state file"):
        SKCompat(make(trained_copy)).predict(x)
    with pytest.raises(CheckpointError, match="`checkpoint` state file"):
        make(trained_copy).fit(x=x, y=y, batch_size=8, steps=1)


def test_model_dir_that_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    x, y = data()
    message = re.escape(
        f"`model_dir` must be a directory (or a path to create one), got {str(path)!r}"
    )
    with pytest.raises(ValueError, match=message):
        make(path).fit(x=x, y=y, steps=1)
    with pytest.raises(ValueError, match=message):
        SKCompat(make(path)).predict(x)
    with pytest.raises(ValueError, match=message):
        TF1LSTMRegressor(hidden_size=2, steps=1, model_dir=path).fit(x[:, 0], y[:, 0])


def _csv(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_a_directory_as_csv(tmp_path, capsys):
    with pytest.raises(ValueError, match="`path` must be a CSV file, got .* which is a directory"):
        load_monthly_csv(tmp_path, "v")
    assert run.main(["--csv", str(tmp_path), "--column", "v"]) == 2
    assert "which is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("fill", [None, "interpolate"])
@pytest.mark.parametrize("cell", ['"1,234"', "n/a", "inf"])
def test_non_numeric_cells_are_named_with_their_lines(tmp_path, fill, cell):
    path = _csv(tmp_path, f"v\n1\n2\n{cell}\n4\n")
    expected = cell.strip('"')
    with pytest.raises(ValueError, match=re.escape(f"got [{expected!r}] at line 4")):
        load_monthly_csv(path, "v", fill=fill)


def test_empty_cells_are_still_missing_values(tmp_path):
    path = _csv(tmp_path, "v,w\n1,a\n,b\n3,c\n")
    with pytest.raises(ValueError, match="has 1 missing values"):
        load_monthly_csv(path, "v")
    assert load_monthly_csv(path, "v", fill="interpolate").tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["2000-01-01", "2000-01-02", "2000-01-03"], "several rows in 2000-01 (lines 2, 3, 4)"),
        (["2000-01-01", "2000-01-15", "2000-02-01"], "several rows in 2000-01 (lines 2, 3)"),
        (["2000-01-01", "2000-04-01", "2000-07-01"], "must hold monthly dates, got dates 3"),
        (["2000-01-01", "someday", "2000-03-01"], "must hold dates, got ['someday'] at line 3"),
    ],
)
def test_dates_must_be_monthly(tmp_path, dates, message):
    rows = "".join(f"{d},{i}\n" for i, d in enumerate(dates))
    path = _csv(tmp_path, "month,v\n" + rows)
    with pytest.raises(ValueError, match=re.escape(message)):
        load_monthly_csv(path, "v", date_column="month", fill="interpolate")


def test_mid_month_dates_are_monthly(tmp_path):
    path = _csv(tmp_path, "month,v\n2000-01-15,1\n2000-02-15,2\n2000-04-15,4\n")
    series = load_monthly_csv(path, "v", date_column="month", fill="interpolate")
    assert series.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert str(series.index[0].date()) == "2000-01-01"


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(pd.date_range("2000-01-01", periods=20, freq="D")),
        np.arange(20).astype("datetime64[D]"),
        np.arange(20) + 1j,
        np.array(["1", "2"] * 10),
    ],
    ids=["pandas-datetimes", "datetime64", "complex", "text"],
)
def test_make_windows_refuses_what_numpy_would_convert_silently(series):
    with pytest.raises(ValueError, match=re.escape("`series` must be numeric (real numbers)")):
        make_windows(series, window=3)


def test_make_windows_refuses_values_beyond_float32():
    with pytest.raises(ValueError, match="`series` must hold values within float32's range"):
        make_windows(np.full(20, 1e40), window=3)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (sp.csr_matrix(np.arange(20.0).reshape(-1, 1)), TypeError, "got a sparse csr_matrix"),
        ([[1.0], [2.0, 3.0], [4.0]] * 5, ValueError, "got a ragged nested sequence"),
        (np.zeros((10, 1, 1)), ValueError, "got shape (10, 1, 1)"),
    ],
    ids=["sparse", "ragged", "3-D"],
)
def test_sliding_window_transformer_refuses_non_series(X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        SlidingWindowTransformer(window=3).fit_transform(X)


@pytest.mark.parametrize("name", ["input_keep_prob", "output_keep_prob", "state_keep_prob"])
def test_dropout_wrapper_keep_prob_zero_names_the_argument(name):
    from tf_pipeline.compat.rnn import BasicLSTMCell, DropoutWrapper

    with pytest.raises(ValueError, match=re.escape(f"`{name}` must be in (0, 1], got 0")):
        DropoutWrapper(BasicLSTMCell(2), **{name: 0})


def test_nan_error_of_a_temporary_model_dir_names_no_deleted_checkpoint():
    x, y = data()
    with pytest.raises(NanLossError) as error:
        TF1LSTMRegressor(hidden_size=2, steps=5, learning_rate=1e30, batch_size=4).fit(
            x[:, 0], y[:, 0] * 1e10
        )
    assert "Nothing of this fit was kept" in str(error.value)
    assert "ckpt" not in str(error.value)


# -- more argument checks found by probing ------------------------------------------------------


def test_port_checkpoint_argument_errors(trained_copy):
    from tf_pipeline.migrate import port_checkpoint

    with pytest.raises(ValueError, match=re.escape("`timesteps` must be an int >= 1, got 0.")):
        port_checkpoint(trained_copy, timesteps=0)
    (trained_copy / "checkpoint").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="has a damaged `checkpoint` state file"):
        port_checkpoint(trained_copy)


def test_migration_argument_errors(tmp_path):
    from tf_pipeline.keras_models import build_lstm
    from tf_pipeline.migrate import export_tf1_checkpoint, port_checkpoint, training_parity

    x, y = data()
    with pytest.raises(
        TypeError, match=re.escape("`path` must be a str or os.PathLike, got None")
    ):
        port_checkpoint(None)
    for argument in ("steps", "batch_size", "hidden_size"):
        with pytest.raises(
            ValueError, match=re.escape(f"`{argument}` must be an int >= 1, got 0")
        ):
            training_parity(x, y[:, 0], **{"steps": 2, argument: 0})
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="`path` must be a model_dir or a checkpoint prefix"):
        export_tf1_checkpoint(build_lstm((1, 6), hidden_size=2, seed=0), blocker)


def test_run_test_size_is_checked_first(capsys, no_training):
    assert run.main(["--test-size", "0", "--models", "seasonal_naive"]) == 2
    assert "`--test-size` must be an int >= 1, got 0." in capsys.readouterr().err
    assert no_training == []


def test_port_of_a_truncated_checkpoint_is_a_checkpoint_error(trained_copy):
    from tf_pipeline.migrate import port_checkpoint

    prefix = tf.train.latest_checkpoint(str(trained_copy))
    with open(prefix + ".data-00000-of-00001", "r+b") as handle:
        handle.truncate(10)
    with pytest.raises(CheckpointError, match=re.escape(f"{prefix!r} could not be read")):
        port_checkpoint(trained_copy)
