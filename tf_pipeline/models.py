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

from tf_pipeline._checks import check_int
from tf_pipeline.compat.layers import fully_connected, optimize_loss
from tf_pipeline.compat.rnn import BasicLSTMCell, MultiRNNCell, dynamic_rnn
from tf_pipeline.compat.rnn.cells import basic_lstm_step

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
    learning_rate = merged["learning_rate"]
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
        raise TypeError(f"`params['learning_rate']` must be a float, got {learning_rate!r}.")
    if learning_rate <= 0:
        raise ValueError(f"`params['learning_rate']` must be > 0, got {learning_rate}.")
    merged["learning_rate"] = float(learning_rate)
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
    output, _ = dynamic_rnn(cell, features, dtype=tf.float32)
    last_output = tf.reshape(output[:, -1, :], [-1, hidden])
    predictions = tf.reshape(fully_connected(last_output, 1, None), [-1])
    if labels is None:
        return predictions, None, None
    labels = tf.reshape(tf.cast(labels, predictions.dtype), [-1])
    loss = tf.compat.v1.losses.mean_squared_error(labels, predictions)
    train_op = optimize_loss(
        loss,
        tf.compat.v1.train.get_global_step(),
        optimizer=config["optimizer"],
        learning_rate=config["learning_rate"],
    )
    return predictions, loss, train_op


def lstm_forward(
    weights: list[tf.Tensor], features: tf.Tensor, *, forget_bias: float = 1.0
) -> tf.Tensor:
    """``lstm_model``'s predictions computed from weight tensors instead of variables.

    For training loops that carry the weights as loop variables (see
    :mod:`tf_pipeline.training_loop`). The time steps are unrolled statically; the
    math is the cells' own (:func:`~tf_pipeline.compat.rnn.cells.basic_lstm_step`).

    Parameters
    ----------
    weights : list of tf.Tensor
        In ``lstm_model``'s variable order: ``kernel, bias`` of each layer, then
        the head's ``weights, biases``.
    features : tf.Tensor of shape [batch, time, depth]
        ``time`` must be known statically.

    Returns
    -------
    tf.Tensor of shape [batch]
    """
    if features.shape.rank != 3 or features.shape[1] is None:
        raise ValueError(
            f"`features` must have shape [batch, time, depth] with a known time, "
            f"got {features.shape}."
        )
    *cells, head_weights, head_biases = weights
    outputs = [features[:, t, :] for t in range(features.shape[1])]
    for kernel, bias in zip(cells[0::2], cells[1::2], strict=True):
        units = bias.shape[0] // 4
        c = tf.zeros([tf.shape(features)[0], units], features.dtype)
        h = c
        layer_outputs = []
        for inputs in outputs:
            c, h = basic_lstm_step(inputs, c, h, kernel, bias, forget_bias)
            layer_outputs.append(h)
        outputs = layer_outputs
    return tf.reshape(tf.matmul(outputs[-1], head_weights) + head_biases, [-1])


def in_graph_forward(model_fn: Any) -> Any:
    """The functional forward of a model_fn that in-graph training loops support, or None."""
    return lstm_forward if model_fn is lstm_model else None
