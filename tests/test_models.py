"""The legacy model function: TF1 variable names, closed-form predictions, params."""

import re

import numpy as np
import pytest
import tensorflow as tf

from tf_pipeline.models import LEGACY_PARAMS, lstm_model


def _build(params=None, input_shape=(1, 12)):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        tf.compat.v1.train.get_or_create_global_step()
        x = tf.compat.v1.placeholder(tf.float32, [None, *input_shape])
        y = tf.compat.v1.placeholder(tf.float32, [None, 1])
        predictions, loss, train_op = lstm_model(x, y, params=params)
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
    return graph, session, x, y, predictions, loss, train_op


def test_legacy_variables_and_shapes():
    graph, *_ = _build()
    with graph.as_default():
        names = {v.op.name: v.shape.as_list() for v in tf.compat.v1.global_variables()}
    assert names == {
        "global_step": [],
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel": [52, 160],
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias": [160],
        "fully_connected/weights": [40, 1],
        "fully_connected/biases": [1],
        "OptimizeLoss/learning_rate": [],
        # TF1's slot creator opens the slot scope inside optimize_loss's scope.
        "OptimizeLoss/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel/Adagrad": [52, 160],
        "OptimizeLoss/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias/Adagrad": [160],
        "OptimizeLoss/fully_connected/weights/Adagrad": [40, 1],
        "OptimizeLoss/fully_connected/biases/Adagrad": [1],
    }


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def test_predictions_closed_form_and_one_adagrad_step():
    graph, session, x, y, predictions, loss, train_op = _build()
    rng = np.random.RandomState(0)
    xv = rng.rand(5, 1, 12).astype(np.float32)
    yv = rng.rand(5, 1).astype(np.float32)
    with graph.as_default():
        values = {v.op.name: session.run(v) for v in tf.compat.v1.global_variables()}
    kernel = values["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel"]
    bias = values["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias"]
    z = np.concatenate([xv[:, 0, :], np.zeros((5, 40))], axis=1) @ kernel + bias
    i, j, f, o = np.split(z, 4, axis=1)
    h = np.tanh(_sigmoid(i) * np.tanh(j)) * _sigmoid(o)
    expected = (h @ values["fully_connected/weights"] + values["fully_connected/biases"]).ravel()
    got, loss_value = session.run([predictions, loss], {x: xv, y: yv})
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_allclose(loss_value, np.mean((expected - yv.ravel()) ** 2), rtol=1e-5)
    # One step: global step +1 and the head bias moves by Adagrad's rule.
    grad_b = np.mean(2 * (expected - yv.ravel()))
    session.run(train_op, {x: xv, y: yv})
    with graph.as_default():
        step = session.run(tf.compat.v1.train.get_global_step())
        new_bias = session.run(
            tf.compat.v1.get_collection("variables", "fully_connected/biases")[0]
        )
    assert step == 1
    np.testing.assert_allclose(new_bias, -0.6 * grad_b / np.sqrt(0.1 + grad_b**2), atol=1e-5)


def test_params_override_and_steps_layout():
    graph, session, x, y, predictions, *_ = _build(
        {"hidden_size": 8, "num_layers": 2, "optimizer": "SGD", "learning_rate": 0.1},
        input_shape=(12, 1),
    )
    with graph.as_default():
        names = [v.op.name for v in tf.compat.v1.global_variables()]
    assert "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel" in names
    assert not any(name.endswith("/Adagrad") for name in names)
    assert session.run(predictions, {x: np.zeros((3, 12, 1))}).shape == (3,)


def test_predict_mode_without_labels():
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
        predictions, loss, train_op = lstm_model(x, None, mode="infer")
        assert loss is None and train_op is None
        assert predictions.shape.as_list() == [None]


def test_bad_params():
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
        with pytest.raises(ValueError, match=re.escape("got unknown ['hidden']")):
            lstm_model(x, None, params={"hidden": 3})
        with pytest.raises(
            ValueError, match=re.escape("`params['hidden_size']` must be an int >= 1, got 0.")
        ):
            lstm_model(x, None, params={"hidden_size": 0})
        with pytest.raises(
            ValueError, match=re.escape("`params['learning_rate']` must be > 0, got -1")
        ):
            lstm_model(x, None, params={"learning_rate": -1})
    assert LEGACY_PARAMS["hidden_size"] == 40  # the legacy defaults are not mutated
