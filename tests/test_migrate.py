"""Porting TF1 checkpoints to Keras 3 and back, and the parity checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
import tensorflow as tf
from graph_harness import legacy_rnn_module

from estimators import Estimator, RunConfig, SKCompat
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.keras_models import build_lstm
from tf_pipeline.migrate import (
    export_tf1_checkpoint,
    parity_report,
    port_checkpoint,
    read_layout,
    training_parity,
)
from tf_pipeline.migrate.gates import keras_to_tf1, tf1_to_keras
from tf_pipeline.models import lstm_model
from tf_pipeline.scaling import fit_series_scaler, transform_series
from tf_pipeline.windows import make_windows


@pytest.fixture(scope="module")
def airpassengers_windows():
    series = load_airpassengers().to_numpy()
    scaler = fit_series_scaler(series[:-24])
    X, y = make_windows(transform_series(scaler, series), window=12)  # (132, 1, 12)
    return np.asarray(X), np.asarray(y)


@pytest.fixture(scope="module")
def trained_model_dir(tmp_path_factory, airpassengers_windows):
    X, y = airpassengers_windows
    model_dir = str(tmp_path_factory.mktemp("tf1") / "model")
    regressor = SKCompat(
        Estimator(lstm_model, model_dir=model_dir, config=RunConfig(tf_random_seed=0))
    )
    regressor.fit(X[:-24], y[:-24].reshape(-1, 1), batch_size=32, steps=300)
    return model_dir, regressor.predict(X)


def test_gate_conversion_round_trip_and_order():
    rng = np.random.RandomState(0)
    kernel, bias = rng.randn(5 + 3, 12), rng.randn(12)
    w, u, b = tf1_to_keras(kernel, bias, input_depth=5, forget_bias=1.0)
    assert w.shape == (5, 12) and u.shape == (3, 12)
    # Keras [i, f, c, o] <- TF1 [i, j, f, o]; forget bias folded into f.
    np.testing.assert_array_equal(w[:, 3:6], kernel[:5, 6:9])  # f
    np.testing.assert_array_equal(u[:, 6:9], kernel[5:, 3:6])  # c <- j
    np.testing.assert_allclose(b[3:6], bias[6:9] + 1.0)
    back_kernel, back_bias = keras_to_tf1(w, u, b, forget_bias=1.0)
    np.testing.assert_allclose(back_kernel, kernel)
    np.testing.assert_allclose(back_bias, bias)


def test_ported_airpassengers_model_reproduces_tf1_predictions(
    trained_model_dir, airpassengers_windows
):
    model_dir, tf1_predictions = trained_model_dir
    X, _ = airpassengers_windows
    model = port_checkpoint(model_dir, timesteps=1)
    assert [layer.name for layer in model.layers[1:]] == ["lstm_0", "dense"]
    keras_predictions = model.predict(X, verbose=0).ravel()
    np.testing.assert_allclose(keras_predictions, tf1_predictions, atol=1e-5, rtol=0)
    report = parity_report(model_dir, model, X)
    assert report.passed, report.summary()
    assert report.predictions_max_abs <= 1e-5 and report.states_max_abs <= 1e-5
    assert report.n_samples == 132


def test_parity_report_detects_a_changed_model(trained_model_dir, airpassengers_windows):
    model_dir, _ = trained_model_dir
    X, _ = airpassengers_windows
    model = port_checkpoint(model_dir, timesteps=1)
    kernel, recurrent, bias = model.get_layer("lstm_0").get_weights()
    # A hand port that left TF1's [i, j, f, o] order: the input and candidate gates
    # swapped. (A dropped forget_bias would go unnoticed here: with one time step from
    # a zero state the forget gate multiplies zero.)
    i, f, c, o = np.split(kernel, 4, axis=1)
    kernel = np.concatenate([c, f, i, o], axis=1)
    model.get_layer("lstm_0").set_weights([kernel, recurrent, bias])
    report = parity_report(model_dir, model, X)
    assert not report.passed
    assert report.predictions_max_abs > 1e-3
    assert report.summary().startswith("FAIL")


def test_layout_read_from_shapes(trained_model_dir):
    layout = read_layout(trained_model_dir[0])
    assert (layout.num_layers, layout.units, layout.input_depth) == (1, 40, 12)
    assert layout.head_weights == "fully_connected/weights"


def _oracle_checkpoint(path, *, layers, units, depth, legacy_names, seed=3):
    """A checkpoint written by TensorFlow's own TF1 cells (optionally with pre-1.2 names)."""
    legacy = legacy_rnn_module()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        x = tf.compat.v1.placeholder(tf.float32, [None, 4, depth])
        cell = legacy.MultiRNNCell([legacy.BasicLSTMCell(units) for _ in range(layers)])
        output, _ = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        with tf.compat.v1.variable_scope("fully_connected"):
            w = tf.compat.v1.get_variable("weights", [units, 1])
            b = tf.compat.v1.get_variable("biases", [1], initializer=tf.constant_initializer(0.3))
        prediction = tf.reshape(tf.matmul(output[:, -1, :], w) + b, [-1])
        names = {}
        for variable in tf.compat.v1.global_variables():
            name = variable.op.name
            if legacy_names and name.startswith("rnn/"):  # TF 1.0-1.1 cell names
                name = re.sub(r"/kernel$", "/weights", re.sub(r"/bias$", "/biases", name))
            names[name] = variable
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            xs = np.random.RandomState(1).rand(7, 4, depth).astype(np.float32)
            expected = session.run(prediction, {x: xs})
            tf.compat.v1.train.Saver(var_list=names).save(session, str(path))
    return xs, expected, sorted(names)


