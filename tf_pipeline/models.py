"""The legacy AirPassengers model function, as a library function.

``lstm_model`` is the ``model_fn`` of the TF1 program this project grew from:
a ``MultiRNNCell`` of ``BasicLSTMCell`` (40 units, 1 layer) under ``dynamic_rnn``,
a linear ``fully_connected`` head, mean squared error, and
``optimize_loss(..., optimizer="Adagrad", learning_rate=0.6)``.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.models import lstm_model
>>> with tf.Graph().as_default():
...     step = tf.compat.v1.train.get_or_create_global_step()
...     x = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
...     y = tf.compat.v1.placeholder(tf.float32, [None])
...     predictions, loss, train_op = lstm_model(x, y)
...     predictions.shape.as_list()
[None]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tensorflow as tf

from tf_pipeline._checks import check_int, check_learning_rate
from tf_pipeline.compat.layers import fully_connected, optimize_loss
from tf_pipeline.compat.rnn import BasicLSTMCell, MultiRNNCell, dynamic_rnn
from tf_pipeline.tf_output import OPTIMIZER_SLOTS, silenced_tf_warnings

LEGACY_PARAMS: Mapping[str, Any] = {
    "hidden_size": 40,
    "num_layers": 1,
    "learning_rate": 0.6,
    "optimizer": "Adagrad",
}


def resolve_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The legacy parameters updated with ``params``; unknown keys are an error."""
    merged = dict(LEGACY_PARAMS)
    if params:
        unknown = sorted(set(params) - set(LEGACY_PARAMS))
        if unknown:
            raise ValueError(
                f"`params` keys must be among {sorted(LEGACY_PARAMS)}, got unknown {unknown}."
            )
        merged.update(params)
    check_int(merged["hidden_size"], "params['hidden_size']", minimum=1)
    check_int(merged["num_layers"], "params['num_layers']", minimum=1)
    merged["learning_rate"] = check_learning_rate(
        merged["learning_rate"], "params['learning_rate']"
    )
    return merged


def lstm_model(
    features: tf.Tensor,
    labels: tf.Tensor | None,
    mode: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[tf.Tensor, tf.Tensor | None, tf.Tensor | None]:
    """Build the legacy LSTM regressor in the current graph.

    Parameters
    ----------
    features : tf.Tensor of shape [batch, time, depth]
        ``(?, 1, 12)`` in the legacy layout, ``(?, 12, 1)`` in the steps layout.
    labels : tf.Tensor of shape [batch] or [batch, 1], or None
        Without labels (prediction), loss and train_op are None.
    mode : str, optional
        Accepted for the Estimator's introspection; the graph does not depend on it.
    params : mapping, optional
        Overrides of ``hidden_size`` (40), ``num_layers`` (1), ``learning_rate``
        (0.6) and ``optimizer`` ("Adagrad").

    Returns
    -------
    predictions : tf.Tensor of shape [batch]
    loss : tf.Tensor or None
        Mean squared error.
    train_op : tf.Tensor or None
        ``optimize_loss``'s update, which also increments the global step.

    Notes
    -----
    The head reads the output of the last time step. With the legacy layout
    (one time step) that is exactly the legacy ``tf.reshape(output, [-1, hidden])``.
    """
    del mode  # the same graph serves training, evaluation and prediction
    config = resolve_params(params)
    hidden = config["hidden_size"]
    cell = MultiRNNCell(
        [BasicLSTMCell(hidden, state_is_tuple=True) for _ in range(config["num_layers"])]
    )
    # TF1's while loop and variable names (checkpoints, golden files) need dynamic_rnn,
    # which TF deprecates in favour of keras.layers.RNN; the notice is about our choice.
    with silenced_tf_warnings(deprecated=("dynamic_rnn",)):
        output, _ = dynamic_rnn(cell, features, dtype=tf.float32)
    last_output = tf.reshape(output[:, -1, :], [-1, hidden])
    predictions = tf.reshape(fully_connected(last_output, 1, None), [-1])
    if labels is None:
        return predictions, None, None
    labels = tf.reshape(tf.cast(labels, predictions.dtype), [-1])
    loss = tf.compat.v1.losses.mean_squared_error(labels, predictions)
    # AdagradOptimizer (the legacy default) builds its slots with TF's own deprecated
    # ``constant_initializer(dtype=...)``: a notice from TensorFlow's code, not ours.
    with silenced_tf_warnings(deprecated=OPTIMIZER_SLOTS):
        train_op = optimize_loss(
            loss,
            tf.compat.v1.train.get_global_step(),
            optimizer=config["optimizer"],
            learning_rate=config["learning_rate"],
        )
    return predictions, loss, train_op
