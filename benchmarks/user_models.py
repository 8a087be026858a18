"""Model functions as users wrote them with the TF1 API: none of them is ours.

They are the workloads of the generic in-graph loop's tests and of ``bench_train``:

* :func:`seed_program_model`: the seed program's own ``lstm_model``, defined in the
  user's file with ``tf.contrib.*`` (``examples/airpassengers_tf1.py``).
* :func:`gru_dropout_model`: a GRU under ``dynamic_rnn`` with ``DropoutWrapper``
  (op-level seed, as the corpus programs seed their dropout) and ``AdamOptimizer``.
* :func:`two_layer_lstm_dense_model`: two stacked ``LSTMCell``s and a
  ``tf.layers.dense`` head trained by ``RMSPropOptimizer`` (the corpus' layers style).
* :func:`dense_model`: ``tf.layers.dense`` layers and any ``tf.train`` optimizer
  (``params["optimizer"]``), for the optimizer matrix.

Example
-------
>>> import numpy as np
>>> from estimators import Estimator, RunConfig
>>> from benchmarks.user_models import seed_program_model
>>> x = np.random.RandomState(0).rand(40, 1, 12).astype(np.float32)
>>> est = Estimator(seed_program_model, config=RunConfig(tf_random_seed=0, train_loop="graph"))
>>> est.fit(x=x, y=x.mean(axis=2), batch_size=16, steps=3).last_fit_losses.shape
(3,)
"""

from __future__ import annotations

import tf_pipeline.tf1 as tf

rnn = tf.contrib.rnn
HIDDEN_SIZE = 40

OPTIMIZERS = {
    "SGD": lambda: tf.train.GradientDescentOptimizer(0.1),
    "Momentum": lambda: tf.train.MomentumOptimizer(0.05, momentum=0.9, use_nesterov=True),
    "Adagrad": lambda: tf.train.AdagradOptimizer(0.3),
    "Adam": lambda: tf.train.AdamOptimizer(0.01),
    "RMSProp": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
    "Ftrl": lambda: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.001),
}


def seed_program_model(X, y):
    """The seed program's model_fn, word for word (``tf.contrib`` cells, head, optimizer)."""
    cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(HIDDEN_SIZE, state_is_tuple=True)])
    output, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    output = tf.reshape(output, [-1, HIDDEN_SIZE])
    predictions = tf.contrib.layers.fully_connected(output, 1, None)
    labels = tf.reshape(y, [-1])
    predictions = tf.reshape(predictions, [-1])
    loss = tf.losses.mean_squared_error(predictions, labels)
    train_op = tf.contrib.layers.optimize_loss(
        loss, tf.contrib.framework.get_global_step(), optimizer="Adagrad", learning_rate=0.6
    )
    return predictions, loss, train_op


def gru_dropout_model(features, labels, mode, params=None):
    """A GRU with output dropout (seeded per op) and Adam, read from the last time step.

    ``params={"keep_prob": 1.0}`` builds it without the dropout wrapper.
    """
    keep_prob = (params or {}).get("keep_prob", 0.8)
    cell = tf.nn.rnn_cell.GRUCell(24)
    if mode == tf.contrib.learn.ModeKeys.TRAIN and keep_prob < 1:
        cell = tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=keep_prob, seed=7)
    outputs, _ = tf.nn.dynamic_rnn(cell, features, dtype=tf.float32)
    weights = tf.get_variable("head/w", [24, 1])
    bias = tf.get_variable("head/b", [1], initializer=tf.zeros_initializer())
    predictions = tf.reshape(tf.matmul(outputs[:, -1, :], weights) + bias, [-1])
    loss = tf.losses.mean_squared_error(tf.reshape(labels, [-1]), predictions)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=tf.train.get_global_step())
    return predictions, loss, train_op


def two_layer_lstm_dense_model(features, labels):
    """Two stacked LSTMCells, a tf.layers.dense head, RMSProp."""
    cells = [tf.nn.rnn_cell.LSTMCell(n, name=f"lstm{k}") for k, n in enumerate((32, 16))]
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), features, dtype=tf.float32)
    hidden = tf.layers.dense(outputs[:, -1, :], 8, activation=tf.nn.tanh)
    predictions = tf.reshape(tf.layers.dense(hidden, 1), [-1])
    loss = tf.losses.mean_squared_error(tf.reshape(labels, [-1]), predictions)
    train_op = tf.train.RMSPropOptimizer(0.005).minimize(
        loss, global_step=tf.train.get_global_step()
    )
    return predictions, loss, train_op


def dense_model(features, labels, params):
    """tf.layers.dense on the flattened window, trained by ``params["optimizer"]``."""
    flat = tf.reshape(features, [-1, 12])
    hidden = tf.layers.dense(flat, 16, activation=tf.nn.relu)
    predictions = tf.reshape(tf.layers.dense(hidden, 1), [-1])
    loss = tf.losses.mean_squared_error(tf.reshape(labels, [-1]), predictions)
    optimizer = OPTIMIZERS[params["optimizer"]]()
    grads_and_vars = optimizer.compute_gradients(loss)
    train_op = optimizer.apply_gradients(grads_and_vars, global_step=tf.train.get_global_step())
    return predictions, loss, train_op