@pytest.mark.parametrize("legacy_names", [False, True], ids=["kernel_bias", "pre_1_2_weights"])
@pytest.mark.parametrize(("layers", "units", "depth"), [(1, 6, 3), (3, 5, 1)])
def test_port_checkpoint_written_by_tf1_code(tmp_path, legacy_names, layers, units, depth):
    xs, expected, names = _oracle_checkpoint(
        tmp_path / "ckpt", layers=layers, units=units, depth=depth, legacy_names=legacy_names
    )
    if legacy_names:
        assert "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/weights" in names
    model = port_checkpoint(tmp_path / "ckpt")
    assert len([layer for layer in model.layers if "lstm" in layer.name]) == layers
    np.testing.assert_allclose(model.predict(xs, verbose=0).ravel(), expected, atol=1e-5)


def test_export_to_tf1_and_continue_with_the_legacy_estimator(tmp_path, airpassengers_windows):
    X, y = airpassengers_windows
    model = build_lstm((1, 12), hidden_size=40, num_layers=1, seed=5)
    model_dir = tmp_path / "exported"
    prefix = export_tf1_checkpoint(model, model_dir, global_step=7)
    assert prefix.endswith("model.ckpt-7")
    names = dict(tf.train.list_variables(str(model_dir)))
    assert names["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel"] == [52, 160]
    assert "OptimizeLoss/fully_connected/weights/Adagrad" in names
    regressor = SKCompat(Estimator(lstm_model, model_dir=str(model_dir)))
    np.testing.assert_allclose(
        regressor.predict(X), model.predict(X, verbose=0).ravel(), atol=1e-5, rtol=0
    )
    regressor.fit(X, y.reshape(-1, 1), batch_size=32, steps=3)  # slots and lr restore
    assert tf.train.load_variable(str(model_dir), "global_step") == 10
    round_trip = port_checkpoint(export_tf1_checkpoint(model, tmp_path / "p.ckpt"), timesteps=1)
    np.testing.assert_allclose(
        round_trip.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6
    )


def test_training_parity_200_steps(airpassengers_windows):
    X, y = airpassengers_windows
    result = training_parity(X[:-24], y[:-24], steps=200, batch_size=32)
    assert result.passed, result.summary()
    assert result.first_losses_max_abs <= 1e-5
    assert result.final_relative_difference <= 5e-2
    assert len(result.tf1_losses) == len(result.keras_losses) == 200
    assert result.tf1_losses[-1] < 0.5 * result.tf1_losses[0]  # both really trained


def test_port_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="is a directory without a TF1 checkpoint"):
        port_checkpoint(tmp_path)
    with pytest.raises(FileNotFoundError, match="must be a model_dir or a checkpoint prefix"):
        port_checkpoint(tmp_path / "nothing")
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.get_variable("something/else", [2])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(session, str(tmp_path / "other"))
    with pytest.raises(ValueError, match="holds no TF1 LSTM cell variables"):
        port_checkpoint(tmp_path / "other")
    with pytest.raises(ValueError, match=re.escape("`X` must have shape (n, timesteps, depth)")):
        parity_report(tmp_path / "other", build_lstm((1, 3), hidden_size=2), np.zeros((2, 3)))
